"""Saved reports: durable records (no TTL), the index of all reports, cached Open Graph images."""

import re

import redis.asyncio as aioredis

from contracts.reports import ReportSummary, StoredReport
from storage.codec import decode, encode, text
from storage.keys import Keys

#: What `secrets.token_urlsafe` produces; anything else cannot be a report id.
_REPORT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

_REPORT = "report"
_SUMMARY = "summary"


def valid_report_id(report_id: str) -> bool:
    """True when `report_id` has the shape of an id we hand out (no key injection, no giant keys)."""
    return bool(_REPORT_ID.match(report_id))


class ReportStore:
    """Repository of saved reports.

    A report is one hash of two JSON fields: `report` (the StoredReport) and `summary` (a
    ReportSummary), so listing many reports never loads their rows. Reports have no TTL.

    Parameters:
      client: asyncio Redis client.
      keys: key builder.
      image_ttl_s: how long a rendered Open Graph PNG is kept (re-rendered after, so a change in
        the drawing reaches old reports).
    """

    def __init__(self, client: aioredis.Redis, keys: Keys, *, image_ttl_s: int = 7 * 86_400) -> None:
        self.client = client
        self.keys = keys
        self.image_ttl_s = image_ttl_s

    async def save(self, report: StoredReport, summary: ReportSummary) -> None:
        """Store the report and add it to the index of all reports, in one transaction."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.report(report.report_id), mapping={_REPORT: encode(report), _SUMMARY: encode(summary)})
            pipe.zadd(self.keys.all_reports(), {report.report_id: report.saved_at})
            await pipe.execute()

    async def get(self, report_id: str) -> StoredReport | None:
        """The report, or None when unknown (or not an id we could have issued)."""
        if not valid_report_id(report_id):
            return None
        raw = await self.client.hget(self.keys.report(report_id), _REPORT)
        return decode(raw, StoredReport) if raw else None

    async def summaries(self, report_ids: list[str]) -> list[ReportSummary]:
        """Summaries of these reports in the given order; unknown ids are skipped."""
        ids = [r for r in report_ids if valid_report_id(r)]
        if not ids:
            return []
        async with self.client.pipeline(transaction=False) as pipe:
            for report_id in ids:
                pipe.hget(self.keys.report(report_id), _SUMMARY)
            raws = await pipe.execute()
        return [decode(raw, ReportSummary) for raw in raws if raw]

    async def recent_ids(self, limit: int = 100) -> list[str]:
        """Ids of every report, newest first (the admin listing)."""
        return [text(r) for r in await self.client.zrevrange(self.keys.all_reports(), 0, limit - 1)]

    async def image(self, report_id: str) -> bytes | None:
        """The cached Open Graph PNG, or None."""
        if not valid_report_id(report_id):
            return None
        raw = await self.client.get(self.keys.report_image(report_id))
        return raw.encode("latin-1") if isinstance(raw, str) else raw or None

    async def put_image(self, report_id: str, png: bytes) -> None:
        """Cache a rendered Open Graph PNG."""
        await self.client.set(self.keys.report_image(report_id), png, ex=self.image_ttl_s)
