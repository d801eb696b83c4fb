"""The web-archive readers: real WARC/WAT files, damaged ones, HTTP sources, WAT links."""

import asyncio
import gzip
import io
import json
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from contracts.enums import LinkKind
from tests.conftest import DATA
from workers.archives import (
    ArchiveError,
    ArchiveFormatError,
    ArchivePage,
    ArchiveTruncated,
    ArchiveUnavailable,
    iter_archive,
    open_archive,
    wat_page,
)

SHARED_ARCHIVES = sorted(p for p in DATA.rglob("*") if p.is_file() and re.search(r"\.warc(\.gz|\.wat)?$", p.name))
CC_2014 = DATA / "commoncrawl" / "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc"
CC_2014_WAT = CC_2014.with_name(CC_2014.name + ".wat")
HTML = "<!DOCTYPE html><html><body><p>Page {n}</p><a href='https://other{n}.example/'>to {n}</a>"


# -- an independent count with warcio ------------------------------------------------------------
def _warcio_pages(path: Path) -> list[str]:
    """URLs of the usable pages, found with warcio: 2xx HTML responses and WAT HTML records."""
    urls = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.rec_type == "response" and uri.startswith(("http://", "https://")):
                status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
                if not 200 <= status < 300:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
                head = record.content_stream().read(512).lstrip().lower()
                if ctype.strip().lower() in ("text/html", "application/xhtml+xml") or (
                    not ctype and head.startswith((b"<!doctype html", b"<html"))
                ):
                    urls.append(uri)
            elif record.rec_type == "metadata" and record.rec_headers.get_header("Content-Type") == "application/json":
                envelope = json.loads(record.content_stream().read())["Envelope"]
                warc = envelope["WARC-Header-Metadata"]
                response = envelope["Payload-Metadata"].get("HTTP-Response-Metadata", {})
                status = int(response.get("Response-Message", {}).get("Status", 0))
                if warc["WARC-Type"] == "response" and "HTML-Metadata" in response and 200 <= status < 300:
                    urls.append(warc["WARC-Target-URI"])
    return urls


def _warcio_types(path: Path) -> Counter[str]:
    """Record types; for a WAT record, the type of the record it describes."""
    types: Counter[str] = Counter()
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_headers.get_header("Content-Type") == "application/json":
                doc = json.loads(record.content_stream().read())
                types[doc["Envelope"]["WARC-Header-Metadata"]["WARC-Type"]] += 1
            else:
                types[record.rec_type] += 1
    return types


# -- building test archives ------------------------------------------------------------------------
def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
) -> None:
    http = StatusAndHeaders(
        status, headers if headers is not None else [("Content-Type", "text/html")], protocol="HTTP/1.1"
    )
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def _archive(pages: int = 3, *, gzip_records: bool = False, version: str = "1.0") -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip_records, warc_version=version)
    for n in range(pages):
        _response(writer, f"https://site.example/{n}", HTML.format(n=n).encode())
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _read(source: str, **kwargs: Any) -> tuple[list[ArchivePage], ArchiveError | None]:
    pages: list[ArchivePage] = []
    try:
        for page in iter_archive(source, **kwargs):
            pages.append(page)
    except ArchiveError as exc:
        return pages, exc
    return pages, None


# -- the shared real archives -----------------------------------------------------------------------
@pytest.mark.parametrize("path", SHARED_ARCHIVES, ids=lambda p: p.name)
def test_every_shared_archive_reads_without_error_and_yields_the_pages_warcio_finds(path: Path) -> None:
    reader = iter_archive(str(path))
    urls = [page.url for page in reader]
    assert urls == _warcio_pages(path)
    types = _warcio_types(path)
    assert reader.stats.records == sum(types.values())
    assert reader.stats.pages + reader.stats.skipped == reader.stats.records
    assert reader.stats.skipped_request == types["request"]
    assert reader.stats.skipped_warcinfo == types["warcinfo"]
    assert reader.stats.bytes_read == path.stat().st_size


