"""The Decision 766 scorecard on hand-computed cases."""

import pytest

from catalog.scorecard import DECREED, scorecard
from domain.kpi.scorecard import ranked, score

GROUPS = scorecard()
FULL = {
    "ON_TIME_DOSSIERS": 95.0,  # 19 of 20
    "ONLINE_DOSSIERS": 50.0,  # 6 of 12
    "ONLINE_PAYMENTS": 80.0,  # 8 of 10
    "FEEDBACK_ON_TIME": 100.0,  # 9 of 9
    "FEEDBACK_SATISFIED": 60.0,  # 5.4 of 9
    "DIGITISED_ON_RECEIPT": 75.0,  # 6 of 8
    "DIGITISED_RESULTS": 50.0,  # 3.5 of 7
    "ELECTRONIC_RESULTS": 100.0,  # 7 of 7
}


def test_the_groups_are_the_decisions_six_with_its_points() -> None:
    assert {g.code: g.points for g in GROUPS} == DECREED
    assert sum(DECREED.values()) == 100


def test_each_indicator_earns_its_points_in_proportion_to_its_rate() -> None:
    card = score(GROUPS, "org:quang-ngai", "2026", FULL)
    by_group = {g.group.code: g.points for g in card.groups}
    assert by_group == pytest.approx(
        {
            "openness": None,
            "timeliness": 19.0,
            "online": 6.0,
            "payment": 8.0,
            "satisfaction": 14.4,
            "digitisation": 16.5,
        }
    )
    # 63.9 of the 82 points IOC measures (openness is the portal's own record): never "of 100".
    assert (card.score, card.out_of) == pytest.approx((63.9, 82.0))
    assert not card.complete


def test_an_indicator_without_a_figure_counts_in_neither_score_nor_total() -> None:
    no_fees = FULL | {"ONLINE_PAYMENTS": None}  # a commune with no fee-charging dossier
    card = score(GROUPS, "org:cam-thanh", "2026", no_fees)
    assert (card.score, card.out_of) == pytest.approx((55.9, 72.0))
    payment = next(g for g in card.groups if g.group.code == "payment")
    assert (payment.measured, payment.points) == (False, None)


def test_scopes_are_ranked_by_the_share_of_measured_points_earned() -> None:
    best = score(GROUPS, "org:a", "2026", dict.fromkeys(FULL, 90.0))
    worse = score(GROUPS, "org:b", "2026", FULL)
    nothing = score(GROUPS, "org:c", "2026", {})
    assert [c.scope for c in ranked([nothing, worse, best])] == ["org:a", "org:b", "org:c"]
    assert nothing.share is None
