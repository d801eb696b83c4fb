"""The scan pipeline: discover candidates -> (deep: fetch -> extract) -> rows -> score."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec
import redis.asyncio as aioredis

from backlinks.settings import Settings
from contracts.jobs import ScanMessage
from contracts.results import CheckResult, Diagnostics, Row
from storage.index import IndexReader
from storage.keys import Keys
from workers.bighosts import is_big_host
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.policy import external_link_count, links_for_target
from workers.extract.urls import url_host
from workers.fetch.fetcher import Fetcher
from workers.rows import build_row, row_from_record
from workers.score import score
from workers.sources import Candidate, SourceContext, load_sources

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a deep scan learnt from one live page."""

    row: Row | None
    external_links: int


async def run_scan(
    settings: Settings, client: aioredis.Redis, message: ScanMessage, progress: ProgressFn
) -> CheckResult:
    """Run one check and return its result (not yet stored)."""
    started = time.perf_counter()
    keys = Keys(settings.namespace)
    diag = Diagnostics()
    target = message.domain
    candidates = await _discover(settings, SourceContext(client, keys), target, diag)
    diag.timings_ms["discover"] = _ms(started)
    await progress(0, len(candidates))
    if message.deep_scan:
        scored = await _deep(settings, client, target, candidates, diag, progress, message.refresh)
    else:
        scored = [(row, c.record.external_links if c.record else None) for c in candidates
                  if (row := _indexed_row(c, target)) is not None]
        await progress(len(candidates), len(candidates))
    rows = await _finish_rows(settings, client, keys, scored, message.include_big)
    diag.timings_ms["total"] = _ms(started)
    return CheckResult(
        domain=target,
        results=rows,
        note=_note(rows, candidates, diag, message.deep_scan),
        diagnostics=diag,
        cached=False,
        scanned_at=int(time.time()),
        deep_scan=message.deep_scan,
        include_big=message.include_big,
    )


async def _discover(settings: Settings, context: SourceContext, target: str, diag: Diagnostics) -> list[Candidate]:
    found: dict[str, Candidate] = {}
    for source in load_sources(settings, context):
        diag.sources.append(source.name)
        try:
            async for candidate in source.discover(target):
                found.setdefault(candidate.url, candidate)
        except Exception as exc:  # one broken source must not sink the scan; reported below
            log.exception("source %s failed", source.name)
            diag.errors.append(f"source {source.name}: {exc}")
        finally:
            await source.aclose()
    diag.candidates = len(found)
    return list(found.values())


#: Deep-scan tasks per fetch slot (see `_deep`).
_CREW_PER_FETCH_SLOT = 4