def test_shared_archives_are_all_found() -> None:
    assert {p.parent.name for p in SHARED_ARCHIVES} >= {
        "realweb",
        "commoncrawl",
        "small-arcs-and-warcs",
        "wikipedia-blackout",
        "wikipedia-post-blackout",
    }
    assert len(SHARED_ARCHIVES) >= 11


def test_articles_181_gives_181_html_pages_with_their_bodies() -> None:
    reader = iter_archive(str(DATA / "realweb" / "articles-181.warc.gz"))
    pages = list(reader)
    assert len(pages) == 181
    assert len({p.url for p in pages}) == 181
    assert {p.status for p in pages} == {200}
    assert {p.date for p in pages} == {1579046400}  # 2020-01-15T00:00:00Z
    assert all(p.body and b"<" in p.body[:2000] and not p.body_truncated for p in pages)
    assert all(p.wat is None for p in pages)
    assert (reader.stats.records, reader.stats.skipped) == (181, 0)


def test_pages_106_skips_the_records_whose_target_is_not_an_http_url() -> None:
    # Seven pages were packed under made-up URIs ("hard::blog.python.org.html"): not referring pages.
    reader = iter_archive(str(DATA / "realweb" / "pages-106.warc.gz"))
    pages = list(reader)
    assert len(pages) == 99
    assert reader.stats.skipped_not_http == 7
    assert all(p.url.startswith(("http://", "https://")) for p in pages)


def test_wget_warc_counts_redirects_non_html_and_resource_records_as_skipped() -> None:
    path = DATA / "ukwa" / "small-arcs-and-warcs" / "IAH-urls-wget.warc.gz"
    with path.open("rb") as handle:
        statuses = Counter(
            int(r.http_headers.get_statuscode()) // 100 for r in ArchiveIterator(handle) if r.rec_type == "response"
        )
    reader = iter_archive(str(path))
    pages = list(reader)
    assert reader.stats.skipped_status == statuses[3]
    assert reader.stats.skipped_other_type == _warcio_types(path)["resource"]
    # wget keeps the chunked transfer coding in the WARC; the body comes out de-chunked.
    assert all(p.body and p.body.lstrip().startswith(b"<!DOCTYPE") for p in pages)


# -- WARC versus WAT (the 2014 Common Crawl pair) ---------------------------------------------------
def _wat_response_urls() -> set[str]:
    with CC_2014_WAT.open("rb") as handle:
        docs = [
            json.loads(r.content_stream().read())
            for r in ArchiveIterator(handle)
            if r.rec_headers.get_header("Content-Type") == "application/json"
        ]
    return {
        d["Envelope"]["WARC-Header-Metadata"]["WARC-Target-URI"]
        for d in docs
        if d["Envelope"]["WARC-Header-Metadata"].get("WARC-Type") == "response"
    }


def test_the_2014_warc_and_its_wat_give_the_same_pages_where_both_hold_the_capture() -> None:
    warc = {p.url: p for p in iter_archive(str(CC_2014))}
    wat = {p.url: p for p in iter_archive(str(CC_2014_WAT))}
    # The WAT excerpt stops after two of the WARC's four responses; one of them (msn.com) is an
    # empty body without Content-Type, a page in neither.
    described = _wat_response_urls()
    assert len(described) == 2
    assert set(warc) & described == set(wat) == {"http://0pointer.de/photos/?gallery=Australia&photo=496"}
    for url, page in wat.items():
        assert (page.date, page.status, page.body) == (warc[url].date, warc[url].status, None)
        assert dict(page.headers) == dict(warc[url].headers)
        assert page.wat is not None and page.wat["Links"]
        assert page.wat_software == "ia-web-commons.1.0-SNAPSHOT-20140819100050"


