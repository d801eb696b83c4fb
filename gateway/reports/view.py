"""What the report templates show: every web-sourced string made safe to place in HTML.

Jinja's autoescape makes text inert; what it cannot do is judge a URL, so only plain http(s)
URLs ever become an `href` here. Everything else is shown as text.
"""

import re
from dataclasses import dataclass

from contracts.reports import ReportSummary, StoredReport
from contracts.results import Row
from gateway.reports.stats import (
    LINK_TYPES,
    counts_by_type,
    domain_total,
    human_day,
    human_time,
    iso_time,
    plural,
    report_path,
    top_domains,
)

#: http(s) with a host, no white space or control characters anywhere (browsers strip some of
#: those before reading the scheme, so a URL holding one is never trusted as a link).
_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f/?#\\]+[^\s\x00-\x1f\x7f]*$", re.IGNORECASE)

#: Bar chart geometry (px): label column, longest bar, row height.
_LABEL_W, _BAR_W, _ROW_H = 110, 400, 40

#: What distinguishes each link type besides colour: an SVG pattern and a one-word description.
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "dofollow": ("solid", "followed links"),
    "nofollow": ("stripes", "rel nofollow, ugc or sponsored"),
    "mention": ("dots", "named in text, not linked"),
    "unknown": ("crosshatch", "attributes not known"),
}


def safe_href(url: str | None) -> str | None:
    """`url` when it is a plain http(s) URL safe to link to, else None (show it as text)."""
    if not url or len(url) > 4096 or not _SAFE_URL.match(url):
        return None
    return url


@dataclass(frozen=True, slots=True)
class LinkCell:
    """A URL cell: always shown as text; linked only when `href` is set."""

    text: str
    href: str | None


@dataclass(frozen=True, slots=True)
class RowView:
    """One table row with its sort keys."""

    referring: LinkCell
    anchor: str
    link_type: str
    type_key: str
    score: str
    score_key: str
    target: LinkCell
    first_seen: str
    first_seen_key: str
    last_seen: str
    last_seen_key: str
    note: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the link-type chart."""

    link_type: str
    count: int
    pattern: str
    description: str
    y: int
    width: int


def row_view(row: Row) -> RowView:
    """A result row as the table shows it."""
    return RowView(
        referring=LinkCell(row.referring_url, safe_href(row.referring_url)),
        anchor=row.anchor_text or "",
        link_type=row.link_type.value,
        type_key=str(LINK_TYPES.index(row.link_type)),
        score="" if row.score is None else str(row.score),
        score_key="" if row.score is None else str(row.score),
        target=LinkCell(row.target_url or "", safe_href(row.target_url)),
        first_seen=human_day(row.first_seen),
        first_seen_key=str(row.first_seen or ""),
        last_seen=human_day(row.last_seen),
        last_seen_key=str(row.last_seen or ""),
        note=row.note or "",
    )


def bars(counts: dict[str, int]) -> list[Bar]:
    """Bars scaled to the largest count (a non-zero count is always at least 2 px wide)."""
    top = max(counts.values(), default=0) or 1
    out = []
    for i, link_type in enumerate(t.value for t in LINK_TYPES):
        n = counts.get(link_type, 0)
        pattern, description = TYPE_STYLE[link_type]
        width = max(2, round(_BAR_W * n / top)) if n else 0
        out.append(Bar(link_type, n, pattern, description, 10 + i * _ROW_H, width))
    return out


def report_context(report: StoredReport, base_url: str) -> dict[str, object]:
    """Template context of `report.html`; `base_url` makes the Open Graph URLs absolute."""
    rows = report.payload.results
    counts = counts_by_type(rows)
    page_url = base_url + report_path(report.report_id)
    pages, domains = len(rows), domain_total(rows)
    description = (
        f"{plural(pages, 'referring page')} from {plural(domains, 'domain')}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items())
        + f". Scanned {human_time(report.payload.scanned_at)}."
    )
    return {
        "domain": report.domain,
        "scanned": human_time(report.payload.scanned_at),
        "scanned_iso": iso_time(report.payload.scanned_at),
        "saved": human_time(report.saved_at),
        "scan_kind": "deep scan (pages fetched live)" if report.payload.deep_scan else "quick scan (link index)",
        "note": report.payload.note or "",
        "pages": pages,
        "domains": domains,
        "counts": counts,
        "bars": bars(counts),
        "chart": {"label_w": _LABEL_W, "bar_w": _BAR_W, "height": 20 + len(LINK_TYPES) * _ROW_H,
                  "width": _LABEL_W + _BAR_W + 90},
        "top_domains": top_domains(rows),
        "rows": [row_view(row) for row in rows],
        "page_url": page_url,
        "image_url": page_url + "/og.png",
        "json_url": f"/api/v1/reports/{report.report_id}",
        "title": f"Backlinks of {report.domain}",
        "description": description,
    }


def list_context(summaries: list[ReportSummary]) -> dict[str, object]:
    """Template context of `reports.html`."""
    return {
        "reports": [
            {"summary": s, "scanned": human_time(s.scanned_at), "saved": human_time(s.saved_at)} for s in summaries
        ],
        "title": "Your saved reports",
    }
