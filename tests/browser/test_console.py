"""The operator console in Debian's Chromium (Playwright, no browser download) against the real
services: Vietnamese by default, an alert raised through ingest appears live, acknowledging it
from the page reaches the API, the language switch, the trend chart with its target line.
Screenshots go to test-artifacts/."""

import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from contracts import ALL_TOPICS
from infra.kafka import ensure_topics
from services.indicators.api import create_api as create_indicators_api
from services.indicators.settings import IndicatorsSettings
from tests.infrastructure import eventually
from tests.integration.alerts.test_service import AUTH, DECLINING, KEY, Stack
from tests.integration.ingest.harness import StartIngest, headers
from tests.servers import free_port, serving

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium's own background traffic is refused on a closed network: switched off.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def console(
    kafka_bootstrap: str, redis_url: str, unique_name: str, tmp_path: Path
) -> AsyncIterator[tuple[str, Stack]]:
    """The alert service (with its console) and the KPI read API it asks for breakdowns."""
    indicators_port = free_port()
    indicators = create_indicators_api(
        IndicatorsSettings.model_validate(
            {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url}
        )
    )
    stack = Stack(
        kafka_bootstrap,
        redis_url,
        unique_name,
        tmp_path,
        "http://127.0.0.1:9/unused",
        webhook_urls=[],
        indicators_url=f"http://127.0.0.1:{indicators_port}",
    )
    await ensure_topics(kafka_bootstrap, ALL_TOPICS, prefix=stack.prefix)
    async with serving(indicators, indicators_port), stack.serve() as client:

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready, within=30, every=0.1)
        yield str(client.base_url), stack


async def signed_in(browser: Browser, base: str) -> Page:
    page = await browser.new_page(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    await page.goto(base + "/")
    await expect(page.get_by_label("Khóa API của cán bộ trực")).to_be_visible()
    await shot(page, "sign-in")
    await page.get_by_label("Khóa API của cán bộ trực").fill(KEY)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Cảnh báo trực tiếp")).to_be_visible()
    return page


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


async def test_a_live_alert_is_acknowledged_from_the_page_in_both_languages(
    browser: Browser, console: tuple[str, Stack], start_ingest: StartIngest
) -> None:
    base, _ = console
    page = await signed_in(browser, base)
    assert await page.get_attribute("html", "lang") == "vi"
    ingest = await start_ingest()
    document = json.loads(
        (ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text()
    )
    dossier = f"TRE-HAN-{uuid.uuid4().hex[:6]}"
    overdue = document | {"id": dossier, "data": document["data"] | {"dossier_id": dossier}}

    sent = time.monotonic()
    response = await ingest.client.post(
        "/v1/events", content=json.dumps(overdue), headers=headers("ubnd.cam-thanh")
    )
    assert response.status_code == 202
    card = page.locator("article.alert", has_text="hồ sơ quá hạn xử lý")
    await expect(card).to_be_visible(timeout=5000)
    assert time.monotonic() - sent <= 2.0, "the alert took more than 2 s to reach the page"
    await expect(card).to_contain_text(dossier)
    await shot(page, "live-alert")

    await card.get_by_label("Ghi chú").fill("Đã liên hệ UBND xã")
    await card.get_by_role("button", name="Xác nhận").click()
    fingerprint = await card.get_attribute("data-fingerprint")
    seen: dict[str, Any] = {}

    async def acknowledged() -> bool:
        answer = await _get(base, f"/v1/alerts/{fingerprint}")
        seen.update(answer)
        return bool(answer["state"] == "acknowledged")

    await eventually(acknowledged, within=5, explain=lambda: str(seen))
    assert seen["audit"][-1]["comment"] == "Đã liên hệ UBND xã"
    await expect(page.locator(f"article[data-fingerprint='{fingerprint}']")).to_contain_text(
        "Đã xác nhận"
    )

    await page.get_by_role("button", name="English / Tiếng Việt").click()
    await expect(page.get_by_role("heading", name="Live alerts")).to_be_visible()
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.locator(f"article[data-fingerprint='{fingerprint}']")).to_contain_text(
        "Acknowledged"
    )
    await shot(page, "english")


async def test_the_target_page_draws_the_trend_with_its_target_line(
    browser: Browser, console: tuple[str, Stack]
) -> None:
    base, stack = console
    await stack.series("ONLINE_DOSSIERS", DECLINING)
    page = await signed_in(browser, base)
    row = page.locator("tr[data-target='online-dossiers']")
    await expect(row).to_contain_text("Chậm tiến độ")
    await row.get_by_role("link").click()
    chart = page.locator("svg.chart")
    await expect(chart).to_be_visible()
    await expect(chart.locator("[data-series='target-line']")).to_have_count(1)
    await expect(chart.locator("[data-series='history']")).to_have_count(1)
    await expect(chart.locator("[data-series='forecast-band']")).to_have_count(1)
    await expect(page.locator("text=Cảnh báo của mục tiêu")).to_be_visible()
    milestones = page.locator("table.milestones tbody tr")
    await expect(milestones).to_have_count(5)  # 2025, 2030, 2035, 2040, 2045
    await expect(milestones.first).to_contain_text("Chậm tiến độ")  # 2025, the one in view
    await expect(milestones.nth(1)).to_contain_text("Đang thực hiện")
    await shot(page, "target")


async def test_the_scoreboard_shows_each_milestone_and_the_plan_notes_their_lines(
    browser: Browser, console: tuple[str, Stack]
) -> None:
    base, stack = console
    await stack.series("ONLINE_DOSSIERS", DECLINING)
    page = await signed_in(browser, base)
    steps = page.locator("tr[data-target='online-dossiers'] .timeline li")
    await expect(steps).to_have_count(5)
    await expect(steps.first).to_have_text("2025 Chậm tiến độ")
    await page.get_by_role("link", name="Lưu ý về kế hoạch →").click()
    notes = page.locator("#plan-notes")
    await expect(notes).to_contain_text("Kế hoạch 336-KH/TU")  # its scope and sizing
    signatures = notes.locator("li[data-rule='mixed_denominator']")
    await expect(signatures).to_contain_text("hai mẫu số khác nhau")
    await expect(signatures.locator("li")).to_have_count(4)  # the four lines it comes from
    await page.get_by_role("button", name="EN").click()
    await expect(notes).to_contain_text("two denominators, not one series")
    await shot(page, "plan-notes")


async def test_the_766_scorecard_lists_every_commune_with_the_decisions_six_groups(
    browser: Browser, console: tuple[str, Stack]
) -> None:
    base, _ = console
    page = await signed_in(browser, base)
    await page.get_by_role("link", name="Bộ chỉ số 766 →").click()
    card = page.locator("#scorecard")
    await expect(card.locator("thead th")).to_have_count(3 + 6)  # rank, unit, score, six groups
    await expect(card.locator("thead")).to_contain_text("Số hóa hồ sơ (22)")
    await expect(card.locator("tbody tr")).to_have_count(30)  # the province's communes and wards
    await expect(card).to_contain_text("không quy đổi lên 100")
    await card.get_by_role("link", name="Sở, ban, ngành").click()
    await expect(page.locator("#scorecard .tab.current")).to_have_text("Sở, ban, ngành")
    await shot(page, "scorecard")


async def _get(base: str, path: str) -> Any:
    async with httpx.AsyncClient(base_url=base) as client:
        return (await client.get(path, headers=AUTH)).json()