def test_wat_links_to_other_hosts_match_the_parsed_warc_html() -> None:
    parse = pytest.importorskip("workers.extract.parse")
    decode = pytest.importorskip("workers.extract.decode")
    warc = {p.url: p for p in iter_archive(str(CC_2014))}
    wat_pages = list(iter_archive(str(CC_2014_WAT)))
    assert wat_pages
    for page in wat_pages:
        html_page = warc[page.url]
        assert html_page.body is not None
        content_type = dict(html_page.headers).get("Content-Type")
        text, encoding = decode.decode_body(html_page.body, content_type)
        parsed = parse.parse_page(text, page.url, headers=html_page.headers, encoding=encoding)
        from_wat = wat_page(page)
        external_html = Counter((link.url, link.anchor_text) for link in parsed.links if link.host != parsed.host)
        external_wat = Counter((link.url, link.anchor_text) for link in from_wat.links if link.host != from_wat.host)
        # What differs, and why:
        # 1. A link around an image: the parser's anchor text is the image's alt; ia-web-commons
        #    writes the A entry with the link's text nodes only, and the image as a separate
        #    IMG@/src entry just before it (A entries are written at </a>). Here:
        #    creativecommons.org/licenses/by-sa/3.0/ is "Creative Commons License" vs None.
        only_html, only_wat = external_html - external_wat, external_wat - external_html
        assert only_html == Counter({("http://creativecommons.org/licenses/by-sa/3.0/", "Creative Commons License"): 1})
        assert only_wat == Counter({("http://creativecommons.org/licenses/by-sa/3.0/", None): 1})
        entries = page.wat["Links"] if page.wat else []
        for index, entry in enumerate(entries):
            if entry.get("path") == "A@/href" and entry["url"].endswith("/by-sa/3.0/") and "text" not in entry:
                assert entries[index - 1] == {
                    "alt": "Creative Commons License",
                    "path": "IMG@/src",
                    "url": "http://creativecommons.org/images/public/somerights20.png",
                }
        # 2. Entities: this 2014 WAT keeps them raw ("&amp;" in URLs, "&lt; Previous" in text);
        #    wat_page decodes them, so every target URL matches the parser's.
        assert {link.url for link in parsed.links} == {link.url for link in from_wat.links}
        # 3. rel: ia-web-commons did not record rel on A links before CC-MAIN-2017-34. The two
        #    creativecommons.org links carry rel="license" in the HTML; in the WAT they have no
        #    rel, and every WAT link of this crawl is "attributes unknown" (policy: unknown).
        assert all(not link.attributes_known and link.rel == () for link in from_wat.links)
        assert {(link.url, link.rel) for link in parsed.links if link.rel} == {
            ("http://creativecommons.org/licenses/by-sa/3.0/", ("license",))
        }
        # 4. Same page-level nofollow, and no mentions from WAT (it keeps no text).
        assert from_wat.page_nofollow == parsed.page_nofollow
        assert from_wat.mentions == []


# -- wat_page on WAT records of newer crawls -----------------------------------------------------
def _wat(links: list[dict[str, Any]], head: dict[str, Any] | None = None, **fields: Any) -> ArchivePage:
    values: dict[str, Any] = {
        "url": "https://blog.example/post",
        "date": 1_700_000_000,
        "status": 200,
        "headers": [],
        "wat": {"Head": head or {}, "Links": links},
        "wat_software": "ia-web-commons.1.1.10-SNAPSHOT-20230504092143",
    } | fields
    return ArchivePage(**values)


