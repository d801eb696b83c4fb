"""Printing check results for people (rich tables) or programs (JSON)."""

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

STYLES = {"dofollow": "green", "nofollow": "yellow", "mention": "cyan", "unknown": "magenta"}


def print_result(result: dict[str, Any], console: Console, *, limit: int = 200) -> None:
    """A readable table of one check result."""
    rows = result.get("results", [])
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["link_type"]] = counts.get(row["link_type"], 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none"
    origin = "cached" if result.get("cached") else "fresh"
    title = f"{result['domain']}: {len(rows)} referring pages ({summary}); {origin}"
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("score", justify="right")
    table.add_column("type")
    table.add_column("referring page", overflow="fold", max_width=60)
    table.add_column("anchor text", overflow="fold", max_width=30)
    table.add_column("target", overflow="fold", max_width=45)
    table.add_column("n", justify="right")
    for row in rows[:limit]:
        kind = row["link_type"]
        table.add_row(
            "" if row.get("score") is None else str(row["score"]),
            Text(kind, style=STYLES.get(kind, "")),
            Text(row["referring_url"]),
            Text(row.get("anchor_text") or ""),
            Text(row.get("target_url") or ""),
            str(row.get("link_count", "")),
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"... {len(rows) - limit} more rows (use --json for all)")
    if result.get("note"):
        console.print(Text(f"note: {result['note']}", style="dim"))


def print_compare(result: dict[str, Any], console: Console) -> None:
    """Counts and the pages linking to both."""
    a, b, counts = result["domain_a"], result["domain_b"], result["counts"]
    console.print(f"[bold]{a}[/bold] vs [bold]{b}[/bold]: {counts['overlap']} pages link to both, "
                  f"{counts['unique_a']} only to {a}, {counts['unique_b']} only to {b}", highlight=False)
    table = Table(title="linking to both", title_justify="left")
    table.add_column("referring page", overflow="fold")
    table.add_column(f"to {a}", overflow="fold")
    table.add_column(f"to {b}", overflow="fold")
    for row in result["overlap"]:
        other = row.get("b") or {}
        table.add_row(Text(row["referring_url"]), Text(f"{row['link_type']}: {row.get('anchor_text') or ''}"),
                      Text(f"{other.get('link_type', '')}: {other.get('anchor_text') or ''}"))
    console.print(table)


def print_diff(result: dict[str, Any], console: Console) -> None:
    """New and lost pages."""
    counts = result["counts"]
    console.print(f"[bold]{result['domain']}[/bold], {result['window_days']} days: {counts['new']} new, "
                  f"{counts['lost']} lost, {counts.get('unverified', 0)} unverified", highlight=False)
    table = Table(show_header=True)
    table.add_column("change")
    table.add_column("referring page", overflow="fold")
    table.add_column("type")
    for change, key, style in (("new", "new_pages", "green"), ("lost", "lost_pages", "red"),
                               ("unverified", "unverified_pages", "yellow")):
        for row in result.get(key, []):
            table.add_row(Text(change, style=style), Text(row["referring_url"]), row["link_type"])
    console.print(table)
    if result.get("note"):
        console.print(Text(f"note: {result['note']}", style="dim"))


def print_json(result: Any) -> None:
    """The API's JSON, as is."""
    print(json.dumps(result, indent=2, ensure_ascii=False))
