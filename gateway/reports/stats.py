"""Figures of a report: counts by link type, referring domains, the top referring domains."""

from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

from backlinks.domains import registrable_domain
from contracts.enums import LinkType
from contracts.reports import ReportSummary, StoredReport
from contracts.results import Row

#: The order link types are shown in, everywhere.
LINK_TYPES: tuple[LinkType, ...] = (LinkType.DOFOLLOW, LinkType.NOFOLLOW, LinkType.MENTION, LinkType.UNKNOWN)


def report_path(report_id: str) -> str:
    """Path of a report's page."""
    return f"/reports/{report_id}"


def counts_by_type(rows: list[Row]) -> dict[str, int]:
    """Rows per link type, every type present (zero when absent), in display order."""
    found = Counter(row.link_type for row in rows)
    return {t.value: found.get(t, 0) for t in LINK_TYPES}


def referring_domain(row: Row) -> str:
    """The registrable domain the row's page is on (`www.msn.com` -> `msn.com`), as SEO counts them.

    From the row's `referring_domain` (a host), or its URL's host when a client sent that empty.
    """
    host = row.referring_domain
    if not host:
        try:
            host = urlsplit(row.referring_url).hostname or ""
        except ValueError:
            return ""
    try:
        return registrable_domain(host)
    except ValueError:  # a hostile payload's "host" need not be a host at all
        return host.lower()


def top_domains(rows: list[Row], limit: int = 10) -> list[tuple[str, int]]:
    """The `limit` referring domains with most referring pages; ties by name."""
    found = Counter(d for d in map(referring_domain, rows) if d)
    return sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


def domain_total(rows: list[Row]) -> int:
    """Distinct referring domains."""
    return len({d for d in map(referring_domain, rows) if d})


def summary_of(report: StoredReport) -> ReportSummary:
    """What the list endpoints show of a report."""
    rows = report.payload.results
    return ReportSummary(
        id=report.report_id,
        url=report_path(report.report_id),
        domain=report.domain,
        saved_at=report.saved_at,
        scanned_at=report.payload.scanned_at,
        referring_pages=len(rows),
        referring_domains=domain_total(rows),
        counts=counts_by_type(rows),
    )


def plural(n: int, word: str) -> str:
    """`1 referring page`, `1,204 referring pages`."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _utc(ts: int | None) -> datetime | None:
    if not ts or ts <= 0:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def human_time(ts: int | None) -> str:
    """`3 December 2026, 19:07 UTC`; an em dash for an unknown (or impossible) time."""
    moment = _utc(ts)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC" if moment else "—"


def human_day(ts: int | None) -> str:
    """`2026-12-03` (UTC); empty for an unknown (or impossible) time."""
    moment = _utc(ts)
    return f"{moment:%Y-%m-%d}" if moment else ""


def iso_time(ts: int | None) -> str:
    """`2026-12-03T19:07:00Z`, for `<time datetime>`; empty for an unknown time."""
    moment = _utc(ts)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}" if moment else ""