def test_wat_links_are_only_a_and_area_hrefs_resolved_against_the_base() -> None:
    parsed = wat_page(
        _wat(
            [
                {"path": "A@/href", "url": "page.html", "text": "  two\n words  "},
                {"path": "AREA@/href", "url": "https://map.example/", "alt": "Map"},
                {"path": "IMG@/src", "url": "https://img.example/a.png", "alt": "img"},
                {"path": "FORM@/action", "url": "https://form.example/"},
                {"path": "A@/href", "url": "javascript:void(0)", "text": "js"},
                {"path": "A@/href", "url": "https://x.example/?a=1&amp;b=2&copy=3", "title": "T"},
            ],
            head={
                "Base": "https://cdn.example/dir/",
                "Link": [{"path": "LINK@/href", "rel": "stylesheet", "url": "s.css"}],
            },
        )
    )
    assert [(link.url, link.anchor_text, link.kind) for link in parsed.links] == [
        ("https://cdn.example/dir/page.html", "two words", LinkKind.ANCHOR),
        ("https://map.example/", "Map", LinkKind.ANCHOR),
        ("https://x.example/?a=1&b=2&copy=3", "T", LinkKind.ANCHOR),
    ]
    assert parsed.url == "https://blog.example/post" and parsed.host == "blog.example"
    assert parsed.mentions == []


def test_wat_rel_is_split_lowered_and_sorted_and_a_missing_rel_means_none_in_new_crawls() -> None:
    parsed = wat_page(
        _wat(
            [
                {"path": "A@/href", "url": "https://a.example/", "rel": "NoFollow, UGC noopener"},
                {"path": "A@/href", "url": "https://b.example/"},
            ]
        )
    )
    assert [(link.rel, link.attributes_known) for link in parsed.links] == [
        (("nofollow", "noopener", "ugc"), True),
        ((), True),
    ]


def test_wat_links_of_crawls_without_rel_have_unknown_attributes() -> None:
    old = "ia-web-commons.1.0-SNAPSHOT-20140819100050"
    parsed = wat_page(_wat([{"path": "A@/href", "url": "https://a.example/"}], wat_software=old))
    assert [(link.rel, link.attributes_known) for link in parsed.links] == [((), False)]
    unknown_tool = wat_page(_wat([{"path": "A@/href", "url": "https://a.example/"}], wat_software=None))
    assert not unknown_tool.links[0].attributes_known
    # One rel on the page proves the extractor records rel, whatever its version string says.
    proven = wat_page(
        _wat(
            [
                {"path": "A@/href", "url": "https://a.example/"},
                {"path": "A@/href", "url": "https://b.example/", "rel": "me"},
            ],
            wat_software=None,
        )
    )
    assert all(link.attributes_known for link in proven.links)


def test_wat_anchor_text_falls_back_from_text_to_alt_to_title() -> None:
    parsed = wat_page(
        _wat(
            [
                {"path": "A@/href", "url": "https://a.example/", "text": "Text", "alt": "Alt", "title": "Title"},
                {"path": "A@/href", "url": "https://a.example/", "alt": "Alt", "title": "Title"},
                {"path": "A@/href", "url": "https://a.example/", "text": "   ", "title": "Title"},
                {"path": "A@/href", "url": "https://a.example/"},
                {"path": "A@/href", "url": "https://a.example/", "text": "AT&amp;T &lt;3"},
            ]
        )
    )
    assert [link.anchor_text for link in parsed.links] == ["Text", "Alt", "Title", None, "AT&T <3"]


@pytest.mark.parametrize(
    ("metas", "headers", "nofollow"),
    [
        ([{"name": "robots", "content": "noindex, nofollow"}], [], True),
        ([{"name": "GoogleBot", "content": "none"}], [], True),
        ([{"name": "bingbot", "content": "nofollow"}], [], False),
        ([{"name": "robots", "content": "index, follow"}], [], False),
        ([], [("X-Robots-Tag", "nofollow")], True),
        ([], [("X-Robots-Tag", "otherbot: nofollow")], False),
    ],
)
def test_wat_page_nofollow_comes_from_robots_metas_and_x_robots_tag(
    metas: list[dict[str, str]], headers: list[tuple[str, str]], nofollow: bool
) -> None:
    page = _wat([{"path": "A@/href", "url": "https://a.example/"}], head={"Metas": metas}, headers=headers)
    assert wat_page(page).page_nofollow is nofollow


