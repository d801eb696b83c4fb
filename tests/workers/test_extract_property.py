"""Random and mutated pages (slices and splices of 181 real ones): no error, bounded time, and a
link appended at the end of any page is always found."""

import time
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ARTICLES
from tests.workers.test_extract_realweb import warc_pages
from workers.extract.decode import decode_body
from workers.extract.parse import parse_page
from workers.extract.urls import url_host

APPENDED = "https://appended-link.example/end?x=1"
#: Leaves whatever state the page ended in (attribute value, comment, script, textarea, CDATA...).
CLOSER = "'\">'\">]]>--></script></style></textarea></title></xmp></iframe></noembed></noframes>"
TAIL = f'{CLOSER}<a href="{APPENDED}">appended link</a>'
#: Seconds one page may take (the largest real page parses in well under one).
TIME_BOUND_S = 10.0

TOKENS = [
    "<a href='https://a.example/x'>", '<a href="/rel">', "</a>", "<area href=//b.example/>", "<b>",
    "</b>", "<div>", "</div>", "<font>", "<table>", "<tr><td>", "<p>", "<br>", "<img alt='i'>",
    "<script>", "</script>", "<style>", "</style>", "<!--", "-->", "<!-->", "--!>", "<![CDATA[",
    "]]>", "<svg>", "<a xlink:href='https://s.example/'>", "</svg>", "<textarea>", "<title>",
    "</html>", "</body>", "<html>", "<base href='https://base.example/d/'>", "<select>",
    "<meta name=robots content=nofollow>", "<meta http-equiv=refresh content='0;url=/r'>",
    "<link rel=canonical href='https://c.example/'>", "<noscript>", "<frameset>", "<math>",
    "<", ">", "'", '"', "=", "&amp;", "&#x26;", "&copy", "\x00", "\ufeff", "\ud800", " ",
    "\n", "text", "example.com", "bücher.ch", "x" * 1000, "&", "/", "<?xml version='1.0'?>",
]


def _safe(text: str) -> str:
    """Leave out the two states no markup can leave: plaintext, and inert template content."""
    return text.replace("plaintext", "plaintex_").replace("PLAINTEXT", "PLAINTEX_").replace(
        "template", "templat_").replace("TEMPLATE", "TEMPLAT_")


@cache
def real_pages() -> tuple[str, ...]:
    pages = []
    for _, headers, body in warc_pages(ARTICLES):
        content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
        pages.append(decode_body(body, content_type)[0])
    return tuple(pages)


@st.composite
def slices(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from(real_pages()))
    start = draw(st.integers(0, len(page)))
    return page[start : start + draw(st.integers(0, 200_000))]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(slices())
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["splice", "insert", "delete", "repeat"]))
        if operation == "splice":
            text = text[:at] + draw(slices())
        elif operation == "insert":
            text = text[:at] + "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=20))) + text[at:]
        elif operation == "delete":
            text = text[:at] + text[at + draw(st.integers(0, 5000)) :]
        else:
            piece = text[at : at + draw(st.integers(1, 40))]
            text = text[:at] + piece * draw(st.integers(1, 3000)) + text[at:]
    return text


random_html = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=30)), max_size=200).map("".join)
pages = st.one_of(random_html, slices(), mutated())


def check(text: str) -> None:
    text = _safe(text)
    started = time.perf_counter()
    page = parse_page(text + TAIL, "https://ref.example/dir/page.html")
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_BOUND_S
    assert all(link.url.startswith(("http://", "https://")) for link in page.links)
    assert all(link.host == url_host(link.url) for link in page.links)
    assert (APPENDED, "appended link") in [(link.url, link.anchor_text) for link in page.links]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(pages)
def test_any_page_parses_in_bounded_time_and_keeps_a_link_appended_at_its_end(text: str) -> None:
    check(text)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TOKENS), st.integers(2000, 20000))
def test_a_token_repeated_thousands_of_times_never_hides_the_appended_link(token: str, count: int) -> None:
    check(token * count)


def test_every_real_page_keeps_a_link_appended_at_its_end() -> None:
    for text in real_pages():
        check(text)
