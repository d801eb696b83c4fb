"""Extraction: our parser beside Scrapy's LinkExtractor, a bare lxml walk and selectolax.

Input: the real pages of articles-181.warc.gz, read and decoded once (our reader and charset
detection), then every extractor timed over all of them, many passes, the median pass reported.
Every extractor gets the decoded text:
- ours: `parse_page` (links resolved the WHATWG way, wrappers unwrapped, anchor text, rel, page
  nofollow, mentions, the lost-markup census);
- Scrapy: `LinkExtractor()` with its defaults on a fresh `HtmlResponse` (UTF-8 body);
- bare lxml: the parser parsel configures (`lxml.html.HTMLParser`, huge_tree) and one
  `iter("a")` walk reading `href`: no resolution, no anchor text (the floor);
- selectolax (lexbor): `css("a")` reading `href` (also a floor: no resolution, no text).
Then the shared link cases: how many of the links each case requires each extractor finds.

    python -m bench.extraction            # full: 181 pages, 5 timed passes each
    python -m bench.extraction --quick    # 12 pages, 2 passes
"""

import base64
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from bench.common import ARTICLES, CASES, Options, Report, Table, Target, fmt, main, median, ratio, timed
from workers.archives import iter_archive
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.policy import links_for_target
from workers.extract.urls import forget_memos

_REPEAT = re.compile(r"\{\{REPEAT:(.):(\d+)\}\}", re.DOTALL)


@dataclass
class Page:
    """One decoded page."""

    url: str
    text: str
    encoding: str
    headers: list[tuple[str, str]]
    size_bytes: int


#: An extractor: (page url, text, headers) -> the URLs of the links it found.
Extractor = Callable[[str, str, list[tuple[str, str]]], list[str]]


def load_pages(limit: int | None) -> list[Page]:
    """The archive's HTML pages, decoded once."""
    pages = []
    with iter_archive(str(ARTICLES)) as reader:
        for page in reader:
            assert page.body is not None
            content_type = next((v for k, v in page.headers if k.lower() == "content-type"), None)
            text, encoding = decode_body(page.body, content_type)
            pages.append(Page(page.url, text, encoding, list(page.headers), len(text.encode("utf-8", "replace"))))
            if limit is not None and len(pages) >= limit:
                break
    return pages


# -- the extractors ------------------------------------------------------------------------------
def ours(url: str, text: str, headers: list[tuple[str, str]]) -> list[str]:
    """Our parser: every link (anchors, wrapped, redirects, canonicals), resolved."""
    return [link.url for link in parse_page(text, url, headers=headers).links]


def _scrapy() -> Extractor | None:
    try:
        from scrapy.http import HtmlResponse
        from scrapy.linkextractors import LinkExtractor
    except ImportError:
        return None
    extractor = LinkExtractor()

    def scrapy(url: str, text: str, headers: list[tuple[str, str]]) -> list[str]:
        response = HtmlResponse(url=url, body=text.encode("utf-8", "replace"), encoding="utf-8")
        return [link.url for link in extractor.extract_links(response)]

    return scrapy


def _lxml() -> Extractor:
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)

    def bare_lxml(url: str, text: str, headers: list[tuple[str, str]]) -> list[str]:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
        if root is None:
            return []
        return [href for a in root.iter("a") if (href := a.get("href")) is not None]

    return bare_lxml


def _selectolax() -> Extractor | None:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        return None

    def selectolax(url: str, text: str, headers: list[tuple[str, str]]) -> list[str]:
        return [href for node in LexborHTMLParser(text).css("a") if (href := node.attributes.get("href")) is not None]

    return selectolax


def extractors(skipped: list[str]) -> dict[str, Extractor]:
    """Ours and every comparison installed here (the missing ones named in `skipped`)."""
    found: dict[str, Extractor] = {"ours (parse_page)": ours}
    scrapy = _scrapy()
    if scrapy is None:
        skipped.append("Scrapy LinkExtractor (pip install '.[bench]')")
    else:
        found["Scrapy LinkExtractor"] = scrapy
    found["bare lxml walk"] = _lxml()
    selectolax = _selectolax()
    if selectolax is None:
        skipped.append("selectolax (pip install '.[bench]')")
    else:
        found["selectolax (lexbor)"] = selectolax
    return found


# -- the shared cases ----------------------------------------------------------------------------
def load_cases() -> list[dict[str, Any]]:
    """The shared link cases (shared/cases/link_cases.jsonl)."""
    with CASES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def case_page(case: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]]]:
    """(url, decoded text, headers) of a case page, decoded the way ingest decodes."""
    if case.get("body_base64"):
        body = base64.b64decode(case["body_base64"])
    else:
        body = _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), case["html"]).encode("utf-8")
    headers = [(name, value) for name, value in case.get("http_headers", [])]
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    text, _ = decode_body(body, content_type)
    return case["page_url"], text, headers


