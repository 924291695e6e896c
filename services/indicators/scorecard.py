"""GET /v1/scorecard: the Decision 766 score of the province, its departments or its communes
for a period, ranked (domain/kpi/scorecard.py), from the KPI read model."""

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import StringConstraints
from redis.exceptions import RedisError

from catalog import Province
from catalog.scorecard import scorecard
from contracts.kpi import agency_scope, org_scope
from contracts.periods import PERIOD_PATTERN
from domain.kpi.scorecard import Scorecard, ranked, score
from infra.openapi import problem
from infra.problems import unavailable

router = APIRouter(tags=["scorecard"])


class Level(StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"  # the province's departments and agencies
    COMMUNE = "commune"  # its communes and wards


@router.get(
    "/v1/scorecard",
    summary="The Decision 766 score (six groups, 100 points) by province, department or commune",
    responses={503: problem("The read model is down.")},
)
async def scorecards(
    request: Request,
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)],
    level: Annotated[Level, Query()] = Level.PROVINCE,
) -> dict[str, Any]:
    province: Province = request.app.state.province
    names = _scopes(province, level)
    groups = scorecard()
    rates: dict[str, dict[str, float | None]] = {scope: {} for scope in names}
    try:
        for code in {c for g in groups for c in g.indicators}:
            for s in await request.app.state.kpis.snapshots(code, list(names), [period]):
                rates[s.scope][code] = s.value
    except RedisError as e:
        raise unavailable("the KPI read model is unavailable", 5) from e
    cards = ranked(score(groups, scope, period, found) for scope, found in rates.items())
    return {
        "period": period,
        "level": level.value,
        "groups": [
            {"code": g.code, "name_vi": g.name_vi, "name_en": g.name_en, "points": g.points}
            for g in groups
        ],
        "items": [_card_json(rank, card, names[card.scope]) for rank, card in enumerate(cards, 1)],
    }


def _scopes(province: Province, level: Level) -> dict[str, tuple[str, str]]:
    if level is Level.PROVINCE:
        root = province.root
        return {org_scope(root.code): (root.name_vi, root.name_en)}
    if level is Level.COMMUNE:
        return {
            org_scope(u.code): (u.name_vi, u.name_en)
            for u in province.org_units.values()
            if u.parent is not None
        }
    return {
        agency_scope(a.code): (a.name_vi, a.name_en)
        for a in province.agencies.values()
        if a.org_unit is None  # a department, not a commune's People's Committee
    }


def _card_json(rank: int, card: Scorecard, name: tuple[str, str]) -> dict[str, Any]:
    return {
        "rank": rank if card.share is not None else None,
        "scope": card.scope,
        "name_vi": name[0],
        "name_en": name[1],
        "score": round(card.score, 2),
        "out_of": card.out_of,
        "complete": card.complete,
        "groups": [
            {
                "code": g.group.code,
                "points": None if g.points is None else round(g.points, 2),
                "out_of": g.out_of if g.measured else None,
                "measured": g.measured,
                "indicators": [
                    {
                        "code": p.indicator,
                        "rate": p.rate,
                        "points": None if p.points is None else round(p.points, 2),
                        "out_of": p.out_of,
                    }
                    for p in g.parts
                ],
            }
            for g in card.groups
        ],
    }
