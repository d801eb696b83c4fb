"""Check semantics through the real system: shared jobs, include_big, snapshots, cache flags."""

import concurrent.futures
from pathlib import Path

import redis

from storage.keys import Keys
from tests.e2e.conftest import System
from tests.helpers.warcs import WarcPage, write_warc

TARGET = "behaviour-target.com"
LINK = f'<a href="https://{TARGET}/">the target</a>'.encode()
PAGES = {
    "https://blog.referrer.test/a": LINK,
    "https://www.facebook.com/somepage": LINK,
    "https://www.google.de/search-page": LINK,
    "https://old.reddit.com/r/x/comments/1": LINK,
}


def ingest_pages(system: System, tmp: Path) -> None:
    warc = write_warc(tmp / "pages.warc.gz", [WarcPage(url=u, body=b) for u, b in PAGES.items()])
    assert system.ingest(warc) == 0


def test_identical_concurrent_checks_share_one_job(system: System, tmp_path: Path, sync_redis: redis.Redis) -> None:
    ingest_pages(system, tmp_path)

    def post(_: int) -> tuple[int, dict[str, object]]:
        response = system.http.post("/api/v1/backlinks/check", json={"domain": TARGET})
        return response.status_code, response.json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    job_ids = {body["job_id"] for status, body in answers if status == 202}
    assert len(job_ids) <= 1
    keys = Keys(system.settings.namespace)
    assert len(list(sync_redis.scan_iter(keys.job("*")))) == 2  # the ingest job and one check job


def test_big_search_and_social_hosts_are_dropped_unless_include_big(system: System, tmp_path: Path) -> None:
    ingest_pages(system, tmp_path)
    plain = {r["referring_url"] for r in system.check(TARGET).json()["results"]}
    big = {r["referring_url"] for r in system.check(TARGET, include_big=True).json()["results"]}
    assert plain == {"https://blog.referrer.test/a"}
    assert big == set(PAGES)


def test_every_completed_check_stores_a_snapshot(system: System, tmp_path: Path, sync_redis: redis.Redis) -> None:
    ingest_pages(system, tmp_path)
    system.check(TARGET)
    system.check(TARGET, refresh=True)
    system.check(TARGET)  # from the cache: no new snapshot
    keys = Keys(system.settings.namespace)
    ids: list[bytes] = sync_redis.zrange(keys.snapshots(TARGET, False, False), 0, -1)  # type: ignore[assignment]
    assert len(ids) == 2
    import json

    snapshot = json.loads(sync_redis.get(keys.snapshot(ids[0].decode())) or b"{}")
    assert [row["referring_url"] for row in snapshot["rows"]] == ["https://blog.referrer.test/a"]


def test_an_unknown_target_answers_200_with_no_rows_and_a_note(system: System) -> None:
    body = system.check("never-linked-domain.com").json()
    assert body["results"] == []
    assert "ingest" in body["note"]
