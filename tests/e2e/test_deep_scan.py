"""Deep scans: real pages served on loopback under their own URLs, fetched through the whole system."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import ARTICLES
from tests.e2e.conftest import System, make_settings, start_system
from tests.e2e.test_check_realweb import expected_rows
from tests.helpers.warcs import WarcPage, read_warc, write_warc
from tests.helpers.web import LoopbackWeb, running_web

TARGET = "deep-target.com"
HOSTILE = {
    "ok": "https://ok.referrer.test/post",
    "loop": "https://loop.referrer.test/a",
    "big": "https://big.referrer.test/page",
    "slow": "https://slow.referrer.test/page",
    "robots": "https://robots.referrer.test/private/page",
    "gone": "https://gone.referrer.test/page",
    "error": "https://error.referrer.test/page",
}


def linking_page(label: str) -> bytes:
    return f'<html><body><p>{label}: <a href="https://www.{TARGET}/{label}">{label} link</a></p></body></html>'.encode()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackWeb]:
    pages = list(read_warc(ARTICLES))
    urls = [p.url for p in pages] + list(HOSTILE.values())
    hosts = sorted({urlsplit(u).hostname or "" for u in urls})
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    for server in running_web(hosts, ca):
        for page in pages:
            server.add(page.url, page.body, headers=[h for h in page.headers if h[0].lower() == "content-type"])
        server.add(HOSTILE["ok"], linking_page("ok"))
        server.add(HOSTILE["loop"], redirect_to="https://loop.referrer.test/b")
        server.add("https://loop.referrer.test/b", redirect_to="https://loop.referrer.test/a")
        server.add(HOSTILE["big"], b"<html><body>" + b"x" * (10 * 1024 * 1024) + b"</body></html>")
        server.add(HOSTILE["slow"], linking_page("slow"), delay_s=4.0)
        server.add("https://robots.referrer.test/robots.txt", "User-agent: *\nDisallow: /private/\n",
                   headers=[("Content-Type", "text/plain")])
        server.add(HOSTILE["robots"], linking_page("robots"))
        server.add(HOSTILE["gone"], b"<html><body><p>The link was removed.</p></body></html>")
        server.add(HOSTILE["error"], b"oops", status=500)
        yield server


@pytest.fixture(scope="module")
def deep_system(redis_url: str, web: LoopbackWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    tmp = tmp_path_factory.mktemp("deep")
    settings = make_settings(redis_url, tmp, fetch_connect_to=web.connect_to(),
                             fetch_ca_bundle=str(web.ca_path),
                             fetch_total_timeout_s=2.0, fetch_concurrency=16)
    for system in start_system(settings):
        pages = [WarcPage(url=u, body=linking_page(k)) for k, u in HOSTILE.items()]
        hostile = write_warc(tmp / "hostile.warc.gz", pages)
        assert system.ingest(ARTICLES, hostile) == 0
        yield system


def test_deep_scan_of_real_pages_gives_the_expected_rows(deep_system: System) -> None:
    body = deep_system.check("apple.com", deep_scan=True, debug=True).json()
    want = expected_rows("apple.com")
    rows = {r["referring_url"]: r for r in body["results"] if r["link_type"] != "mention"}
    assert set(rows) == set(want)
    for url, exp in want.items():
        for field in ("target_url", "anchor_text", "link_type", "link_count"):
            assert rows[url][field] == exp[field], f"{url}: {field}"
        assert rows[url]["source"] == "live"
        assert rows[url]["note"] is None
    assert body["diagnostics"]["pages_fetched"] >= len(want)


def test_hostile_servers_end_cleanly_and_unreachable_pages_keep_their_indexed_rows(deep_system: System) -> None:
    response = deep_system.check(TARGET, deep_scan=True, debug=True)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {r["referring_url"]: r for r in body["results"]}
    assert rows[HOSTILE["ok"]]["source"] == "live"
    assert rows[HOSTILE["ok"]]["note"] is None
    assert HOSTILE["gone"] not in rows, "a fetched page without the link is lost, not a result"
    for label in ("loop", "big", "slow", "robots", "error"):
        row = rows[HOSTILE[label]]
        assert row["note"].startswith("verify"), label
        assert row["source"] == "index"
    diag = body["diagnostics"]
    errors = "\n".join(diag["errors"])
    assert diag["robots_refusals"] == 1
    assert "redirect" in errors
    assert "HTTP 500" in errors
    assert "5000000" in errors or "body" in errors
    assert "timeout" in errors.lower() or "timed out" in errors.lower()
    assert any("lost" in e for e in diag["events"])
    assert body["note"] and "could not be fetched" in body["note"]


def test_a_real_page_answering_500_keeps_its_indexed_row_and_is_unverified_not_lost(
    deep_system: System, web: LoopbackWeb
) -> None:
    before = deep_system.check("nytimes.com", deep_scan=True).json()
    url = sorted(expected_rows("nytimes.com"))[0]
    assert url in {r["referring_url"] for r in before["results"]}
    web.add(url, b"server error", status=500)
    body = deep_system.check("nytimes.com", deep_scan=True, refresh=True).json()
    rows = {r["referring_url"]: r for r in body["results"]}
    assert rows[url]["note"].startswith("verify")
    assert "HTTP 500" in rows[url]["note"]
    assert rows[url]["link_type"] == expected_rows("nytimes.com")[url]["link_type"]
    diff = deep_system.http.post("/api/v1/backlinks/diff",
                                 json={"domain": "nytimes.com", "days": 1, "deep_scan": True}).json()
    assert diff["lost_pages"] == []
    assert [r["referring_url"] for r in diff["unverified_pages"]] == [url]
    assert diff["counts"] == {"new": 0, "lost": 0, "unverified": 1}
