"""The shared link cases (shared/cases/link_cases.jsonl): loading them, their bytes, checking an answer."""

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

import msgspec

from contracts.links import LinkOut
from tests.conftest import CASES

_REPEAT = re.compile(r"\{\{REPEAT:(.):(\d+)\}\}", re.DOTALL)


def load_cases() -> list[dict[str, Any]]:
    """The shared cases, one dict per line."""
    with CASES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def case_body(case: dict[str, Any]) -> bytes:
    """The bytes a server would send for the case: body_base64, else html with REPEATs expanded."""
    if case.get("body_base64"):
        return base64.b64decode(case["body_base64"])
    html = _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), case["html"])
    return html.encode("utf-8")


def as_reported(link: LinkOut | dict[str, Any]) -> dict[str, Any]:
    """A reported link as the JSON API shows it: a LinkOut converted, a dict (a row's link) as is."""
    if isinstance(link, dict):
        return link
    reported: dict[str, Any] = msgspec.to_builtins(link)
    return reported


def matches(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    """The reported link is the expected one (its type, or one of the types also accepted)."""
    types = {expected["link_type"], *expected.get("also_accepted_link_types", [])}
    return (
        got["target_url"] == expected["target_url"]
        and (got["anchor_text"] or "") == (expected["anchor_text"] or "")
        and got["link_type"] in types
        and set(expected.get("rel_includes", [])) <= set(got["rel"])
    )


def problems(case: dict[str, Any], got: Iterable[LinkOut | dict[str, Any]]) -> list[str]:
    """Missing expected links and false positives, as readable lines (empty when the answer is right)."""
    reported = [as_reported(link) for link in got]
    remaining = list(reported)
    found = []
    # Required links first, so an optional one never takes a required one's match.
    for expected in sorted(case["expected"], key=lambda e: bool(e.get("optional"))):
        hit = next((g for g in remaining if matches(expected, g)), None)
        if hit is not None:
            remaining.remove(hit)
        elif not expected.get("optional"):
            found.append(f"missing {expected}")
    found.extend(f"false positive {g}" for g in remaining)
    if found:
        found.append(f"reported: {reported}")
    return found
