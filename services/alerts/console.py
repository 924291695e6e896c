"""The operator console: one HTML page and its script and style (every response of the origin
carries the strict Content Security Policy of origin.py: everything from this origin, nothing
inline), plus the KPI breakdown a target page shows (from the indicators API)."""

from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from contracts.kpi import agency_scope, org_scope
from infra.openapi import problem
from infra.problems import Problem, ProblemError, unavailable
from services.alerts.api import Signed

HERE = Path(__file__).parent / "console"

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=HERE / "static")


@router.get("/")
@router.get("/targets/{target_id}")
async def page() -> FileResponse:
    return FileResponse(
        HERE / "index.html", headers={"Cache-Control": "no-cache"}, media_type="text/html"
    )


breakdown_router = APIRouter()


@breakdown_router.get(
    "/v1/targets/{target_id}/breakdown",
    tags=["targets"],
    responses={404: problem("No such target."), 503: problem("The indicators API is down.")},
)
async def breakdown(target_id: str, request: Request, who: Signed) -> dict[str, Any]:
    """The target's indicator by commune/ward and by agency, for its latest period."""
    state = request.app.state
    view = state.evaluator.views.get(target_id)
    if view is None:
        raise ProblemError(Problem("not-found", "Unknown target", 404, f"no target {target_id}"))
    latest = view.assessment.latest
    if latest is None:
        return {"period": None, "by_org_unit": [], "by_agency": []}
    monthly = (latest.end - latest.start).days < 32
    period = f"{latest.end:%Y-%m}" if monthly else f"{latest.end:%Y}"
    params = {"indicator": view.target.indicator, "period": period}
    try:
        response = await state.indicators.get("/v1/kpis", params=params)
        response.raise_for_status()
    except httpx.HTTPError as e:
        raise unavailable("the indicators API does not answer", 5) from e
    province = state.evaluator.province
    names = {org_scope(u.code): u for u in province.org_units.values()}
    names |= {agency_scope(a.code): a for a in province.agencies.values()}
    rows: dict[str, list[dict[str, Any]]] = {"org": [], "agency": []}
    for item in response.json()["items"]:
        kind, code = item["scope"].split(":", 1)
        if kind == "org" and code == view.target.scope:
            continue  # the province itself is the headline, not a row
        known = names.get(item["scope"])
        rows[kind].append(
            {
                "code": code,
                "name_vi": known.name_vi if known else code,
                "name_en": known.name_en if known else code,
                "value": item["value"],
            }
        )
    for found in rows.values():
        found.sort(key=lambda r: (r["value"] is None, r["value"] or 0))
    return {"period": period, "by_org_unit": rows["org"], "by_agency": rows["agency"]}