def test_wat_canonical_refresh_and_wrapped_links_are_reported_like_the_parser_does() -> None:
    parsed = wat_page(
        _wat(
            [{"path": "A@/href", "url": "https://www.google.com/url?q=https://dest.example/x&sa=D", "text": "go"}],
            head={
                "Metas": [{"http-equiv": "refresh", "content": "0; url='https://moved.example/'"}],
                "Link": [
                    {"path": "LINK@/href", "rel": "canonical", "url": "https://mirror.example/post"},
                    {"path": "LINK@/href", "rel": "canonical", "url": "/post"},
                ],
            },
        )
    )
    assert [(link.url, link.kind, link.via) for link in parsed.links] == [
        ("https://moved.example/", LinkKind.REDIRECT, None),
        ("https://mirror.example/post", LinkKind.CANONICAL, None),
        ("https://dest.example/x", LinkKind.WRAPPED, "https://www.google.com/url?q=https://dest.example/x&sa=D"),
    ]


def test_wat_records_that_describe_no_html_response_are_counted_as_skipped(tmp_path: Path) -> None:
    def doc(kind: str, status: str = "200", html: bool = True) -> bytes:
        response: dict[str, Any] = {"Response-Message": {"Status": status}, "Headers": {"Content-Type": "text/html"}}
        if html:
            response["HTML-Metadata"] = {"Links": [{"path": "A@/href", "url": "https://a.example/"}]}
        envelope = {
            "WARC-Header-Metadata": {
                "WARC-Type": kind,
                "WARC-Target-URI": f"https://site.example/{kind}{status}{html}",
                "WARC-Date": "2024-05-01T10:00:00Z",
            },
            "Payload-Metadata": {"HTTP-Response-Metadata": response} if kind == "response" else {},
        }
        return json.dumps({"Envelope": envelope}).encode()

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for payload in [doc("response"), doc("request"), doc("response", "404"), doc("response", html=False), b"{broken"]:
        writer.write_record(
            writer.create_warc_record(
                "https://site.example/", "metadata", payload=io.BytesIO(payload), warc_content_type="application/json"
            )
        )
    reader = iter_archive(_write(tmp_path, "x.warc.wat.gz", buffer.getvalue()))
    pages = list(reader)
    assert [(p.url, p.date, p.headers, p.body) for p in pages] == [
        ("https://site.example/response200True", 1714557600, [("Content-Type", "text/html")], None)
    ]
    stats = reader.stats
    assert (stats.skipped_request, stats.skipped_status, stats.skipped_not_html, stats.skipped_malformed) == (
        1,
        1,
        1,
        1,
    )
    assert "WAT JSON does not decode" in stats.warnings[0]


# -- WARC records of every kind -----------------------------------------------------------------
def test_plain_per_record_gzip_and_whole_file_gzip_give_the_same_pages(tmp_path: Path) -> None:
    plain = _archive(4)
    variants = {
        "plain.warc": plain,
        "records.warc.gz": _archive(4, gzip_records=True),
        "whole.warc.gz": gzip.compress(plain),
        "v11.warc": _archive(4, version="1.1"),
    }
    results = {name: _read(_write(tmp_path, name, data)) for name, data in variants.items()}
    for pages, error in results.values():
        assert error is None
        assert [(p.url, p.body) for p in pages] == [
            (f"https://site.example/{n}", HTML.format(n=n).encode()) for n in range(4)
        ]


