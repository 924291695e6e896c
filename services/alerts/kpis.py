"""What the console reads from the KPI read API (the indicators service's, over HTTP): the KPIs
of a target's indicator by commune or ward and by agency, which a target page breaks its
headline figure into, and the Decision 766 scorecard."""

from typing import Any

import httpx

from catalog import Province
from contracts.kpi import agency_scope, org_scope
from infra.problems import unavailable


class KpiBreakdown:
    def __init__(self, client: httpx.AsyncClient, province: Province) -> None:
        self._client = client
        self._names: dict[str, tuple[str, str]] = {
            org_scope(u.code): (u.name_vi, u.name_en) for u in province.org_units.values()
        }
        self._names |= {
            agency_scope(a.code): (a.name_vi, a.name_en) for a in province.agencies.values()
        }

    async def of(self, indicator: str, period: str, headline_scope: str) -> dict[str, Any]:
        """The rows by unit and by agency (lowest first), the headline's own scope left out."""
        try:
            response = await self._client.get(
                "/v1/kpis", params={"indicator": indicator, "period": period}
            )
            response.raise_for_status()
        except httpx.HTTPError as e:
            raise unavailable("the indicators API does not answer", 5) from e
        rows: dict[str, list[dict[str, Any]]] = {"org": [], "agency": []}
        for item in response.json()["items"]:
            if item["scope"] == headline_scope:
                continue  # the headline, not a row
            kind, code = item["scope"].split(":", 1)
            name_vi, name_en = self._names.get(item["scope"], (code, code))
            rows[kind].append(
                {"code": code, "name_vi": name_vi, "name_en": name_en, "value": item["value"]}
            )
        for found in rows.values():
            found.sort(key=lambda r: (r["value"] is None, r["value"] or 0))
        return {"period": period, "by_org_unit": rows["org"], "by_agency": rows["agency"]}

    async def scorecard(self, period: str, level: str) -> dict[str, Any]:
        try:
            response = await self._client.get(
                "/v1/scorecard", params={"period": period, "level": level}
            )
            response.raise_for_status()
        except httpx.HTTPError as e:
            raise unavailable("the indicators API does not answer", 5) from e
        found: dict[str, Any] = response.json()
        return found
