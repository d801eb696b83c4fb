"""The web page for people, in headless Chromium at a laptop's and a phone's size.

The journey runs on the real corpus through the whole system (gateway, broker, worker, Redis):
check apple.com, filter, search, sort, expand a row, download the CSV, save and open a report,
refresh, compare with theguardian.com, and read what is new and lost since a check 8 days ago.
Every step is a screenshot in `test-output/web-*.png`. The assertions are on what a person sees.

Playwright's sync API keeps an event loop running in this thread, so whatever needs its own
(ingest, the snapshot test hook) runs in a worker thread.
"""

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Route, ViewportSize, expect

from storage.keys import Keys
from tests.conftest import ARTICLES
from tests.e2e.conftest import System, make_settings, start_system
from tests.e2e.test_check_realweb import expected_rows
from tests.e2e.test_compare_diff import apple_links, edit_links, move_first_snapshot_back
from tests.helpers.browser import OUTPUT, launch_chromium
from tests.helpers.warcs import WarcPage, read_warc, write_warc

DAY = 86_400
CRAWLED = 1_579_046_400  # the corpus's WARC-Date, 2020-01-15
VIEWPORTS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
T = TypeVar("T")

expect.set_options(timeout=20_000)


def off_loop(work: Callable[[], T]) -> T:
    """Run `work` in another thread: it may start an event loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@dataclass
class Corpus:
    """The indexed corpus, and which referring pages of apple.com are new and lost since 8 days ago."""

    system: System
    new: list[str]
    lost: list[str]


@pytest.fixture(scope="module")
def corpus(module_system: System, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """An older crawl of the corpus (3 pages without their apple.com links, 2 pages with one more),
    checked "8 days ago"; then the real corpus on top of it."""
    pages = list(read_warc(ARTICLES))
    linking = expected_rows("apple.com")
    new = sorted(p.url for p in pages if p.url in linking
                 and not apple_links(p.url, edit_links(p.body, "apple.com")))[:3]
    lost = sorted(p.url for p in pages if p.url not in linking and not apple_links(p.url, p.body))[:2]
    older = []
    for page in pages:
        body = page.body
        if page.url in new:
            body = edit_links(body, "apple.com")
        if page.url in lost:
            body = body.replace(b"</body>", b'<a href="https://www.apple.com/newsroom/">Apple Newsroom</a></body>', 1)
        older.append(WarcPage(url=page.url, body=body, headers=page.headers, date=CRAWLED - 30 * DAY))
    older_warc = write_warc(tmp_path_factory.mktemp("older") / "older.warc.gz", older)

    def prepare() -> None:
        assert module_system.ingest(older_warc) == 0
        first = module_system.check("apple.com")
        assert first.status_code == 200, first.text
        move_first_snapshot_back(module_system, "apple.com", first.json()["scanned_at"] - 8 * DAY)
        assert module_system.ingest(ARTICLES) == 0

    off_loop(prepare)
    assert len(new) == 3 and len(lost) == 2
    return Corpus(module_system, new, lost)


@pytest.fixture(scope="module")
def limited_system(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """A system whose sessions may run one uncached check an hour."""
    yield from start_system(make_settings(redis_url, tmp_path_factory.mktemp("limited"), session_checks_per_hour=1))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    yield from launch_chromium()


def expire_cache(system: System, sync_redis: redis.Redis, *domains: str) -> None:
    """As if the 24 h result cache of these quick checks had run out."""
    keys = Keys(system.settings.namespace)
    sync_redis.delete(*(keys.result(d, False, False) for d in domains))


@dataclass
class Browsing:
    """One browser context at one viewport, its page, and what went wrong in it."""

    context: BrowserContext
    page: Page
    viewport: str
    base: str
    problems: list[str] = field(default_factory=list)
    step: int = 0

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    def shot(self, name: str, page: Page | None = None) -> None:
        """A full-page screenshot of this step; the page never scrolls sideways."""
        page = page or self.page
        self.step += 1
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"web-{self.viewport}-{self.step:02d}-{name}.png"), full_page=True)
        width = VIEWPORTS[self.viewport]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: wider than the screen"


@pytest.fixture(params=list(VIEWPORTS))
def browsing(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Browsing]:
    """A fresh browser context (so a fresh session) at the parametrised viewport."""
    context = chromium.new_context(viewport=VIEWPORTS[request.param], accept_downloads=True)
    page = context.new_page()
    browsing = Browsing(context, page, request.param, "")

    def console(message: ConsoleMessage) -> None:
        # Chromium logs every 4xx of a fetch; the errors the tests provoke are asserted on screen.
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            browsing.problems.append(f"{message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: browsing.problems.append(f"page error: {error}"))
    yield browsing
    context.close()


def open_page(b: Browsing, system: System, path: str = "/") -> None:
    b.base = str(system.http.base_url).rstrip("/")
    b.page.goto(b.base + path)
    expect(b.page.get_by_role("heading", name="Backlink checker", level=1)).to_be_visible()


def domain_field(page: Page, panel: str = "check") -> Locator:
    """The "Domain" field of a tab's panel (the Check and New vs lost tabs both have one)."""
    return page.locator(f"#panel-{panel}").get_by_label("Domain", exact=True)