def test_skipped_records_are_counted_by_reason(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
    writer.write_record(
        writer.create_warc_record(
            "https://site.example/",
            "request",
            payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
            warc_content_type="application/http; msgtype=request",
        )
    )
    _response(writer, "https://site.example/page", b"<html>ok</html>")
    _response(writer, "https://site.example/gone", b"<html>404</html>", status="404 Not Found")
    _response(writer, "https://site.example/logo.png", b"\x89PNG....", headers=[("Content-Type", "image/png")])
    _response(writer, "https://site.example/sniffed", b"\n <!DOCTYPE html><p>x", headers=[])
    _response(writer, "https://site.example/blob", b"GIF89a....", headers=[])
    _response(writer, "dns:site.example", b"1.2.3.4")
    writer.write_record(
        writer.create_revisit_record(
            "https://site.example/page",
            "sha1:AAAA",
            "https://site.example/page",
            "2020-01-01T00:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://site.example/page",
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 4\r\n"),
            warc_content_type="application/warc-fields",
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://site.example/r", "resource", payload=io.BytesIO(b"<html></html>"), warc_content_type="text/html"
        )
    )
    reader = iter_archive(_write(tmp_path, "mixed.warc.gz", buffer.getvalue()))
    assert [p.url for p in reader] == ["https://site.example/page", "https://site.example/sniffed"]
    stats = reader.stats
    assert (stats.records, stats.pages, stats.skipped) == (11, 2, 9)
    assert stats.skipped_warcinfo == stats.skipped_request == stats.skipped_status == 1
    assert stats.skipped_not_html == 2  # image/png, and a body without Content-Type that is no HTML
    assert stats.skipped_not_http == stats.skipped_revisit == stats.skipped_metadata == 1
    assert stats.skipped_other_type == 1


def test_bodies_over_the_limit_are_cut_and_flagged(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    _response(writer, "https://site.example/big", b"<html>" + b"x" * 5000)
    _response(writer, "https://site.example/small", b"<html>small</html>")
    reader = iter_archive(_write(tmp_path, "big.warc.gz", buffer.getvalue()), max_body_bytes=1000)
    pages = list(reader)
    assert [(p.url, len(p.body or b""), p.body_truncated) for p in pages] == [
        ("https://site.example/big", 1000, True),
        ("https://site.example/small", 18, False),
    ]
    assert reader.stats.truncated_bodies == 1


def test_chunked_and_gzip_encoded_bodies_are_decoded(tmp_path: Path) -> None:
    html = b"<!DOCTYPE html><html><body>" + b"hello " * 200 + b"</body></html>"
    packed = gzip.compress(html)
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(packed[i : i + 100]), packed[i : i + 100]) for i in range(0, len(packed), 100)
    )
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    _response(
        writer,
        "https://site.example/enc",
        chunked + b"0\r\n\r\n",
        headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")],
    )
    # Common Crawl keeps the Content-Encoding header but stores the decoded body.
    _response(
        writer,
        "https://site.example/plain",
        html,
        headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
    )
    pages, error = _read(_write(tmp_path, "enc.warc", buffer.getvalue()))
    assert error is None
    assert [p.body for p in pages] == [html, html]


# -- damaged input ------------------------------------------------------------------------------------
def test_a_warc_cut_inside_a_record_yields_the_whole_records_then_says_where_it_ends(tmp_path: Path) -> None:
    data = _archive(3)
    path = _write(tmp_path, "cut.warc", data[: len(data) - 60])
    pages, error = _read(path)
    assert [p.url for p in pages] == ["https://site.example/0", "https://site.example/1"]
    assert isinstance(error, ArchiveTruncated)
    assert str(error).startswith(f"truncated WARC stream after 2 records in {path}: record https://site.example/2 has ")


def test_a_gzip_member_cut_short_yields_the_whole_records_then_says_truncated_gzip(tmp_path: Path) -> None:
    data = _archive(3, gzip_records=True)
    path = _write(tmp_path, "cut.warc.gz", data[: len(data) - 30])
    pages, error = _read(path)
    assert [p.url for p in pages] == ["https://site.example/0", "https://site.example/1"]
    assert isinstance(error, ArchiveTruncated)
    assert str(error) == f"truncated gzip stream after 2 records in {path}"


def test_a_whole_file_gzip_cut_short_says_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(_archive(3))
    path = _write(tmp_path, "cut.warc.gz", data[:-5])
    pages, error = _read(path)
    assert len(pages) == 3  # the data was complete, only the gzip trailer is missing
    assert str(error) == f"truncated gzip stream after 3 records in {path}"


