"""Saved reports: the save request, the stored record, and what the list endpoints answer."""

import msgspec

from contracts.results import CheckResult


class SaveReport(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/v1/reports`: a check result to keep; unknown fields are rejected.

    The payload itself is read leniently (a newer check result may carry more fields).
    """

    domain: str
    payload: CheckResult
    csrf: str | None = None


class CompatSaveReport(msgspec.Struct, frozen=True, kw_only=True):
    """`POST /marketing/backlinks-report-save.php`; unknown fields are ignored like the original did."""

    domain: str
    payload: CheckResult
    csrf: str | None = None


class ReportSaved(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a save: the opaque id and the page that shows the report."""

    id: str
    url: str


class StoredReport(msgspec.Struct, frozen=True, kw_only=True):
    """One saved report, kept until deleted."""

    report_id: str
    #: The target, normalised (punycode, no `www.`).
    domain: str
    payload: CheckResult
    #: Unix seconds.
    saved_at: int
    #: The browser session that saved it; None for cookie-less or API-key clients.
    session_id: str | None = None


class ReportOut(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /api/v1/reports/{id}`: a stored report as anyone with its id may see it.

    Not StoredReport itself: its `session_id` is the saver's session cookie and must never leave.
    """

    report_id: str
    domain: str
    payload: CheckResult
    saved_at: int


class ReportSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of `GET /api/v1/reports`: enough to list a report without loading its rows."""

    id: str
    url: str
    domain: str
    saved_at: int
    scanned_at: int
    referring_pages: int
    referring_domains: int
    #: Rows per link type (`dofollow`, `nofollow`, `mention`, `unknown`), every type present.
    counts: dict[str, int]


class ReportList(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /api/v1/reports`: the caller's reports, newest first."""

    reports: list[ReportSummary]
