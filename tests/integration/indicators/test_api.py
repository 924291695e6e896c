"""The KPI read API over the real Redis state: filters, history for trends, names in both
languages, problem+json for bad parameters."""

from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as aioredis

from domain.kpi.rows import Row
from services.indicators.api import create_api
from services.indicators.settings import IndicatorsSettings
from services.indicators.state import RedisKpiState


@pytest.fixture
async def api(redis_url: str, unique_name: str) -> AsyncIterator[httpx.AsyncClient]:
    prefix = f"{unique_name}:kpi:"
    redis = aioredis.Redis.from_url(redis_url)
    state = RedisKpiState(redis, prefix)
    rows = {
        "ONLINE_DOSSIERS|org:quang-ngai|2025": Row(60, 100),
        "ONLINE_DOSSIERS|org:quang-ngai|2025-01": Row(5, 10),
        "ONLINE_DOSSIERS|org:quang-ngai|2025-02": Row(7, 10),
        "ONLINE_DOSSIERS|org:cam-thanh|2025-02": Row(1, 4),
        "ONLINE_DOSSIERS|agency:ubnd.cam-thanh|2025-02": Row(1, 4),
        # The 2025 scorecard of two communes and one department.
        "ON_TIME_DOSSIERS|org:cam-thanh|2025": Row(19, 20),  # 95%: 19 of 20 points
        "ONLINE_DOSSIERS|org:cam-thanh|2025": Row(1, 2),  # 50%: 6 of 12
        "ON_TIME_DOSSIERS|org:nghia-lo|2025": Row(10, 20),  # 50%: 10 of 20
        "ON_TIME_DOSSIERS|agency:so-tu-phap|2025": Row(3, 4),  # 75%: 15 of 20
    }
    assert await state.apply({"t/0": -1}, {"t/0": 9}, rows)
    settings = IndicatorsSettings.model_validate(
        {"KAFKA_BOOTSTRAP_SERVERS": "unused:9092", "REDIS_URL": redis_url, "redis_prefix": prefix}
    )
    app = create_api(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client
    await redis.aclose()


async def test_a_trend_is_the_monthly_history_of_one_scope(api: httpx.AsyncClient) -> None:
    r = await api.get(
        "/v1/kpis",
        params={"indicator": "ONLINE_DOSSIERS", "org_unit": "quang-ngai", "granularity": "month"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["name_vi"]
    assert body["name_en"]
    assert [(i["period"], i["value"]) for i in body["items"]] == [
        ("2025-01", 50.0),
        ("2025-02", 70.0),
    ]


async def test_filters_by_agency_and_period(api: httpx.AsyncClient) -> None:
    r = await api.get(
        "/v1/kpis",
        params={"indicator": "ONLINE_DOSSIERS", "agency": "ubnd.cam-thanh", "period": "2025-02"},
    )
    [item] = r.json()["items"]
    assert (item["scope"], item["value"], item["denominator"]) == ("agency:ubnd.cam-thanh", 25.0, 4)


async def test_indicators_with_kpis_are_listed(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/indicators")
    assert {"code": "ONLINE_DOSSIERS"}.items() <= r.json()["items"][0].items()


async def test_a_bad_period_is_a_problem_naming_the_parameter(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/kpis", params={"indicator": "ONLINE_DOSSIERS", "period": "2025-13"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "query.period.0"


async def test_an_unknown_indicator_is_a_problem_not_an_empty_answer(
    api: httpx.AsyncClient,
) -> None:
    r = await api.get("/v1/kpis", params={"indicator": "ONLINE_DOSIERS"})  # a typo
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "indicator"
    # A reported indicator of the province's plans is known, with or without KPIs yet.
    known = await api.get("/v1/kpis", params={"indicator": "DTI"})
    assert known.status_code == 200
    assert known.json()["name_en"]


async def test_the_scorecard_ranks_communes_by_the_share_of_measured_points(
    api: httpx.AsyncClient,
) -> None:
    r = await api.get("/v1/scorecard", params={"period": "2025", "level": "commune"})
    assert r.status_code == 200
    body = r.json()
    assert [g["points"] for g in body["groups"]] == [18, 20, 12, 10, 18, 22]
    first, second = body["items"][:2]
    # Cẩm Thành 25 of 32 measured (78%) ahead of Nghĩa Lộ 10 of 20 (50%).
    assert (first["name_vi"], first["score"], first["out_of"], first["rank"]) == (
        "Phường Cẩm Thành",
        25.0,
        32.0,
        1,
    )
    assert (second["scope"], second["score"], second["out_of"]) == ("org:nghia-lo", 10.0, 20.0)
    assert not first["complete"]
    openness = first["groups"][0]
    assert (openness["code"], openness["measured"], openness["points"]) == ("openness", False, None)
    unmeasured = body["items"][-1]
    assert (unmeasured["rank"], unmeasured["out_of"]) == (None, 0)


async def test_the_scorecard_of_departments(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/scorecard", params={"period": "2025", "level": "agency"})
    top = r.json()["items"][0]
    assert (top["scope"], top["score"], top["out_of"]) == ("agency:so-tu-phap", 15.0, 20.0)
    assert all(not i["scope"].startswith("agency:ubnd.") for i in r.json()["items"])