def cards(page: Page, box: str) -> dict[str, str]:
    """The summary cards as a person reads them: label -> value (first line)."""
    labels = page.locator(f"{box} dt").all_inner_texts()
    values = [v.splitlines()[0].strip() for v in page.locator(f"{box} dd").all_inner_texts()]
    return dict(zip(labels, values, strict=True))


def shown_column(page: Page, css: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#check-table tbody tr:not(.detail) {css}").all_inner_texts()]


def check_links_are_safe(page: Page, scope: str) -> None:
    """Every link into the web is plain http(s), opens apart, and passes no ranking."""
    for href, rel in page.locator(f"{scope} a[href]").evaluate_all(
            "links => links.map(a => [a.getAttribute('href'), a.getAttribute('rel') || ''])"):
        if href.startswith("/"):
            continue
        assert re.match(r"https?://", href), href
        assert {"nofollow", "noopener"} <= set(rel.split()), (href, rel)


# ---- the journey ---------------------------------------------------------------------------------


def test_the_whole_journey_on_the_real_corpus(corpus: Corpus, browsing: Browsing, sync_redis: redis.Redis) -> None:
    system, b, page = corpus.system, browsing, browsing.page
    expire_cache(system, sync_redis, "apple.com", "theguardian.com")
    open_page(b, system)
    expect(page.get_by_role("tab", name="Check")).to_have_attribute("aria-selected", "true")
    b.shot("start")

    # Check apple.com: the 17 linking pages of the expected answer (and any mentions).
    domain_field(page).fill("apple.com")
    page.get_by_role("button", name="Check backlinks").click()
    expect(page.locator("#check-title")).to_have_text("Backlinks of apple.com")
    api = system.check("apple.com").json()  # now from the cache: the same answer the page got
    rows = api["results"]
    by_type = {t: sum(r["link_type"] == t for r in rows) for t in ("dofollow", "nofollow", "mention", "unknown")}
    expect(page.locator("#check-count")).to_have_text(f"{len(rows)} referring pages")
    summary = cards(page, "#check-cards")
    assert summary["Referring pages"] == str(len(rows))
    assert summary["Referring domains"] == str(len({r["referring_domain"].removeprefix("www.") for r in rows}))
    assert {t: int(summary[t]) for t in by_type} == by_type
    assert summary["Result"] == "Fresh"
    assert page.locator("#check-chart-desc").text_content() == ", ".join(f"{t}: {n}" for t, n in by_type.items())
    shown = set(shown_column(page, "td.page a"))
    assert shown == {r["referring_url"] for r in rows}
    assert {r["referring_url"] for r in rows if r["link_type"] != "mention"} == set(expected_rows("apple.com"))
    check_links_are_safe(page, "#check-result")
    b.shot("checked")

    # Filter to nofollow, then search in URLs and anchors.
    page.locator("#check-filter label", has_text="nofollow").click()
    expect(page.locator("#check-count")).to_have_text(f"{by_type['nofollow']} of {len(rows)} referring pages match")
    assert len(shown_column(page, "td.page")) == by_type["nofollow"]
    if by_type["nofollow"] == 0:
        expect(page.locator("#check-empty")).to_have_text("No referring page matches this filter.")
    b.shot("nofollow")
    page.locator("#check-filter label", has_text="All").click()
    page.get_by_label("Search URL or anchor text").fill("app store")
    matching = [r for r in rows if "app store" in (r["anchor_text"] or "").lower()
                or "app store" in r["referring_url"].lower()]
    expect(page.locator("#check-count")).to_have_text(f"{len(matching)} of {len(rows)} referring pages match")
    assert set(shown_column(page, "td.page")) == {r["referring_url"] for r in matching}
    page.get_by_label("Search URL or anchor text").fill("")
    expect(page.locator("#check-count")).to_have_text(f"{len(rows)} referring pages")

    # Sort by score, highest first: by its column heading, or on a phone by the "Sort by" list.
    if b.phone:
        page.get_by_label("Sort by").select_option(label="Score, highest first")
    else:
        page.get_by_role("button", name="Score", exact=True).click()
        expect(page.locator("#check-table th", has_text="Score")).to_have_attribute("aria-sort", "descending")
    scores = sorted((r["score"] for r in rows if r["score"] is not None), reverse=True)
    want = [str(s) for s in scores] + ["—"] * sum(r["score"] is None for r in rows)
    expect(page.locator("#check-table tbody tr:not(.detail) td.score")).to_have_text(want)
    b.shot("sorted-by-score")

    # A row expands to every link its page has for apple.com.
    row = max(rows, key=lambda r: (len(r["links"]), r["referring_url"]))
    named = page.get_by_role("link", name=row["referring_url"], exact=True)
    line = page.locator("#check-table tbody tr:not(.detail)", has=named)
    toggle = line.locator("button.expand")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    detail = page.locator("tr.detail .link-list li")
    expect(detail).to_have_count(len(row["links"]))
    for link in row["links"]:
        expect(page.locator("tr.detail").get_by_role("link", name=link["target_url"], exact=True).first).to_be_visible()
    b.shot("row-expanded")

    # The CSV download is the API's CSV, row for row.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "backlinks-apple.com.csv"
    downloaded = Path(download.value.path()).read_bytes().decode("utf-8")
    api_csv = system.http.get("/api/v1/backlinks.csv", params={"domain": "apple.com"}).text
    assert downloaded == api_csv
    assert [line["referring_url"] for line in csv.DictReader(io.StringIO(downloaded))] == \
        [r["referring_url"] for r in rows]

    # Save the report; the share link copies and opens the report page.
    page.get_by_role("button", name="Save report").click()
    share = page.get_by_label("Share link")
    expect(share).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/reports/[\w-]{16,}$"))
    expect(page.get_by_role("button", name="Saved")).to_be_disabled()
    share_url = share.input_value()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#check-copy-status")).to_have_text(re.compile(r"^(Link copied\.|Press Ctrl\+C)"))
    b.shot("saved")
    with b.context.expect_page() as opened:
        page.get_by_role("link", name="Open report").click()
    report = opened.value
    report.wait_for_load_state()
    assert report.url == share_url
    expect(report.locator("h1")).to_have_text("apple.com")
    expect(report.locator("#backlinks tbody tr")).to_have_count(len(rows))
    b.shot("report", report)
    report.close()

    # Refresh: a new scan (not the cache), the same pages, and a new result to save.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/backlinks/check")) as refreshed:
        page.get_by_role("button", name="Refresh").click()
    sent = refreshed.value.request.post_data_json
    assert sent is not None and sent["refresh"] is True
    expect(page.get_by_role("button", name="Save report")).to_be_enabled()
    expect(page.locator("#check-share")).to_be_hidden()
    expect(page.locator("#check-count")).to_have_text(f"{len(rows)} referring pages")
    assert cards(page, "#check-cards")["Result"] == "Fresh"

    # Compare with theguardian.com (its check runs as a job: 202, polling, then the answer).
    if b.phone:
        page.get_by_role("tab", name="Compare").click()
    else:
        page.get_by_role("tab", name="Check").focus()
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Compare")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Domain A")).to_have_value("apple.com")
    page.get_by_label("Domain B").fill("theguardian.com")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator("#compare-title")).to_have_text("apple.com compared with theguardian.com")
    compared = system.http.post("/api/v1/backlinks/compare",
                                json={"domain_a": "apple.com", "domain_b": "theguardian.com"}).json()
    counts = compared["counts"]
    expect(page.locator("#venn-only-a")).to_have_text(str(counts["unique_a"]))
    expect(page.locator("#venn-both")).to_have_text(str(counts["overlap"]))
    expect(page.locator("#venn-only-b")).to_have_text(str(counts["unique_b"]))
    assert cards(page, "#compare-cards") == {"Linking to both": str(counts["overlap"]),
                                             "Only apple.com": str(counts["unique_a"]),
                                             "Only theguardian.com": str(counts["unique_b"])}
    expect(page.locator("#compare-only-a tbody tr")).to_have_count(counts["unique_a"])
    expect(page.locator("#compare-only-b tbody tr")).to_have_count(counts["unique_b"])
    if counts["overlap"] == 0:
        expect(page.locator("#compare-both-empty")).to_have_text("No page links to both.")
    guardian = set(page.locator("#compare-only-b td.url").all_inner_texts())
    assert {u for u in guardian} >= set(expected_rows("theguardian.com"))
    check_links_are_safe(page, "#compare-result")
    b.shot("compared")

    # New vs lost over 7 days: against the check of 8 days ago.
    page.get_by_role("tab", name="New vs lost").click()
    expect(domain_field(page, "diff")).to_have_value("apple.com")
    expect(page.get_by_label("Days")).to_have_value("7")
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator("#diff-title")).to_have_text("New and lost backlinks of apple.com")
    assert cards(page, "#diff-cards") == {"New": "3", "Lost": "2", "Unverified": "0"}
    expect(page.locator("#diff-new-list li a")).to_have_text(corpus.new)
    expect(page.locator("#diff-lost-list li a")).to_have_text(corpus.lost)
    expect(page.locator("#diff-new-list .tag").first).to_have_text("+ new")
    expect(page.locator("#diff-lost-list .tag").first).to_have_text("− lost")
    expect(page.locator("#diff-unverified")).to_be_hidden()
    new_bars = dict(zip(page.locator("#diff-new-bars .bar-name").all_inner_texts(),
                        map(int, page.locator("#diff-new-bars .bar-count").all_inner_texts()), strict=True))
    assert new_bars == {host: sum(u.split("/")[2] == host for u in corpus.new) for host in
                        {u.split("/")[2] for u in corpus.new}}
    expect(page.locator("#diff-meta")).to_contain_text("window 7 days")
    b.shot("new-vs-lost")
    assert b.problems == [], "the page runs without script errors or CSP refusals"


