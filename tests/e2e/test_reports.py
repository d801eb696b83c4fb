"""Reports through the whole system: a real check of real pages, saved, shown as HTML, PNG and JSON."""

import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import pytest
import redis
from PIL import Image

from backlinks.domains import registrable_domain
from backlinks.redis_server import EmbeddedRedis
from contracts.reports import ReportSummary, StoredReport
from contracts.results import CheckResult
from storage.client import async_client
from storage.keys import Keys
from storage.reports import ReportStore
from tests.conftest import ARTICLES
from tests.e2e.conftest import System

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def apple(module_system: System) -> dict[str, Any]:
    """A real quick-scan result of apple.com from the 181 real news pages."""
    assert module_system.ingest(ARTICLES) == 0
    response = module_system.check("apple.com")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert len(result["results"]) >= 10, "the archive links to apple.com from many pages"
    return result


@contextmanager
def browser(system: System) -> Iterator[httpx.Client]:
    """A client with its own cookie jar: one browser, one session."""
    with httpx.Client(base_url=system.http.base_url, timeout=30) as client:
        yield client


def save(client: httpx.Client, domain: str, payload: dict[str, Any], path: str = "/api/v1/reports",
         **extra: object) -> httpx.Response:
    """Save as a browser would: once it holds a session cookie, with the session's CSRF token."""
    headers = {}
    if client.cookies.get("bl_session"):
        headers["X-CSRF-Token"] = client.get("/api/v1/csrf").json()["csrf"]
    return client.post(path, json={"domain": domain, "payload": payload, **extra}, headers=headers)


