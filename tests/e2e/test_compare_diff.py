"""Compare and new-vs-lost on real data, through the gateway, the broker, the worker and Redis."""

import asyncio
import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from storage.client import async_client
from storage.keys import Keys
from storage.snapshots import SnapshotStore
from tests.conftest import ARTICLES
from tests.e2e.conftest import System
from tests.e2e.test_check_realweb import expected_rows
from tests.helpers.warcs import WarcPage, read_warc, write_warc
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.policy import links_for_target

DAY = 86_400


@pytest.fixture(scope="module")
def indexed(module_system: System) -> System:
    assert module_system.ingest(ARTICLES) == 0
    return module_system


def link_urls(rows: list[dict[str, object]]) -> set[str]:
    return {str(r["referring_url"]) for r in rows}


def test_compare_of_apple_and_the_guardian_has_no_page_linking_to_both(indexed: System) -> None:
    body = indexed.http.post("/api/v1/backlinks/compare",
                             json={"domain_a": "apple.com", "domain_b": "theguardian.com"}).json()
    assert body["overlap"] == []
    assert {u for u in link_urls(body["unique_a"])} >= set(expected_rows("apple.com"))
    assert {u for u in link_urls(body["unique_b"])} >= set(expected_rows("theguardian.com"))
    assert body["counts"]["overlap"] == 0


def test_compare_of_the_guardian_and_nytimes_gives_exactly_the_pages_linking_to_both(indexed: System) -> None:
    body = indexed.http.post("/api/v1/backlinks/compare",
                             json={"domain_a": "theguardian.com", "domain_b": "nytimes.com", "debug": True}).json()
    both = set(expected_rows("theguardian.com")) & set(expected_rows("nytimes.com"))
    assert link_urls(body["overlap"]) == both
    for row in body["overlap"]:
        assert row["target_url"].startswith("https://www.theguardian.com/")
        assert row["b"]["target_url"].startswith("https://www.nytimes.com/")
    assert link_urls(body["unique_a"]) == set(expected_rows("theguardian.com")) - both
    assert {u for u in link_urls(body["unique_b"])} == set(expected_rows("nytimes.com")) - both
    assert body["overlap_domains"] == {"digg.com": 1, "www.smithsonianmag.com": 1, "www.wired.com": 1}
    assert body["counts"] == {"overlap": 3, "unique_a": 3, "unique_b": 1, "overlap_domains": 3,
                              "unique_a_domains": 3, "unique_b_domains": 1}
    assert set(body["diagnostics"]) == {"theguardian.com", "nytimes.com"}