# ---- errors where they belong --------------------------------------------------------------------


def test_a_bad_domain_shows_its_message_under_the_field(corpus: Corpus, browsing: Browsing) -> None:
    page = browsing.page
    open_page(browsing, corpus.system)
    field = domain_field(page)
    field.fill("localhost")
    field.press("Enter")
    message = corpus.system.http.post("/api/v1/backlinks/check", json={"domain": "localhost"}).json()["error"]
    error = page.locator("#check-domain-error")
    expect(error).to_have_text(message["message"])
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert "check-domain-error" in (field.get_attribute("aria-describedby") or "").split()
    field_box, error_box = field.bounding_box(), error.bounding_box()
    assert field_box and error_box and error_box["y"] >= field_box["y"] + field_box["height"], "under the field"
    expect(page.locator("#check-result")).to_be_hidden()
    browsing.shot("bad-domain")

    # Corrected, the message goes away.
    field.fill("theguardian.com")
    field.press("Enter")
    expect(page.locator("#check-title")).to_have_text("Backlinks of theguardian.com")
    expect(error).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    assert browsing.problems == []


def test_a_link_with_a_domain_opens_with_that_domain_checked(corpus: Corpus, browsing: Browsing) -> None:
    page = browsing.page
    open_page(browsing, corpus.system, "/marketing/backlinks?domain=theguardian.com")
    expect(page.locator("#check-title")).to_have_text("Backlinks of theguardian.com")
    expect(domain_field(page)).to_have_value("theguardian.com")
    want = {r["referring_url"] for r in corpus.system.check("theguardian.com").json()["results"]}
    assert set(shown_column(page, "td.page a")) == want

    hostile = '"><script>window.pwned=1</script>'
    open_page(browsing, corpus.system, "/?" + str(httpx.QueryParams({"domain": hostile})))
    expect(domain_field(page)).to_have_value(hostile)
    expect(page.locator("#check-domain-error")).to_contain_text("invalid domain")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert browsing.problems == []


