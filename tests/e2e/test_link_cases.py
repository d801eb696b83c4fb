"""Every shared link case through both real paths of the product.

(a) live: the page is served on loopback under its own URL with its own headers or exact bytes,
    found as a candidate (seed file) and deep-scanned through the gateway;
(b) archive: the page is packed into a WARC with its URL and headers, ingested, then quick-scanned.
The file is read at collection time, so a case added later is tested without code changes.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from backlinks.target import normalize_target
from tests.e2e.conftest import System, make_settings, start_system
from tests.helpers.cases import case_body, load_cases, problems
from tests.helpers.warcs import WarcPage, write_warc
from tests.helpers.web import LoopbackWeb, running_web

CASES = load_cases()


def target_of(case: dict[str, Any]) -> str:
    return normalize_target(case["target_domain"])


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackWeb]:
    hosts = sorted({urlsplit(c["page_url"]).hostname or "" for c in CASES})
    for server in running_web(hosts, tmp_path_factory.mktemp("ca") / "ca.pem"):
        for case in CASES:
            server.add(case["page_url"], case_body(case), headers=[tuple(h) for h in case["http_headers"]])
        yield server


class Results:
    """Check results per target, computed once per path."""

    def __init__(self, system: System, **flags: object) -> None:
        self.system = system
        self.flags = flags
        self.by_target: dict[str, dict[str, Any]] = {}

    def links(self, case: dict[str, Any]) -> list[dict[str, Any]]:
        target = target_of(case)
        if target not in self.by_target:
            response = self.system.check(target, **self.flags)
            assert response.status_code == 200, response.text
            self.by_target[target] = {row["referring_url"]: row for row in response.json()["results"]}
        row = self.by_target[target].get(case["page_url"])
        return list(row["links"]) if row else []


@pytest.fixture(scope="module")
def live(redis_url: str, web: LoopbackWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Results]:
    tmp = tmp_path_factory.mktemp("live")
    seeds = tmp / "seeds.txt"
    seeds.write_text("".join(f"{target_of(c)} {c['page_url']}\n" for c in CASES))
    # The body cap is raised to Googlebot's 15 MB: size-01 hides its link after 10.5 MB of text.
    # With the default 5 MB cap such a page is refused, and says so (test_deep_scan covers that).
    settings = make_settings(redis_url, tmp, sources=["seeds"], seed_file=str(seeds),
                             fetch_connect_to=web.connect_to(), fetch_ca_bundle=str(web.ca_path),
                             fetch_max_body_bytes=15_000_000)
    for system in start_system(settings):
        yield Results(system, deep_scan=True, debug=True)


@pytest.fixture(scope="module")
def archived(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Results]:
    tmp = tmp_path_factory.mktemp("archived")
    pages = [WarcPage(url=c["page_url"], body=case_body(c), headers=[tuple(h) for h in c["http_headers"]])
             for c in CASES]
    warc = write_warc(tmp / "cases.warc.gz", pages)
    for system in start_system(make_settings(redis_url, tmp)):
        assert system.ingest(warc) == 0
        yield Results(system)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case_served_live_and_deep_scanned_gives_the_expected_links(live: Results, case: dict[str, Any]) -> None:
    assert problems(case, live.links(case)) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case_archived_ingested_and_quick_scanned_gives_the_expected_links(
    archived: Results, case: dict[str, Any]
) -> None:
    assert problems(case, archived.links(case)) == []


def test_live_rows_come_from_fetched_pages(live: Results) -> None:
    case = CASES[0]
    live.links(case)
    row = live.by_target[target_of(case)][case["page_url"]]
    assert row["source"] == "live"


