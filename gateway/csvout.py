"""CSV (RFC 4180) of check, compare and diff results, with spreadsheet formulas neutralised."""

import csv
import io
from collections.abc import Iterable, Sequence

from contracts.compare import CompareResult
from contracts.diff import DiffResult
from contracts.results import CheckResult, Row
from contracts.snapshots import SnapshotRow

ROW_COLUMNS = ["referring_url", "referring_domain", "anchor_text", "link_type", "score", "target_url", "rel",
               "link_count", "first_seen", "last_seen", "note"]
DIFF_COLUMNS = ["change", "referring_url", "referring_domain", "link_type", "target_url", "anchor_text"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell as text; one starting like a formula gets a leading `'` so spreadsheets show it."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    cell = str(value)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def _row_cells(row: Row) -> list[object]:
    return [getattr(row, column) for column in ROW_COLUMNS]


def check_csv(result: CheckResult) -> str:
    """One line per referring page."""
    return _write(ROW_COLUMNS, (_row_cells(r) for r in result.results))


def compare_csv(result: CompareResult) -> str:
    """One line per referring page and side; `set` says overlap, only_a or only_b."""
    lines: list[list[object]] = []
    for row in result.overlap:
        lines.append(["overlap", result.domain_a, *_row_cells(row)])
        if row.b is not None:
            lines.append(["overlap", result.domain_b, *_row_cells(row.b)])
    lines += [["only_a", result.domain_a, *_row_cells(r)] for r in result.unique_a]
    lines += [["only_b", result.domain_b, *_row_cells(r)] for r in result.unique_b]
    return _write(["set", "domain", *ROW_COLUMNS], lines)


def diff_csv(result: DiffResult) -> str:
    """One line per changed page; `change` says new, lost or unverified."""

    def cells(change: str, r: SnapshotRow) -> list[object]:
        return [change, r.referring_url, r.referring_domain, r.link_type, r.target_url, r.anchor_text]

    lines = [cells("new", r) for r in result.new_pages] + [cells("lost", r) for r in result.lost_pages]
    lines += [cells("unverified", r) for r in result.unverified_pages]
    return _write(DIFF_COLUMNS, lines)


def wants_csv(accept: str | None) -> bool:
    """True when the Accept header prefers CSV."""
    return bool(accept) and "text/csv" in (accept or "").lower()