def test_a_forced_429_says_when_to_try_again(limited_system: System, browsing: Browsing) -> None:
    page = browsing.page
    open_page(browsing, limited_system)
    field = domain_field(page)
    first = f"example-{browsing.viewport}.com"  # never checked before: it costs the hour's one check
    field.fill(first)
    page.get_by_role("button", name="Check backlinks").click()
    expect(page.locator("#check-empty")).to_have_text(f"No referring pages were found for {first}.")
    expect(page.locator("#check-count")).to_have_text("0 referring pages")

    field.fill(f"example-{browsing.viewport}.org")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/backlinks/check")) as refused:
        page.get_by_role("button", name="Check backlinks").click()
    assert refused.value.status == 429
    minutes = math.ceil(int(refused.value.headers["retry-after"]) / 60)
    unit = "minute" if minutes == 1 else "minutes"
    expect(page.locator("#check-alert")).to_have_text(f"Limit reached, try again in {minutes} {unit}.")
    expect(page.get_by_role("alert").filter(has_text="Limit reached")).to_be_visible()
    browsing.shot("limit-reached")
    assert browsing.problems == []


# ---- hostile answers, a failed job, unverified pages ---------------------------------------------

HOSTILE = '<img src=x onerror="window.pwned=1">'
HOSTILE_ROWS: list[dict[str, Any]] = [
    {"referring_url": "javascript:window.pwned=2//https://evil.example/", "anchor_text": HOSTILE,
     "link_type": "dofollow", "score": 50, "target_url": "https://www.example.com/a\"><script>window.pwned=3</script>",
     "referring_domain": "evil.example", "rel": [], "link_count": 1, "note": "<b>verify</b>: could not fetch",
     "links": [{"target_url": "data:text/html,<script>window.pwned=4</script>", "anchor_text": "<svg onload=x>",
                "link_type": "dofollow", "rel": ["nofollow\"><i>"], "kind": "anchor"}],
     "first_seen": CRAWLED, "last_seen": CRAWLED},
    {"referring_url": "https://" + "very-long-label-" * 12 + ".example/" + "path/" * 30, "anchor_text": "A" * 300,
     "link_type": "nofollow", "score": None, "target_url": "https://www.example.com/", "referring_domain": "x.example",
     "rel": ["ugc"], "link_count": 1, "links": [], "first_seen": None, "last_seen": None},
]