def across_hosts(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates dealt round the hosts (each host's first page, then each host's second...):
    the index lists a host's pages together, and a crew taking them in that order would queue on
    one host's slots while the others idle."""
    seen: dict[str, int] = {}
    keyed: list[tuple[int, int, Candidate]] = []
    for candidate in candidates:
        host = url_host(candidate.url)
        rank = seen[host] = seen.get(host, -1) + 1
        keyed.append((rank, len(keyed), candidate))
    keyed.sort(key=lambda item: item[:2])
    return [candidate for _, _, candidate in keyed]


def _indexed_row(candidate: Candidate, target: str, note: str | None = None) -> Row | None:
    return row_from_record(candidate.record, target, note=note) if candidate.record else None


async def _deep(
    settings: Settings,
    client: aioredis.Redis,
    target: str,
    candidates: list[Candidate],
    diag: Diagnostics,
    progress: ProgressFn,
    refresh: bool,
) -> list[tuple[Row, int | None]]:
    fetch_started = time.perf_counter()
    candidates = candidates[: settings.deep_scan_max_pages]
    out: list[tuple[Row, int | None]] = []
    done = 0
    loop = asyncio.get_running_loop()

    async with Fetcher(settings, client) as fetcher:

        async def one(candidate: Candidate) -> None:
            nonlocal done
            result = await fetcher.fetch(candidate.url, use_cache=not refresh)
            if result.from_cache:
                diag.cache_hits += 1
            if result.page is None:
                reason = "robots.txt disallows fetching" if result.robots_refused else result.error
                if result.robots_refused:
                    diag.robots_refusals += 1
                diag.errors.append(f"{candidate.url}: {reason}")
                kept = _indexed_row(candidate, target, note=f"verify: could not fetch the page ({reason})")
                if kept is not None:
                    out.append((kept, candidate.record.external_links if candidate.record else None))
            else:
                diag.pages_fetched += 1
                page = result.page
                extracted = await loop.run_in_executor(None, _extract, candidate, page.final_url,
                                                       page.headers, page.body, target)
                if extracted.row is None:
                    diag.events.append(f"{candidate.url}: no link to {target} on the live page (lost)")
                else:
                    out.append((extracted.row, extracted.external_links))
            done += 1
            await progress(done, len(candidates))

        # A fixed crew of tasks takes the pages in order: thousands of tasks at once would each hold
        # a Redis connection (page cache, robots, host slots) while waiting for a fetch slot. A
        # crew larger than the fetch concurrency keeps the slots busy while some pages wait for
        # their host. A failing task (Redis gone) cancels the others.
        queue = iter(across_hosts(candidates))

        async def crew_member() -> None:
            for candidate in queue:
                await one(candidate)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(len(candidates), _CREW_PER_FETCH_SLOT * max(1, settings.fetch_concurrency))):
                group.create_task(crew_member())
    diag.timings_ms["fetch"] = _ms(fetch_started)
    order = {c.url: i for i, c in enumerate(candidates)}
    out.sort(key=lambda pair: order.get(pair[0].referring_url, 0))
    return out


def _extract(
    candidate: Candidate, final_url: str, headers: list[tuple[str, str]], body: bytes, target: str
) -> Extracted:
    """CPU-heavy part of a deep scan (runs in an executor thread)."""
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    html, encoding = decode_body(body, content_type)
    page = parse_page(html, final_url, headers=list(headers), encoding=encoding)
    links = links_for_target(page, target)
    known = candidate.record
    first_seen = None
    if known is not None:
        seen = [link.first_seen for link in known.links if link.lost_at is None and link.first_seen]
        first_seen = min(seen) if seen else known.first_seen
    now = int(time.time())
    referring_host = (urlsplit(candidate.url).hostname or "").lower()
    row = build_row(candidate.url, referring_host, links,
                    first_seen=first_seen or now, last_seen=now, source="live")
    return Extracted(row=row, external_links=external_link_count(page))


async def _finish_rows(
    settings: Settings,
    client: aioredis.Redis,
    keys: Keys,
    scored: list[tuple[Row, int | None]],
    include_big: bool,
) -> list[Row]:
    big = tuple(settings.big_hosts)
    if not include_big:
        scored = [(row, ext) for row, ext in scored if not is_big_host(row.referring_domain, big)]
    authority = await IndexReader(client, keys).authority(row.referring_domain for row, _ in scored)
    rows = [
        msgspec.structs.replace(row, score=score(row.link_type, authority.get(row.referring_domain), ext))
        for row, ext in scored
    ]
    rows.sort(key=lambda r: (-(r.score or 0), r.referring_url))
    return rows[: settings.max_results]


def _note(rows: list[Row], candidates: list[Candidate], diag: Diagnostics, deep: bool) -> str | None:
    if not candidates:
        return "No referring pages known for this domain: ingest web archives (backlinks ingest FILE) to grow it."
    unverified = sum(1 for r in rows if r.note and r.note.startswith("verify"))
    if deep and unverified:
        return f"{unverified} page(s) could not be fetched; their indexed rows are kept and marked verify."
    if not rows:
        return "Candidates were found but none links to this domain now."
    return None


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
