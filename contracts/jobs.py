"""Job records, job messages and the 202 answer."""

import msgspec

from contracts.enums import JobKind, JobStatus
from contracts.keys import WebhookState
from contracts.results import CheckResult


class Progress(msgspec.Struct, kw_only=True):
    """Units of work done out of total (pages for a check, records for an ingest)."""

    done: int = 0
    total: int = 0


class IngestStats(msgspec.Struct, kw_only=True):
    """What an ingest job did."""

    source: str = ""
    records: int = 0
    pages: int = 0
    links: int = 0
    skipped: int = 0
    #: Pages longer than the ingest body cap, read only up to it (links past the cap are not seen).
    truncated_bodies: int = 0
    bytes_read: int = 0


class Job(msgspec.Struct, kw_only=True):
    """A job as stored and as answered by `GET /api/v1/jobs/{job_id}`."""

    job_id: str
    kind: JobKind
    status: JobStatus = JobStatus.QUEUED
    progress: Progress = msgspec.field(default_factory=Progress)
    result: CheckResult | None = None
    ingest: IngestStats | None = None
    error: str | None = None
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    attempts: int = 0
    webhook: WebhookState | None = None
    #: The answer of a compare or diff job (as its endpoint gave it), already JSON; null otherwise.
    answer: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"null"))


class JobAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The 202 answer: the job is running, poll it."""

    job_id: str
    status: JobStatus
    poll_url: str


class ScanMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway publishes for a check."""

    job_id: str
    domain: str
    deep_scan: bool = False
    include_big: bool = False
    debug: bool = False
    #: Fetch pages anew instead of from the 3 h page cache.
    refresh: bool = False
    webhook_url: str | None = None
    #: The API key that asked (its secret signs the webhook); None: the server's secret.
    key_id: str | None = None


class IngestMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What `backlinks ingest` publishes: one file (local path or http(s) URL) per job."""

    job_id: str
    source: str
