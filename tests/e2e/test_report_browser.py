"""A saved report in a real browser: headless Chromium (Debian's) driven by Playwright.

CI installs `/usr/bin/chromium` (see `.ci/run`); without it this test fails, it does not skip.
Never `playwright install`: we drive the system's Chromium.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage

from tests.conftest import ARTICLES
from tests.e2e.conftest import System
from tests.helpers.browser import OUTPUT, launch_chromium


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    yield from launch_chromium()


@pytest.fixture(scope="module")
def report(module_system: System) -> tuple[str, dict[str, Any]]:
    """The page URL of a report saved from a real check of apple.com, and the check result."""
    assert module_system.ingest(ARTICLES) == 0
    result = module_system.check("apple.com").json()
    saved = module_system.http.post("/api/v1/reports", json={"domain": "apple.com", "payload": result})
    assert saved.status_code == 201, saved.text
    return f"{module_system.http.base_url}".rstrip("/") + saved.json()["url"], result


def column(page: Any, index: int) -> list[str]:
    """The data-sort keys of one table column, in the order the rows are shown."""
    keys: list[str] = page.locator(f"#backlinks tbody tr td:nth-child({index})").evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")
    return keys


def score_order(keys: list[str], descending: bool) -> list[str]:
    """What the page promises: numbers in order, empty keys last either way."""
    numbers = sorted((k for k in keys if k), key=float, reverse=descending)
    return numbers + [k for k in keys if not k]


def test_sorting_a_report_by_score_reorders_every_visible_row(report: tuple[str, dict[str, Any]],
                                                             chromium: Browser) -> None:
    # `report` first: Playwright's sync API keeps an event loop running in this thread, and the
    # ingest behind `report` needs to start its own.
    url, result = report
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(url)

    rows = page.locator("#backlinks tbody tr")
    assert rows.count() == len(result["results"])
    assert all(rows.nth(i).is_visible() for i in range(rows.count()))
    referring_before = sorted(column(page, 1))
    before = column(page, 4)
    assert len(set(before)) > 1, "the scores differ, so sorting must move rows"

    header = page.locator("#backlinks thead th").nth(3)
    page.get_by_role("button", name="Score").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = column(page, 4)
    assert ascending == score_order(before, descending=False)
    assert ascending != before

    page.get_by_role("button", name="Score").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert column(page, 4) == score_order(before, descending=True)
    assert page.locator("#sort-status").inner_text() == "Sorted by Score, descending."
    assert sorted(column(page, 1)) == referring_before, "sorting moves rows, it never loses one"
    assert rows.count() == len(result["results"])

    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "report-sorted-by-score.png"), full_page=True)
    assert problems == [], "the page runs without script errors or CSP refusals"
    page.close()