def _ours_exact(case: dict[str, Any]) -> tuple[int, int]:
    """Required links our whole answer (URL, anchor, type) gets right, and its false positives."""
    url, text, headers = case_page(case)
    reported = [dict(target_url=link.target_url, anchor_text=link.anchor_text or "", link_type=link.link_type.value)
                for link in links_for_target(parse_page(text, url, headers=headers), case["target_domain"])]
    right = 0
    for expected in sorted(case["expected"], key=lambda e: bool(e.get("optional"))):
        types = {expected["link_type"], *expected.get("also_accepted_link_types", [])}
        hit = next((r for r in reported if r["target_url"] == expected["target_url"]
                    and r["anchor_text"] == (expected["anchor_text"] or "") and r["link_type"] in types), None)
        if hit is not None:
            reported.remove(hit)
            right += not expected.get("optional")
    return right, len(reported)


def case_coverage(name: str, extract: Extractor, cases: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(required links found, required links, cases with every required link found).

    Ours is judged on the whole answer (URL, anchor text, link type, no false positives); the
    others on URLs alone (resolved against the page URL when they return raw hrefs), since they
    neither type links nor know the target.
    """
    found = required = whole = 0
    for case in cases:
        needed = [e for e in case["expected"] if not e.get("optional")]
        required += len(needed)
        if extract is ours:
            right, false_positives = _ours_exact(case)
        else:
            url, text, headers = case_page(case)
            got = Counter(urljoin(url, u.strip()) for u in extract(url, text, headers))
            right = 0
            for expected in needed:
                if expected["target_url"] is not None and got[expected["target_url"]] > 0:
                    got[expected["target_url"]] -= 1
                    right += 1
            false_positives = 0
        found += right
        whole += right == len(needed) and not false_positives
    return found, required, whole


# -- the run -------------------------------------------------------------------------------------
def run(options: Options) -> Report:
    """Time every extractor over the same decoded pages; count links; check the cases."""
    pages = load_pages(12 if options.quick else None)
    megabytes = sum(p.size_bytes for p in pages) / 1e6
    report = Report("extraction", "", params={"pages": len(pages), "MB of HTML": f"{megabytes:.1f}",
                                              "timed passes": options.repeats})
    speed = Table("Extraction speed (median pass over the same decoded pages)",
                  ["extractor", "pages/s", "MB/s", "ms/page", "vs ours", "links found", "unique URLs/page"])
    coverage = Table("Links the shared cases require (34 pages that broke other extractors)",
                     ["extractor", "required links found", "cases fully right", "judged on"])
    rates: dict[str, float] = {}
    cases = load_cases()
    for name, extract in extractors(report.skipped).items():

        def one_pass(extract: Extractor = extract) -> None:
            forget_memos()  # every pass sees the pages as new: no host or URL parsed before
            for page in pages:
                extract(page.url, page.text, page.headers)

        seconds = median(timed(one_pass, options.repeats))
        links = [extract(p.url, p.text, p.headers) for p in pages]
        rates[name] = len(pages) / seconds
        speed.add(name, fmt(rates[name]), fmt(megabytes / seconds, 1), fmt(seconds * 1000 / len(pages), 2),
                  ratio(rates[name], rates["ours (parse_page)"]), fmt(sum(len(x) for x in links)),
                  fmt(sum(len(set(x)) for x in links) / len(pages), 1))
        found, required, whole = case_coverage(name, extract, cases)
        coverage.add(name, f"{found}/{required}", f"{whole}/{len(cases)}",
                     "URL, anchor, type, no false positive" if extract is ours else "URL present")
    ours_rate = rates["ours (parse_page)"]
    speed.limits = (
        "Every extractor pays libxml2's (or lexbor's) parse; beyond it ours walks every element once in "
        "Python (anchor text, visible text that may name a host, head links, templates), resolves each "
        "distinct href the WHATWG way, and counts the `<a` tags of the markup against the tree's anchors "
        "and those inside scripts and comments; only a page where some are missing gets the exact "
        "tokenizer census that proves whether libxml2 lost a link. The bare walks read `href` only. "
        "Each pass starts with empty memos of URL and host parsing, as for pages never seen.")
    coverage.limits = (
        "Required links are the non-optional `expected` rows of shared/cases/link_cases.jsonl (mentions "
        "included, which only ours can report). The others are credited for any returned URL equal to "
        "the expected one, duplicates counted, so the figure is a ceiling for them.")
    report.tables += [speed, coverage]
    if "Scrapy LinkExtractor" in rates:
        scrapy_rate = rates["Scrapy LinkExtractor"]
        report.targets.append(Target("extraction vs Scrapy LinkExtractor", ours_rate / scrapy_rate, 1.0,
                                     f"ours {fmt(ours_rate)} / Scrapy {fmt(scrapy_rate)} pages/s"))
    report.targets.append(Target("extraction vs bare lxml walk (within 2x)", ours_rate / rates["bare lxml walk"], 0.5,
                                 f"ours {fmt(ours_rate)} / lxml {fmt(rates['bare lxml walk'])} pages/s"))
    ours_found = coverage.rows[0][1].split("/")
    report.targets.append(Target("required case links found by ours", int(ours_found[0]) / int(ours_found[1]), 1.0,
                                 coverage.rows[0][1]))
    return report


if __name__ == "__main__":
    raise SystemExit(main("extraction", __doc__ or "", run))
