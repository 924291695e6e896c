"""Projection of a monthly series to a horizon, with an 80% band: the two methods compared in
`tools.backtest` (see docs/forecasting.md for the evidence behind the default)."""

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

Z80 = 1.2816  # two-sided 80% normal quantile
SHORT_SERIES = 4


@dataclass(frozen=True)
class Projection:
    value: float
    low: float
    high: float
    slope: float  # per step (month) at the end of the series


Method = Callable[[Sequence[float], float], Projection]


def theil_sen(series: Sequence[float], horizon: float) -> Projection:
    """Robust linear trend: the median of pairwise slopes over the last two years (outliers and
    one-off dips barely move it), through the median intercept."""
    recent = list(series[-24:])
    n = len(recent)
    if n < 2:
        return _flat(recent)
    slope = statistics.median(
        (b - a) / (j - i) for (i, a), (j, b) in combinations(enumerate(recent), 2)
    )
    intercept = statistics.median(y - slope * x for x, y in enumerate(recent))
    fitted_end = intercept + slope * (n - 1)
    residuals = [y - (intercept + slope * x) for x, y in enumerate(recent)]
    # Prediction interval of a fitted line: the noise, plus the slope's own uncertainty, which
    # grows with the distance from the middle of the data.
    centre, spread_x = (n - 1) / 2, sum((x - (n - 1) / 2) ** 2 for x in range(n))
    leverage = 1 + 1 / n + (n - 1 + horizon - centre) ** 2 / spread_x
    spread = _robust_sd(residuals) * math.sqrt(leverage)
    return _band(fitted_end + slope * horizon, spread, slope)


def damped_holt(
    series: Sequence[float], horizon: float, alpha: float = 0.5, beta: float = 0.2, phi: float = 0.9
) -> Projection:
    """Holt's linear smoothing with a damped trend: follows recent changes quickly and lets the
    trend fade with the horizon, as adoption curves do when they saturate."""
    if len(series) < 2:
        return _flat(list(series))
    level, trend = series[0], series[1] - series[0]
    errors = []
    for value in series[1:]:
        forecast = level + phi * trend
        errors.append(value - forecast)
        new_level = alpha * value + (1 - alpha) * forecast
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
    damped_steps = (
        sum(phi**k for k in range(1, int(horizon) + 1)) if horizon >= 1 else phi * horizon
    )
    spread = _robust_sd(errors) * math.sqrt(max(horizon, 1))
    return _band(level + damped_steps * trend, spread, trend)


def project(series: Sequence[float], horizon: float) -> Projection:
    """The default: the mean of both methods, with a band spanning both of theirs. In the
    back-test it matches the better method's error and keeps its band honest (docs/forecasting.md):
    a trend that bends or steps is where one method alone goes wrong."""
    trend, smoothed = theil_sen(series, horizon), damped_holt(series, horizon)
    value = (trend.value + smoothed.value) / 2
    low, high = min(trend.low, smoothed.low), max(trend.high, smoothed.high)
    if len(series) < SHORT_SERIES:  # too few reports to measure their noise: assume ±5% a step
        floor = 0.05 * abs(series[-1]) * math.sqrt(max(horizon, 1))
        low, high = min(low, value - floor), max(high, value + floor)
    return Projection(value, low, high, (trend.slope + smoothed.slope) / 2)


def _band(value: float, spread: float, slope: float) -> Projection:
    return Projection(value, value - Z80 * spread, value + Z80 * spread, slope)


def _flat(recent: list[float]) -> Projection:
    last = recent[-1] if recent else math.nan
    return Projection(last, last, last, 0.0)


def _robust_sd(residuals: Sequence[float]) -> float:
    """1.4826 × median absolute deviation: a standard deviation that one outlier cannot inflate."""
    if len(residuals) < 2:
        return 0.0
    centre = statistics.median(residuals)
    return 1.4826 * statistics.median(abs(r - centre) for r in residuals)
