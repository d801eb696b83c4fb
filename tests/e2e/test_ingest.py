"""Ingest through the real path: CLI -> broker -> worker -> Redis index, then checks over HTTP."""

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from storage.keys import Keys
from tests.conftest import ARTICLES, DATA
from tests.e2e.conftest import System, make_settings, start_system
from tests.helpers.warcs import WarcPage, write_warc
from tests.helpers.web import running_web

CC2014 = DATA / "commoncrawl" / "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc"
PAGE_IN_BOTH = "http://0pointer.de/photos/?gallery=Australia&photo=496"


def rows_of(system: System, domain: str) -> dict[str, dict[str, Any]]:
    response = system.check(domain, refresh=True)
    assert response.status_code == 200, response.text
    return {row["referring_url"]: row for row in response.json()["results"]}


def test_the_2014_warc_and_its_wat_give_the_same_links_except_what_wat_does_not_record(
    redis_url: str, tmp_path: Path
) -> None:
    results = {}
    for name, source in (("warc", CC2014), ("wat", Path(f"{CC2014}.wat"))):
        for system in start_system(make_settings(redis_url, tmp_path / name)):
            assert system.ingest(source) == 0
            results[name] = rows_of(system, "creativecommons.org")[PAGE_IN_BOTH]
    warc, wat = results["warc"], results["wat"]
    # Same page, same links: both captures show two links to the same licence URL.
    assert [lnk["target_url"] for lnk in warc["links"]] == [lnk["target_url"] for lnk in wat["links"]] == [
        "http://creativecommons.org/licenses/by-sa/3.0/"
    ] * 2
    # What differs, and why:
    # 1. rel: this 2014 WAT records no rel attributes, so its links are "unknown", not dofollow,
    #    and the rel="license" tokens the HTML shows are missing.
    assert [lnk["link_type"] for lnk in warc["links"]] == ["dofollow", "dofollow"]
    assert [lnk["rel"] for lnk in warc["links"]] == [["license"], ["license"]]
    assert [lnk["link_type"] for lnk in wat["links"]] == ["unknown", "unknown"]
    assert [lnk["rel"] for lnk in wat["links"]] == [[], []]
    # 2. An image link: WAT keeps a link's text only (the image is a separate IMG entry), so the
    #    image's alt, which the HTML gives as anchor text, is missing.
    assert [lnk["anchor_text"] for lnk in warc["links"]] == [
        "Creative Commons License", "Creative Commons Attribution-ShareAlike 3.0 License"]
    assert [lnk["anchor_text"] for lnk in wat["links"]] == [None, "Creative Commons Attribution-ShareAlike 3.0 License"]


@pytest.fixture
def system(redis_url: str, tmp_path: Path) -> Iterator[System]:
    yield from start_system(make_settings(redis_url, tmp_path))


def test_ingesting_the_same_file_twice_changes_nothing(system: System, sync_redis: redis.Redis) -> None:
    assert system.ingest(ARTICLES) == 0
    before = rows_of(system, "apple.com")
    pages = int(sync_redis.hget(Keys(system.settings.namespace).index_stats(), "pages") or 0)
    assert system.ingest(ARTICLES) == 0
    assert rows_of(system, "apple.com") == before
    assert int(sync_redis.hget(Keys(system.settings.namespace).index_stats(), "pages") or 0) == pages == 181


def test_a_page_seen_again_replaces_its_links_and_keeps_first_seen(system: System, tmp_path: Path) -> None:
    t0, t1 = 1_700_000_000, 1_700_086_400
    url = "https://blog.referrer.test/post"
    v1 = b'<a href="https://example.com/a">A</a> <a href="https://example.com/b">B</a>'
    v2 = b'<a href="https://example.com/a">A</a> <a href="https://example.com/c">C</a>'
    assert system.ingest(write_warc(tmp_path / "v1.warc.gz", [WarcPage(url=url, body=v1, date=t0)])) == 0
    assert system.ingest(write_warc(tmp_path / "v2.warc.gz", [WarcPage(url=url, body=v2, date=t1)])) == 0
    row = rows_of(system, "example.com")[url]
    assert [lnk["target_url"] for lnk in row["links"]] == ["https://example.com/a", "https://example.com/c"]
    assert row["first_seen"] == t0 and row["last_seen"] == t1


def test_a_truncated_archive_fails_its_job_with_a_message_and_keeps_the_pages_before(
    system: System, tmp_path: Path
) -> None:
    data = ARTICLES.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    assert system.ingest(cut) == 1
    from storage.client import sync_client

    client = sync_client(system.redis_url)
    keys = Keys(system.settings.namespace)
    pages = int(client.hget(keys.index_stats(), "pages") or 0)
    client.close()
    assert 30 < pages < 181, "the pages read before the cut are indexed"
    job_errors = [j for j in _jobs(system) if j.get("error")]
    assert job_errors and "truncated" in job_errors[0]["error"]
    assert "cut.warc.gz" in job_errors[0]["error"]


def test_garbage_fails_its_job_and_the_other_files_still_ingest(system: System, tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(gzip.compress(b"this is not a warc file\n" * 100))
    good = write_warc(tmp_path / "good.warc.gz", [WarcPage(url="https://a.referrer.test/", body=b'<a href="https://example.com/">x</a>')])
    assert system.ingest(junk, good) == 1
    assert list(rows_of(system, "example.com")) == ["https://a.referrer.test/"]


def test_an_archive_served_over_http_ingests_like_the_file(system: System, tmp_path: Path) -> None:
    for web in running_web([], tmp_path / "ca.pem"):
        web.add("http://127.0.0.1/articles.warc.gz", ARTICLES.read_bytes(),
                headers=[("Content-Type", "application/warc")])
        url = f"http://127.0.0.1:{web.http_port}/articles.warc.gz"
        assert system.ingest(url) == 0
    assert len([r for r in rows_of(system, "nytimes.com").values() if r["link_type"] != "mention"]) == 4


def _jobs(system: System) -> list[dict[str, Any]]:
    import json

    from storage.client import sync_client

    client = sync_client(system.redis_url)
    keys = Keys(system.settings.namespace)
    found = [json.loads(client.get(k) or b"{}") for k in client.scan_iter(keys.job("*"))]
    client.close()
    return found