@dataclass
class Stub:
    """Canned API answers for the browser, switched by the test as it goes."""

    job: str = "running"
    result: dict[str, Any] = field(default_factory=dict)

    def check(self, route: Route) -> None:
        route.fulfill(status=202, json={"job_id": "stubjob", "status": "queued", "poll_url": "/api/v1/jobs/stubjob"})

    def poll(self, route: Route) -> None:
        body: dict[str, Any] = {"job_id": "stubjob", "kind": "check", "status": self.job,
                                "progress": {"done": 5, "total": 17}}
        if self.job == "failed":
            body["error"] = "the link index did not answer (Redis timeout)"
        if self.job == "done":
            body["result"] = self.result
        route.fulfill(status=200, json=body)


def test_web_strings_stay_text_a_failed_job_says_why_and_unverified_pages_stand_apart(
        corpus: Corpus, browsing: Browsing) -> None:
    page = browsing.page
    stub = Stub(result={"domain": "example.com", "results": HOSTILE_ROWS, "cached": False, "scanned_at": CRAWLED})
    page.route("**/api/v1/backlinks/check", stub.check)
    page.route("**/api/v1/jobs/stubjob", stub.poll)
    open_page(browsing, corpus.system)
    field = domain_field(page)
    field.fill("example.com")
    page.get_by_role("button", name="Check backlinks").click()

    # While the job runs: a progress bar with pages done of total.
    expect(page.locator("#check-progress-text")).to_have_text("Checking example.com: 5 of 17 pages done")
    expect(page.locator("#check-progress-bar")).to_have_js_property("value", 5)
    expect(page.locator("#check-progress-bar")).to_have_js_property("max", 17)
    browsing.shot("progress")
    stub.job = "failed"
    expect(page.locator("#check-alert")).to_have_text(
        "The check failed: the link index did not answer (Redis timeout)")
    expect(page.locator("#check-progress")).to_be_hidden()
    browsing.shot("job-failed")

    # Hostile strings from the web: shown as text, never markup; only http(s) URLs are links.
    stub.job = "done"
    page.get_by_role("button", name="Check backlinks").click()
    expect(page.locator("#check-count")).to_have_text("2 referring pages")
    expect(page.locator("#check-alert")).to_be_hidden()
    first = page.locator("#check-table tbody tr").first
    expect(first.locator("td.anchor")).to_have_text(HOSTILE)
    expect(first.locator("td.page .unlinked")).to_have_text(HOSTILE_ROWS[0]["referring_url"])
    expect(first.locator("td.page .note")).to_have_text("<b>verify</b>: could not fetch")
    first.locator("button.expand").click()
    expect(page.locator("tr.detail .unlinked")).to_have_text(HOSTILE_ROWS[0]["links"][0]["target_url"])
    expect(page.locator("tr.detail q")).to_have_text("<svg onload=x>")
    assert page.locator("#check-result img, #check-result script, #check-table svg, #check-result b:not([data-count])"
                        ).count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    check_links_are_safe(page, "#check-result")
    browsing.shot("hostile-strings")

    # New vs lost: unverified pages (not fetched by the latest deep scan) stand apart.
    diff = {"domain": "example.com", "window_days": 7, "latest_ts": CRAWLED + 8 * DAY, "baseline_ts": CRAWLED,
            "counts": {"new": 1, "lost": 1, "unverified": 1},
            "new_pages": [{"referring_url": "https://news.example/new", "referring_domain": "news.example",
                           "link_type": "dofollow", "anchor_text": HOSTILE}],
            "lost_pages": [{"referring_url": "javascript:window.pwned=5", "referring_domain": "gone.example",
                            "link_type": "nofollow", "anchor_text": None}],
            "unverified_pages": [{"referring_url": "https://blocked.example/page",
                                  "referring_domain": "blocked.example", "link_type": "dofollow",
                                  "anchor_text": "still there?", "unverified": True}],
            "new_by_domain": {"news.example": 1}, "lost_by_domain": {"gone.example": 1},
            "note": ("1 page(s) could not be fetched in the latest deep scan: "
                     "they are unverified, neither kept nor lost")}
    page.route("**/api/v1/backlinks/diff", lambda route: route.fulfill(status=200, json=diff))
    page.get_by_role("tab", name="New vs lost").click()
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator("#diff-unverified-h")).to_have_text("Unverified pages (1)")
    expect(page.locator("#diff-unverified .tag")).to_have_text("? unverified")
    expect(page.locator("#diff-unverified").get_by_role("link", name="https://blocked.example/page")).to_be_visible()
    assert cards(page, "#diff-cards") == {"New": "1", "Lost": "1", "Unverified": "1"}
    expect(page.locator("#diff-note")).to_contain_text("neither kept nor lost")
    expect(page.locator("#diff-new-list q")).to_have_text(HOSTILE)
    expect(page.locator("#diff-lost-list .unlinked")).to_have_text("javascript:window.pwned=5")
    assert page.evaluate("typeof window.pwned") == "undefined"
    check_links_are_safe(page, "#diff-result")
    browsing.shot("unverified")
    assert browsing.problems == []


def test_the_page_sets_a_session_and_embeds_its_token(corpus: Corpus) -> None:
    with httpx.Client(base_url=corpus.system.http.base_url) as client:
        for path in ("/", "/marketing/backlinks"):
            response = client.get(path)
            assert response.status_code == 200
            assert "connect-src 'self'" in response.headers["content-security-policy"]
            assert "script-src 'self'" in response.headers["content-security-policy"]
            token = re.search(r'<meta name="csrf-token" content="([^"]+)">', response.text)
            assert token is not None
            assert client.get("/api/v1/csrf").json()["csrf"] == token.group(1), "the cookie's session's token"
        assert "bl_session" in client.cookies
