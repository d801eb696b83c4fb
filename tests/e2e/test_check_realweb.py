"""The main job on real input: ingest 181 real pages, check real domains through the whole system."""

import json
from typing import Any

import pytest

from tests.conftest import ARTICLES, DATA
from tests.e2e.conftest import System

EXPECTED = DATA / "realweb" / "expected"
DOMAINS = ["theguardian.com", "apple.com", "nytimes.com"]


def expected_rows(domain: str) -> dict[str, dict[str, Any]]:
    lines = (EXPECTED / f"{domain}.jsonl").read_text().splitlines()
    return {row["referring_url"]: row for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def indexed(module_system: System) -> System:
    assert module_system.ingest(ARTICLES) == 0
    return module_system


@pytest.mark.parametrize("domain", DOMAINS)
def test_quick_scan_gives_exactly_the_expected_referring_pages(indexed: System, domain: str) -> None:
    response = indexed.check(domain)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["domain"] == domain
    got = {row["referring_url"]: row for row in body["results"]}
    want = expected_rows(domain)
    link_rows = {url: row for url, row in got.items() if row["link_type"] != "mention"}
    assert set(link_rows) == set(want), "referring pages differ"
    for url, exp in want.items():
        row = got[url]
        for field in ("target_url", "anchor_text", "link_type", "link_count"):
            assert row[field] == exp[field], f"{url}: {field}"
        assert sorted(row["rel"]) == sorted(exp["rel"]), f"{url}: rel"
        assert row["links"], "links[] lists the page's links"
        assert 0 <= row["score"] <= 100
        assert row["first_seen"] == row["last_seen"] == 1579046400 or row["first_seen"] > 0


def test_a_second_identical_check_is_answered_from_the_cache(indexed: System) -> None:
    first = indexed.check("apple.com").json()
    second = indexed.check("apple.com").json()
    assert second["cached"] is True
    assert second["results"] == first["results"]


def test_a_cache_hit_serves_the_stored_answer_with_diagnostics_only_when_asked(indexed: System) -> None:
    fresh = indexed.check("theguardian.com", debug=True, refresh=True).json()
    assert fresh["cached"] is False and fresh["diagnostics"]["sources"] == ["index"]
    plain = indexed.check("theguardian.com")
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.headers["ratelimit-limit"] == "60", "a hit still tells the caller its quota"
    hit = plain.json()
    assert hit["cached"] is True
    assert hit.get("diagnostics") is None, "diagnostics are for debug requests only"
    assert hit["results"] == fresh["results"]
    debug_response = indexed.check("theguardian.com", debug=True)
    assert debug_response.headers["ratelimit-remaining"] == plain.headers["ratelimit-remaining"], "hits are free"
    debug_hit = debug_response.json()
    assert debug_hit["cached"] is True
    assert debug_hit["diagnostics"] == fresh["diagnostics"], "the diagnostics of the run that made the answer"
    compat = indexed.http.post("/marketing/backlinks-api.php", json={"domain": "theguardian.com"}).json()
    assert compat == hit


def test_the_compatibility_path_waits_and_answers_200(indexed: System) -> None:
    response = indexed.http.post("/marketing/backlinks-api.php",
                                 json={"domain": "https://www.NYTimes.com/", "unknown_field": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["domain"] == "nytimes.com"
    assert {r["referring_url"] for r in body["results"] if r["link_type"] != "mention"} == set(
        expected_rows("nytimes.com"))


def test_debug_adds_diagnostics_naming_the_index_source(indexed: System) -> None:
    body = indexed.check("theguardian.com", debug=True, refresh=True).json()
    diag = body["diagnostics"]
    assert diag["sources"] == ["index"]
    assert diag["candidates"] >= len(expected_rows("theguardian.com"))
    assert "total" in diag["timings_ms"]


def test_wait_zero_answers_202_with_a_job_to_poll(indexed: System) -> None:
    response = indexed.http.post("/api/v1/backlinks/check", json={"domain": "bbc.co.uk", "refresh": True})
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] in ("queued", "running")
    assert accepted["poll_url"] == f"/api/v1/jobs/{accepted['job_id']}"
    import time

    for _ in range(200):
        job = indexed.http.get(accepted["poll_url"]).json()
        if job["status"] == "done":
            break
        time.sleep(0.05)
    assert job["status"] == "done"
    assert job["result"]["domain"] == "bbc.co.uk"
    assert job["progress"]["done"] == job["progress"]["total"]


