"""Every shared link case (shared/cases/link_cases.jsonl) through decode, parse and policy."""

from typing import Any

import pytest

from contracts.links import LinkOut
from tests.helpers import cases
from tests.helpers.cases import case_body, load_cases
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.policy import links_for_target, normalise_target


def extract(case: dict[str, Any]) -> list[LinkOut]:
    """What the product reports for the case's target on the case's page."""
    headers = [(name, value) for name, value in case.get("http_headers", [])]
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    text, encoding = decode_body(case_body(case), content_type)
    page = parse_page(text, case["page_url"], headers=headers, encoding=encoding)
    return links_for_target(page, case["target_domain"])


def problems(case: dict[str, Any]) -> list[str]:
    """Missing expected links and false positives of the product's answer (empty when right)."""
    return cases.problems(case, extract(case))


def test_the_case_targets_are_compared_in_punycode() -> None:
    assert normalise_target("bücher.ch") == "xn--bcher-kva.ch"
    assert normalise_target("WWW.Example.COM.") == "www.example.com"


def test_the_shared_file_has_all_cases() -> None:
    assert len(load_cases()) >= 34


@pytest.mark.parametrize("case", load_cases(), ids=lambda case: case["id"])
def test_every_shared_case_gives_exactly_the_expected_links(case: dict[str, Any]) -> None:
    assert problems(case) == []
