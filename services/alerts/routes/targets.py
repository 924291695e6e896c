"""The plan's targets: each with its status, forecast and explanation; one with its series and
milestones; its indicator broken down by unit and agency; the names of every code."""

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import StringConstraints

from contracts.kpi import org_scope
from contracts.periods import PERIOD_PATTERN
from domain.targets.verdicts import TargetStatus
from infra.openapi import problem
from infra.problems import Problem, ProblemError
from services.alerts.board import TargetView
from services.alerts.deps import Board, Service, Signed
from services.alerts.views import plan_json, target_detail_json, target_json, vocabulary

router = APIRouter(tags=["targets"])
UNKNOWN_TARGET: dict[int | str, dict[str, Any]] = {404: problem("No such target.")}


@router.get("/v1/targets", summary="Every target with status and forecast")
async def targets(board: Board, who: Signed, status: TargetStatus | None = None) -> dict[str, Any]:
    views = [v for v in board.views() if status is None or v.assessment.status is status]
    return {"plan": board.plan.id, "items": [target_json(v) for v in views]}


@router.get(
    "/v1/targets/{target_id}", summary="One target and its series", responses=UNKNOWN_TARGET
)
async def target(target_id: str, board: Board, who: Signed) -> dict[str, Any]:
    return target_detail_json(_view(board, target_id))


@router.get(
    "/v1/targets/{target_id}/breakdown",
    summary="The target's indicator by commune or ward and by agency, for its latest period",
    responses=UNKNOWN_TARGET | {503: problem("The indicators API is down.")},
)
async def breakdown(target_id: str, service: Service, who: Signed) -> dict[str, Any]:
    view = _view(service.board, target_id)
    if view.latest_period is None:
        return {"period": None, "by_org_unit": [], "by_agency": []}
    return await service.breakdown.of(
        view.target.indicator, view.latest_period, org_scope(view.target.scope)
    )


class ScorecardLevel(StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"
    COMMUNE = "commune"


@router.get(
    "/v1/scorecard",
    tags=["scorecard"],
    summary="The Decision 766 scorecard, ranked (from the KPI read API)",
    responses={503: problem("The indicators API is down.")},
)
async def scorecard(
    service: Service,
    who: Signed,
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)],
    level: ScorecardLevel = ScorecardLevel.COMMUNE,
) -> dict[str, Any]:
    return await service.breakdown.scorecard(period, level.value)


@router.get(
    "/v1/plan",
    summary="The plan: its document, scope and sizing, and its inconsistencies with their lines",
)
async def plan(board: Board, who: Signed) -> dict[str, Any]:
    return plan_json(board.plan)


@router.get(
    "/v1/vocabulary",
    tags=["vocabulary"],
    summary="The names of statuses, groups, severities, states and alert kinds",
)
async def names() -> dict[str, list[dict[str, str]]]:
    return vocabulary()


def _view(board: Board, target_id: str) -> TargetView:
    view = board.view(target_id)
    if view is None:
        raise ProblemError(Problem("not-found", "Unknown target", 404, f"no target {target_id}"))
    return view