def test_compare_as_csv_has_a_set_column(indexed: System) -> None:
    response = indexed.http.post("/api/v1/backlinks/compare", headers={"Accept": "text/csv"},
                                 json={"domain_a": "theguardian.com", "domain_b": "nytimes.com"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["set"] for r in rows} == {"overlap", "only_a", "only_b"}
    assert sum(r["set"] == "overlap" for r in rows) == 6  # 3 pages, one line per side


def test_the_same_target_twice_is_a_400(indexed: System) -> None:
    response = indexed.http.post("/api/v1/backlinks/compare",
                                 json={"domain_a": "apple.com", "domain_b": "www.Apple.com"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "same_domain"


def test_the_compatibility_compare_path_answers_200(indexed: System) -> None:
    response = indexed.http.post("/marketing/backlinks-compare-api.php",
                                 json={"domain_a": "theguardian.com", "domain_b": "nytimes.com", "x": 1})
    assert response.status_code == 200
    assert response.json()["counts"]["overlap"] == 3


def edit_links(html: bytes, remove_to: str) -> bytes:
    """The page with every link to `remove_to` pointed elsewhere."""
    pattern = rb'href="https?://[^"]*' + re.escape(remove_to.encode()) + rb'[^"]*"'
    return re.sub(pattern, b'href="https://example.org/"', html)


def test_new_and_lost_pages_after_a_second_crawl_with_links_removed_and_added(indexed: System, tmp_path: Path) -> None:
    first = indexed.check("apple.com", refresh=True).json()
    pages = list(read_warc(ARTICLES))
    # Two pages whose links to apple.com all go (pages that also name apple.com in text stay).
    removed = sorted(p.url for p in pages if p.url in expected_rows("apple.com")
                     and not apple_links(p.url, edit_links(p.body, "apple.com")))[:2]
    assert len(removed) == 2
    others = sorted(p.url for p in pages if p.url not in expected_rows("apple.com")
                    and p.url not in link_urls(first["results"]))
    added = others[:3]
    second = []
    for page in pages:
        body = page.body
        if page.url in removed:
            body = edit_links(body, "apple.com")
        if page.url in added:
            body = body.replace(b"</body>", b'<a href="https://www.apple.com/newsroom/">Apple newsroom</a></body>', 1)
        second.append(WarcPage(url=page.url, body=body, headers=page.headers, date=1_579_046_400 + DAY))
    assert indexed.ingest(write_warc(tmp_path / "second.warc.gz", second)) == 0
    latest = indexed.check("apple.com", refresh=True).json()
    move_first_snapshot_back(indexed, "apple.com", latest["scanned_at"] - DAY - 60)

    response = indexed.http.post("/api/v1/backlinks/diff", json={"domain": "apple.com", "days": 1})
    assert response.status_code == 200, response.text
    diff = response.json()
    assert sorted(link_urls(diff["new_pages"])) == added
    assert sorted(link_urls(diff["lost_pages"])) == removed
    assert diff["counts"] == {"new": 3, "lost": 2, "unverified": 0}
    assert diff["new_by_domain"] == dict(Counter(u.split("/")[2] for u in added))
    assert diff["lost_by_domain"] == dict(Counter(u.split("/")[2] for u in removed))
    assert diff["latest_ts"] == latest["scanned_at"]
    assert diff["baseline_ts"] == latest["scanned_at"] - DAY - 60
    as_csv = indexed.http.post("/api/v1/backlinks/diff", json={"domain": "apple.com", "days": 1},
                               headers={"Accept": "text/csv"}).text
    changes = [r["change"] for r in csv.DictReader(io.StringIO(as_csv))]
    assert sorted(changes) == ["lost", "lost", "new", "new", "new"]


def apple_links(url: str, body: bytes) -> list[object]:
    text, encoding = decode_body(body, "text/html")
    return list(links_for_target(parse_page(text, url, encoding=encoding), "apple.com"))


def move_first_snapshot_back(system: System, domain: str, taken_at: int) -> None:
    """The documented test hook: SnapshotStore.retime moves a snapshot in time."""

    async def run() -> None:
        client = async_client(system.redis_url)
        store = SnapshotStore(client, Keys(system.settings.namespace), system.settings.snapshot_keep_s)
        first_id = (await store.ids(domain, False, False))[0][0]
        snapshot = await store.get(first_id)
        assert snapshot is not None
        await store.retime(snapshot, taken_at)
        await client.aclose()

    asyncio.run(run())


@pytest.mark.parametrize("days", [0, 91, 1.5, "7", True, None])
def test_days_outside_1_to_90_or_not_an_integer_is_a_400(indexed: System, days: object) -> None:
    response = indexed.http.post("/api/v1/backlinks/diff", json={"domain": "apple.com", "days": days})
    assert response.status_code == 400
    assert "days" in response.json()["error"]["message"]


def test_no_snapshot_is_a_404_or_an_empty_200_with_soft(indexed: System) -> None:
    hard = indexed.http.post("/api/v1/backlinks/diff", json={"domain": "never-checked.com"})
    assert hard.status_code == 404
    assert hard.json()["error"]["code"] == "no_snapshots"
    soft = indexed.http.post("/api/v1/backlinks/diff", json={"domain": "never-checked.com", "soft": True})
    assert soft.status_code == 200
    body = soft.json()
    assert body["new_pages"] == body["lost_pages"] == [] and "no snapshot" in body["note"]


def test_one_snapshot_only_is_an_empty_200_saying_so(indexed: System) -> None:
    indexed.check("bbc.co.uk")
    body = indexed.http.post("/marketing/backlinks-diff-api.php", json={"domain": "bbc.co.uk", "extra": 1}).json()
    assert body["new_pages"] == [] and body["lost_pages"] == []
    assert "only one snapshot" in body["note"]


def test_csv_of_a_cached_check_neutralises_formulas(indexed: System) -> None:
    indexed.check("nytimes.com")
    response = indexed.http.get("/api/v1/backlinks.csv", params={"domain": "nytimes.com"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert link_urls([r for r in rows if r["link_type"] != "mention"]) == set(expected_rows("nytimes.com"))
    missing = indexed.http.get("/api/v1/backlinks.csv", params={"domain": "nytimes.com", "deep_scan": "true"})
    assert missing.status_code == 404
    assert "POST /api/v1/backlinks/check" in missing.json()["error"]["message"]


def test_accept_text_csv_on_check_answers_csv(indexed: System) -> None:
    response = indexed.http.post("/api/v1/backlinks/check", json={"domain": "theguardian.com", "wait": 60},
                                 headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    header = response.text.splitlines()[0]
    assert header.startswith("referring_url,referring_domain,anchor_text,link_type,score")
