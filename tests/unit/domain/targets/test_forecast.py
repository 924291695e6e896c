"""The projection methods on series small enough to compute by hand."""

import pytest

from domain.targets.forecast import damped_holt, project, theil_sen


def test_theil_sen_extends_a_straight_line_exactly() -> None:
    p = theil_sen([1, 2, 3, 4], horizon=2)
    assert (p.value, p.low, p.high, p.slope) == pytest.approx((6, 6, 6, 1))


def test_theil_sen_ignores_a_single_outlier() -> None:
    assert theil_sen([1, 2, 3, 100, 5, 6], horizon=1).value == pytest.approx(7)


def test_damped_holt_by_hand() -> None:
    # level 0, trend 2; then 2: forecast 1.8, level 1.9, trend 1.82; then 4: forecast 3.538,
    # level 3.769, trend 1.6842; one step ahead: 3.769 + 0.9 × 1.6842.
    assert damped_holt([0, 2, 4], horizon=1).value == pytest.approx(3.769 + 0.9 * 1.6842)


def test_damped_holt_keeps_a_constant_series_constant() -> None:
    p = damped_holt([5, 5, 5, 5, 5], horizon=12)
    assert (p.value, p.low, p.high) == pytest.approx((5, 5, 5))


def test_the_default_averages_both_and_spans_their_bands() -> None:
    series = [40 + i + (0.5 if i % 3 == 0 else -0.3) for i in range(24)]
    a, b, both = theil_sen(series, 6), damped_holt(series, 6), project(series, 6)
    assert both.value == pytest.approx((a.value + b.value) / 2)
    assert (both.low, both.high) == (min(a.low, b.low), max(a.high, b.high))


def test_too_few_reports_widen_the_band_to_five_percent_a_step() -> None:
    p = project([0.45, 0.52], horizon=1)
    assert p.high - p.value >= 0.05 * 0.52 - 1e-12
    assert p.value - p.low >= 0.05 * 0.52 - 1e-12
