"""A deep scan of many more referring pages than a Redis client has connections."""

from collections.abc import Iterator

import pytest

from storage.client import MAX_CONNECTIONS
from tests.e2e.conftest import System, make_settings, start_system
from tests.helpers.warcs import WarcPage, write_warc
from tests.helpers.web import LoopbackWeb, running_web

TARGET = "many-target.com"
PAGES = 6 * MAX_CONNECTIONS
HOSTS = 40


def page_url(index: int) -> str:
    return f"http://site{index % HOSTS}.many.test/p/{index}"


def page_body(index: int) -> bytes:
    return f'<html><body><a href="https://{TARGET}/p/{index}">page {index}</a></body></html>'.encode()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackWeb]:
    for server in running_web([], tmp_path_factory.mktemp("ca") / "ca.pem"):
        for index in range(PAGES):
            server.add(page_url(index), page_body(index), headers=[("Content-Type", "text/html")])
        yield server


@pytest.fixture(scope="module")
def system(redis_url: str, web: LoopbackWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    tmp = tmp_path_factory.mktemp("many")
    settings = make_settings(redis_url, tmp, fetch_connect_to=web.connect_to(), fetch_concurrency=32,
                             deep_scan_max_pages=PAGES)
    for system in start_system(settings):
        archive = write_warc(tmp / "many.warc.gz", [WarcPage(url=page_url(i), body=page_body(i)) for i in range(PAGES)])
        assert system.ingest(archive) == 0
        yield system


def test_every_one_of_hundreds_of_pages_is_fetched_and_kept(system: System) -> None:
    # Regression: every page was a task of its own, each holding a Redis connection while it
    # waited for a fetch slot; past the client's pool size the scan failed ("Too many
    # connections"), and the job stayed "running".
    response = system.check(TARGET, deep_scan=True, refresh=True, debug=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["diagnostics"]["pages_fetched"] == PAGES
    assert body["diagnostics"]["errors"] == []
    assert sorted(row["target_url"] for row in body["results"]) == sorted(
        f"https://{TARGET}/p/{i}" for i in range(PAGES))