def test_a_warc_cut_inside_a_record_header_is_reported_as_truncated(tmp_path: Path) -> None:
    data = _archive(3)
    cut = data.index(b"WARC-Record-ID", data.index(b"https://site.example/2") - 200)
    path = _write(tmp_path, "cut.warc", data[:cut])
    pages, error = _read(path)
    assert len(pages) == 2
    assert str(error) == f"truncated WARC stream after 2 records in {path} (the file ends inside a record)"


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("garbage.warc.gz", lambda: random.Random(7).randbytes(4096), "not a WARC file: {path}"),
        ("empty.warc", lambda: b"", "empty archive (no WARC records): {path}"),
        ("text.warc", lambda: b"just some notes\nnot an archive\n" * 20, "not a WARC file: {path}"),
        ("gzipped-text.warc.gz", lambda: gzip.compress(b"hello\n" * 100), "not a WARC file: {path}"),
        ("empty-gzip.warc.gz", lambda: gzip.compress(b""), "empty archive (no WARC records): {path}"),
        (
            "archive.arc",
            lambda: b"filedesc://IAH-2008.arc 0.0.0.0 20080430204825 text/plain 76\n",
            "ARC files are not supported, only WARC: {path}",
        ),
        (
            "x.warc.zst",
            lambda: b"\x28\xb5\x2f\xfd" + bytes(40),
            "zstd-compressed archives are not supported (gzip or plain WARC): {path}",
        ),
    ],
)
def test_files_that_are_not_warc_fail_with_a_message_naming_the_file(
    tmp_path: Path, name: str, make: Callable[[], bytes], message: str
) -> None:
    path = _write(tmp_path, name, make())
    pages, error = _read(path)
    assert pages == []
    assert isinstance(error, ArchiveFormatError)
    assert str(error) == message.format(path=path)


def test_garbage_between_records_fails_after_the_good_records(tmp_path: Path) -> None:
    data = _archive(2) + b"\x00garbage that is no WARC header\r\n\r\n" + _archive(1)
    path = _write(tmp_path, "mid.warc", data)
    pages, error = _read(path)
    assert len(pages) == 2
    assert isinstance(error, ArchiveFormatError) and not isinstance(error, ArchiveTruncated)
    assert str(error).startswith(f"corrupt WARC record after 2 records in {path}: ")


def test_corrupt_gzip_data_fails_after_the_good_records(tmp_path: Path) -> None:
    good = _archive(2, gzip_records=True)
    data = good + b"\x1f\x8b\x08\x00" + random.Random(3).randbytes(300)
    path = _write(tmp_path, "bad.warc.gz", data)
    pages, error = _read(path)
    assert len(pages) == 2
    assert str(error).startswith(f"corrupt gzip stream after 2 records in {path}: gzip member 3: ")


@pytest.mark.parametrize("gzip_records", [False, True], ids=["plain", "gzip"])
def test_an_archive_cut_anywhere_yields_only_whole_records_and_never_a_library_error(
    tmp_path: Path, gzip_records: bool
) -> None:
    data = _archive(3, gzip_records=gzip_records)
    expected = [HTML.format(n=n).encode() for n in range(3)]
    path = tmp_path / "cut.warc"
    for cut in range(0, len(data) + 1, 3):
        path.write_bytes(data[:cut])
        pages, error = _read(str(path))
        assert [p.body for p in pages] == expected[: len(pages)], cut
        assert error is not None or cut in (0, len(data)) or len(pages) in (1, 2), cut
        if error is not None and cut > len("WARC/1.0"):
            assert f"after {len(pages)} records in {path}" in str(error), (cut, str(error))