def saved_id(client: httpx.Client, domain: str, payload: dict[str, Any]) -> str:
    response = save(client, domain, payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["url"] == f"/reports/{body['id']}"
    return str(body["id"])


def page(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def stat(tree: Any, name: str) -> int:
    return int(tree.xpath(f'//*[@data-stat="{name}"]/dd/text()')[0])


def table_rows(tree: Any) -> list[dict[str, str]]:
    """The report table as the page shows it, with each cell's sort key."""
    names = ["referring_url", "anchor_text", "link_type", "score", "target_url", "first_seen", "last_seen"]
    rows = []
    for tr in tree.xpath('//table[@id="backlinks"]/tbody/tr'):
        cells = tr.xpath("./td")
        assert len(cells) == len(names)
        row = {name: cell.get("data-sort") for name, cell in zip(names, cells, strict=True)}
        row["link_type"] = cells[2].text_content().strip()
        rows.append(row)
    return rows


def expected_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    return [{"referring_url": r["referring_url"], "anchor_text": text(r["anchor_text"]), "link_type": r["link_type"],
             "score": text(r["score"]), "target_url": text(r["target_url"]), "first_seen": text(r["first_seen"]),
             "last_seen": text(r["last_seen"])} for r in result["results"]]


def hostile_payload() -> dict[str, Any]:
    rows = [
        {"referring_url": "javascript:alert(1)", "anchor_text": HOSTILE, "link_type": "dofollow",
         "target_url": "https://example.com/"},
        {"referring_url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "anchor_text": "x",
         "link_type": "nofollow", "target_url": "JaVaScRiPt:alert(1)"},
        {"referring_url": f"https://evil.test/{HOSTILE}", "anchor_text": '"><img src=x onerror=alert(1)>',
         "link_type": "mention", "target_url": " javascript:alert(1)", "referring_domain": "<b onmouseover=x>evil"},
        {"referring_url": "java\tscript:alert(1)", "anchor_text": None, "link_type": "unknown",
         "target_url": "data:text/html,<script>alert(1)</script>", "note": HOSTILE},
    ]
    return {"domain": "example.com", "results": rows, "scanned_at": 1_700_000_000, "note": HOSTILE}


def test_a_saved_report_page_shows_the_check_results_counts_and_rows(module_system: System,
                                                                    apple: dict[str, Any]) -> None:
    with browser(module_system) as client:
        report_id = saved_id(client, "apple.com", apple)
        response = client.get(f"/reports/{report_id}")
    tree = lxml.html.fromstring(response.text)
    counts = Counter(row["link_type"] for row in apple["results"])
    for link_type in ("dofollow", "nofollow", "mention", "unknown"):
        assert stat(tree, link_type) == counts[link_type], link_type
        bar = tree.xpath(f'//svg[@id="type-chart"]//g[@data-link-type="{link_type}"]')[0]
        assert bar.get("data-count") == str(counts[link_type])
        assert link_type in bar.text_content(), "each bar is labelled, not told apart by colour alone"
    assert stat(tree, "referring_pages") == len(apple["results"])
    domains = Counter(registrable_domain(row["referring_domain"]) for row in apple["results"])
    assert stat(tree, "referring_domains") == len(domains)
    top = [(li.xpath('./span[@class="domain"]')[0].text, int(li.xpath('./span[@class="count"]')[0].text))
           for li in tree.xpath('//ol[@class="top-domains"]/li')]
    assert top == sorted(domains.items(), key=lambda p: (-p[1], p[0]))[:10]
    assert table_rows(tree) == expected_rows(apple)
    assert tree.xpath('//h1[@id="domain"]')[0].text == "apple.com"
    assert "UTC" in tree.xpath('//time[@id="scanned"]')[0].text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert [s.get("src") for s in tree.xpath("//script")] == ["/static/reports.js"], "no inline script"


def test_the_report_page_carries_open_graph_and_twitter_tags_with_an_absolute_image(
        module_system: System, apple: dict[str, Any]) -> None:
    with browser(module_system) as client:
        report_id = saved_id(client, "apple.com", apple)
        tree = page(client, f"/reports/{report_id}")
    base = str(module_system.http.base_url).rstrip("/")

    def meta(attr: str, name: str) -> str:
        return str(tree.xpath(f'//meta[@{attr}="{name}"]/@content')[0])

    assert meta("property", "og:image") == f"{base}/reports/{report_id}/og.png"
    assert meta("property", "og:url") == f"{base}/reports/{report_id}"
    assert "apple.com" in meta("property", "og:title")
    assert f"{len(apple['results'])} referring pages" in meta("property", "og:description")
    assert meta("name", "twitter:card") == "summary_large_image"
    assert meta("name", "twitter:image") == meta("property", "og:image")


def test_the_open_graph_image_is_a_1200x630_png_cached_in_redis(module_system: System, apple: dict[str, Any],
                                                                sync_redis: redis.Redis) -> None:
    with browser(module_system) as client:
        report_id = saved_id(client, "apple.com", apple)
        key = Keys(module_system.settings.namespace).report_image(report_id)
        assert not sync_redis.exists(key)
        first = client.get(f"/reports/{report_id}/og.png")
        assert first.status_code == 200
        assert first.headers["content-type"] == "image/png"
        assert "max-age" in first.headers["cache-control"]
        image = Image.open(io.BytesIO(first.content))
        assert (image.format, image.size) == ("PNG", (1200, 630))
        assert sync_redis.get(key) == first.content
        assert client.get(f"/reports/{report_id}/og.png").content == first.content


def test_the_json_endpoint_returns_the_saved_payload(module_system: System, apple: dict[str, Any]) -> None:
    with browser(module_system) as client:
        report_id = saved_id(client, "https://www.Apple.com/", apple)
        response = client.get(f"/api/v1/reports/{report_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["report_id"] == report_id
    assert body["domain"] == "apple.com"
    assert body["payload"]["results"] == apple["results"]
    assert {k: body["payload"][k] for k in ("domain", "scanned_at", "deep_scan", "note")} == {
        k: apple[k] for k in ("domain", "scanned_at", "deep_scan", "note")}
    assert "session_id" not in body, "the saver's session cookie never leaves the server"


def test_a_payload_of_another_domain_is_a_400_domain_mismatch(module_system: System, apple: dict[str, Any]) -> None:
    response = save(module_system.http, "nytimes.com", apple)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "domain_mismatch"
    assert "nytimes.com" in response.json()["error"]["message"]


def test_an_invalid_domain_is_a_400_invalid_domain(module_system: System, apple: dict[str, Any]) -> None:
    response = save(module_system.http, "localhost", {**apple, "domain": "localhost"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_domain"


def test_an_invalid_payload_is_a_400_naming_the_problem(module_system: System, apple: dict[str, Any]) -> None:
    bad_row = {**apple["results"][0], "link_type": "sponsored-ish"}
    response = save(module_system.http, "apple.com", {**apple, "results": [bad_row]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "payload.results[0].link_type" in error["message"]
    missing = save(module_system.http, "apple.com", {"domain": "apple.com"})
    assert missing.status_code == 400
    assert "results" in missing.json()["error"]["message"]


def test_unknown_fields_are_refused_on_v1_and_ignored_on_the_compatibility_path(
        module_system: System, apple: dict[str, Any]) -> None:
    refused = save(module_system.http, "apple.com", apple, title="mine")
    assert refused.status_code == 400
    assert "title" in refused.json()["error"]["message"]
    accepted = save(module_system.http, "apple.com", apple, path="/marketing/backlinks-report-save.php", title="mine")
    assert accepted.status_code == 200, accepted.text


def test_a_payload_over_the_row_cap_is_a_400(module_system: System) -> None:
    rows = [{"referring_url": f"https://a{i}.test/", "anchor_text": None, "link_type": "unknown"}
            for i in range(module_system.settings.max_results + 1)]
    response = save(module_system.http, "apple.com", {"domain": "apple.com", "results": rows})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_rows"


def test_a_body_over_the_size_cap_is_a_413(module_system: System) -> None:
    filler = "x" * (module_system.settings.max_body_bytes + 1)
    response = save(module_system.http, "apple.com", {"domain": "apple.com", "results": [], "note": filler})
    assert response.status_code == 413


def test_an_unknown_report_is_a_404_everywhere(module_system: System) -> None:
    http = module_system.http
    html = http.get("/reports/AAAAAAAAAAAAAAAAAAAAAA")
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert "Report not found" in html.text
    assert http.get("/api/v1/reports/AAAAAAAAAAAAAAAAAAAAAA").json()["error"]["code"] == "report_not_found"
    assert http.get("/reports/AAAAAAAAAAAAAAAAAAAAAA/og.png").status_code == 404
    assert http.get("/reports/..%2F..%2Fsession").status_code == 404
    assert http.get("/marketing/backlinks-report.php", params={"id": "nope"}).status_code == 404
    assert http.get("/marketing/og-backlinks.php", params={"id": "nope"}).status_code == 404


def test_hostile_strings_in_a_payload_render_inert(module_system: System) -> None:
    with browser(module_system) as client:
        report_id = saved_id(client, "example.com", hostile_payload())
        response = client.get(f"/reports/{report_id}")
        listing = client.get("/reports")
    for html in (response.text, listing.text):
        tree = lxml.html.fromstring(html)
        assert [s.get("src") for s in tree.xpath("//script")] in ([], ["/static/reports.js"])
        assert not tree.xpath("//img | //iframe | //object | //embed | //b")
        assert not [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")]
    tree = lxml.html.fromstring(response.text)
    hrefs = [h.strip().lower().replace("\t", "") for h in tree.xpath("//@href | //@src")]
    assert not [h for h in hrefs if h.startswith(("javascript:", "data:", "vbscript:"))]
    links = tree.xpath('//table[@id="backlinks"]//a')
    assert [a.get("href") for a in links] == ["https://example.com/", f"https://evil.test/{HOSTILE}"]
    for a in links:
        assert set(a.get("rel").split()) >= {"nofollow", "noopener"}
        assert a.get("target") == "_blank"
    text = tree.text_content()
    for shown in (HOSTILE, "javascript:alert(1)", "JaVaScRiPt:alert(1)", '"><img src=x onerror=alert(1)>',
                  "data:text/html,<script>alert(1)</script>"):
        assert shown in text, f"{shown!r} is shown as text"
    assert "<script>alert" not in response.text, "the raw markup never reaches the page unescaped"


def test_the_list_shows_this_sessions_reports_and_not_another_sessions(module_system: System,
                                                                      apple: dict[str, Any]) -> None:
    with browser(module_system) as alice, browser(module_system) as bob, browser(module_system) as nobody:
        first = save(alice, "apple.com", apple)
        assert first.status_code == 201
        cookie = first.headers["set-cookie"]
        assert "bl_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        second = save(alice, "apple.com", apple)
        assert "set-cookie" not in second.headers, "the session exists now: no new cookie"
        alices = [first.json()["id"], second.json()["id"]]
        bobs = [saved_id(bob, "apple.com", apple)]

        listed = alice.get("/api/v1/reports").json()["reports"]
        assert {r["id"] for r in listed} == set(alices)
        assert listed[0] == {**listed[0], "domain": "apple.com", "referring_pages": len(apple["results"])}
        assert [r["id"] for r in bob.get("/api/v1/reports").json()["reports"]] == bobs
        assert nobody.get("/api/v1/reports").json() == {"reports": []}
        assert "set-cookie" not in nobody.get("/reports").headers

        tree = page(alice, "/reports")
        ids = {tr.get("data-report-id") for tr in tree.xpath('//table[@id="reports"]/tbody/tr')}
        assert ids == set(alices)
        assert page(nobody, "/reports").xpath('//p[@class="empty"]')


def test_the_compatibility_paths_answer_like_v1(module_system: System, apple: dict[str, Any]) -> None:
    with browser(module_system) as client:
        saved = save(client, "apple.com", apple, path="/marketing/backlinks-report-save.php")
        assert saved.status_code == 200
        report_id = saved.json()["id"]
        assert saved.json()["url"] == f"/reports/{report_id}"

        compat_page = page(client, f"/marketing/backlinks-report.php?id={report_id}")
        assert table_rows(compat_page) == table_rows(page(client, f"/reports/{report_id}")) == expected_rows(apple)

        listed = client.get("/marketing/backlinks-reports.php")
        assert listed.status_code == 200
        assert [r["id"] for r in listed.json()["reports"]] == [report_id]
        html = client.get("/marketing/backlinks-reports.php", headers={"Accept": "text/html"})
        assert html.headers["content-type"].startswith("text/html") and report_id in html.text

        image = client.get("/marketing/og-backlinks.php", params={"id": report_id})
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == client.get(f"/reports/{report_id}/og.png").content


async def test_a_report_survives_a_restart_of_the_embedded_redis(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.start()
    payload = CheckResult(domain="example.com", results=[], scanned_at=1_700_000_000)
    report = StoredReport(report_id="R" * 22, domain="example.com", payload=payload, saved_at=1_700_000_100)
    summary = ReportSummary(id=report.report_id, url="/reports/" + report.report_id, domain="example.com",
                            saved_at=report.saved_at, scanned_at=payload.scanned_at, referring_pages=0,
                            referring_domains=0, counts={})
    keys = Keys("restart")
    try:
        client = async_client(server.url)
        await ReportStore(client, keys).save(report, summary)
        await client.aclose()
        server.stop()
        assert not server.running()
        server.start()
        client = async_client(server.url)
        store = ReportStore(client, keys)
        assert await store.get(report.report_id) == report
        assert await store.summaries([report.report_id, "unknown-id-0000"]) == [summary]
        assert await store.recent_ids() == [report.report_id]
        assert await client.ttl(keys.report(report.report_id)) == -1, "reports never expire"
        await client.aclose()
    finally:
        server.stop()
