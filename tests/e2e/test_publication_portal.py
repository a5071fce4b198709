"""The public portal in a real headless Chromium: loads, updates live, searches the register."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from shared.infra.processes import ServiceProcess
from tests.e2e.test_publication_service import produce, running_publication
from tests.unit.publication.builders import envelope, grant

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PARTNERSHIP = f"wiltshire-{uuid.uuid4().hex[:8]}"
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"headless Chromium is not installed at {CHROMIUM}"
)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def portal(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    """Publication running as a process, with two grants already published."""
    logs = tmp_path_factory.mktemp("portal-logs")
    async with running_publication(database_url, kafka_bootstrap, logs) as service:
        await award(kafka_bootstrap, "boxing", "Weymouth youth boxing sessions", "Weymouth")
        await award(kafka_bootstrap, "ddv", "Domestic abuse helpline", "Salisbury", "9000.00")
        await arrived(service, 2)
        yield service


async def award(
    bootstrap: str, award_id: str, title: str, place: str, amount: str = "2500.00"
) -> None:
    payload = grant(
        award_id,
        title=title,
        beneficiary_location=place,
        amount=Decimal(amount),
        fund_id="wiltshire-community-safety-2017-18",
        recipient_name=f"{place} Community Trust",
    )
    await produce(bootstrap, ("funding", envelope(payload, datetime.now(UTC), PARTNERSHIP)))


async def arrived(service: ServiceProcess, count: int) -> None:
    async with httpx.AsyncClient(base_url=service.url) as client:
        for _ in range(300):
            page = (await client.get("/feed", params={"partnership": PARTNERSHIP})).json()
            if page["total"] >= count:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{count} entries did not reach the feed")


async def test_the_portal_loads_updates_live_and_searches(
    portal: ServiceProcess, kafka_bootstrap: str
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{portal.url}/?partnership={PARTNERSHIP}")
            assert await page.title() == "Commissioning transparency portal"
            assert await page.locator("#register tbody tr").count() == 2
            assert await page.locator("#feed li").count() == 2
            assert await page.locator("#chart-places svg rect").count() == 2  # where money went
            await page.wait_for_function(
                "document.getElementById('live-status').textContent === 'live'"
            )

            await award(
                kafka_bootstrap, "knife", "Knife crime boxing outreach", "Swindon", "3000.00"
            )
            new_row = page.locator('#register tr[data-award="knife"]')
            await new_row.wait_for(timeout=20_000)  # arrived without a reload
            assert "Knife crime boxing outreach" in await new_row.inner_text()
            assert "Knife crime" in await page.locator("#feed li").first.inner_text()

            await page.fill("#search", "boxing")
            visible = page.locator("#register tbody tr:visible")
            assert sorted(await visible.locator("td:first-child").all_inner_texts()) == [
                "Knife crime boxing outreach",
                "Weymouth youth boxing sessions",
            ]
            await page.fill("#search", "salisbury")
            assert await visible.locator("td:first-child").all_inner_texts() == [
                "Domestic abuse helpline"
            ]
        finally:
            await browser.close()