# -- sources ---------------------------------------------------------------------------------------------
def test_a_missing_file_gives_an_archive_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.warc.gz")
    with pytest.raises(ArchiveUnavailable, match=re.escape(f"no such file: {missing}")):
        list(iter_archive(missing))
    with pytest.raises(ArchiveUnavailable, match=re.escape(missing)):
        open_archive(missing)


def test_an_unsupported_scheme_gives_an_archive_error() -> None:
    with pytest.raises(ArchiveUnavailable, match=re.escape("unsupported source scheme 's3': s3://bucket/a.warc.gz")):
        list(iter_archive("s3://bucket/a.warc.gz"))


@pytest.fixture
async def archive_server() -> AsyncIterator[tuple[str, dict[str, bytes], asyncio.Event]]:
    """A loopback server: /files/NAME streams bytes in chunks; /paused/NAME waits halfway."""
    files: dict[str, bytes] = {}
    release = asyncio.Event()

    async def serve(request: web.Request) -> web.StreamResponse:
        data = files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        response = web.StreamResponse(headers={"Content-Type": "application/warc"})
        await response.prepare(request)
        half = len(data) // 2 if request.path.startswith("/paused/") else len(data)
        for start in range(0, half, 65536):
            await response.write(data[start : min(start + 65536, half)])
        if half < len(data):
            await asyncio.wait_for(release.wait(), timeout=10)
            await response.write(data[half:])
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/files/{name}", serve)
    app.router.add_get("/paused/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", files, release
    finally:
        await runner.cleanup()


async def test_an_http_source_gives_the_same_pages_as_the_path(
    archive_server: tuple[str, dict[str, bytes], asyncio.Event],
) -> None:
    base, files, _ = archive_server
    path = DATA / "commoncrawl" / "CC-MAIN-2020-34-sample.warc.gz"
    files["cc.warc.gz"] = path.read_bytes()
    from_url = await asyncio.to_thread(_read, f"{base}/files/cc.warc.gz")
    from_path = _read(str(path))
    assert from_url[1] is None and from_path[1] is None
    assert [(p.url, p.date, p.headers, p.body) for p in from_url[0]] == [
        (p.url, p.date, p.headers, p.body) for p in from_path[0]
    ]
    assert len(from_url[0]) == 16


async def test_an_http_source_is_streamed_not_downloaded_first(
    archive_server: tuple[str, dict[str, bytes], asyncio.Event],
) -> None:
    base, files, release = archive_server
    files["a.warc"] = _archive(40)
    loop = asyncio.get_running_loop()

    def read_while_the_server_waits() -> list[str]:
        reader = iter_archive(f"{base}/paused/a.warc", timeout_s=5)
        first = next(reader)  # the server has sent half the file and waits
        loop.call_soon_threadsafe(release.set)
        return [first.url] + [p.url for p in reader]

    urls = await asyncio.to_thread(read_while_the_server_waits)
    assert urls == [f"https://site.example/{n}" for n in range(40)]


async def test_a_404_url_gives_an_archive_error_naming_the_url(
    archive_server: tuple[str, dict[str, bytes], asyncio.Event],
) -> None:
    base, _, _ = archive_server
    url = f"{base}/files/missing.warc.gz"
    with pytest.raises(ArchiveUnavailable, match=re.escape(f"HTTP 404 Not Found for {url}")):
        await asyncio.to_thread(lambda: list(iter_archive(url)))


async def test_a_download_cut_short_yields_the_whole_records_then_says_how_much_came() -> None:
    data = _archive(10, gzip_records=True)

    async def half_then_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(data) + data[: len(data) // 2])
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(half_then_hang_up, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/a.warc.gz"
    try:
        pages, error = await asyncio.to_thread(_read, url)
    finally:
        server.close()
    assert 0 < len(pages) < 10
    assert [p.body for p in pages] == [HTML.format(n=n).encode() for n in range(len(pages))]
    assert isinstance(error, ArchiveTruncated)
    assert str(error) == (
        f"download cut short after {len(pages)} records in {url}: got {len(data) // 2} of {len(data)} bytes"
    )
