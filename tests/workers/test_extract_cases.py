"""Every shared link case (shared/cases/link_cases.jsonl) through decode, parse and policy."""

import base64
import json
import re
from typing import Any

import pytest

from contracts.links import LinkOut
from tests.conftest import CASES
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.policy import links_for_target, normalise_target

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


def extract(case: dict[str, Any]) -> list[LinkOut]:
    """What the product reports for the case's target on the case's page."""
    headers = [(name, value) for name, value in case.get("http_headers", [])]
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    text, encoding = decode_body(case_body(case), content_type)
    page = parse_page(text, case["page_url"], headers=headers, encoding=encoding)
    return links_for_target(page, case["target_domain"])


def _matches(expected: dict[str, Any], got: LinkOut) -> bool:
    types = {expected["link_type"], *expected.get("also_accepted_link_types", [])}
    return (
        got.target_url == expected["target_url"]
        and (got.anchor_text or "") == (expected["anchor_text"] or "")
        and got.link_type in types
        and set(expected.get("rel_includes", [])) <= set(got.rel)
    )


def problems(case: dict[str, Any]) -> list[str]:
    """Missing expected links and false positives, as readable lines (empty when right)."""
    got = extract(case)
    remaining = list(got)
    found = []
    for expected in case["expected"]:
        hit = next((g for g in remaining if _matches(expected, g)), None)
        if hit is not None:
            remaining.remove(hit)
        elif not expected.get("optional"):
            found.append(f"missing {expected}")
    found.extend(f"false positive {g}" for g in remaining)
    if found:
        found.append(f"reported: {got}")
    return found


def test_the_case_targets_are_compared_in_punycode() -> None:
    assert normalise_target("bücher.ch") == "xn--bcher-kva.ch"
    assert normalise_target("WWW.Example.COM.") == "www.example.com"


def test_the_shared_file_has_all_cases() -> None:
    assert len(load_cases()) >= 34


@pytest.mark.parametrize("case", load_cases(), ids=lambda case: case["id"])
def test_every_shared_case_gives_exactly_the_expected_links(case: dict[str, Any]) -> None:
    assert problems(case) == []
