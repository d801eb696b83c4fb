"""Benchmark archives made from the real ones: WARC shards (copies of real responses) and WAT shards.

Copies of a page get a `bench-copy=N` query parameter, so each is a page of its own in the index
while parsing costs what the real page costs. WAT records are written the way Common Crawl's
ia-web-commons writes them (Envelope -> Payload-Metadata -> HTTP-Response-Metadata ->
HTML-Metadata with Head and Links), from the links lxml finds in the same real pages.
"""

import gzip
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from fastwarc.warc import ArchiveIterator, WarcRecordType
from lxml import etree

from workers.archives import iter_archive
from workers.extract.decode import decode_body

#: What the WAT extractor names itself; its date (>= 2017-09) says rel is recorded.
WAT_SOFTWARE = "ia-web-commons.1.1.10-SNAPSHOT-20240513115544"


@dataclass(frozen=True)
class RawResponse:
    """A WARC response record as stored: its URL, date and HTTP block (status line, headers, body)."""

    url: str
    date: str
    block: bytes


def raw_responses(paths: Iterable[Path]) -> list[RawResponse]:
    """Every response record of the archives, unparsed."""
    out = []
    for path in paths:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=False):
                url = (record.headers.get("WARC-Target-URI") or "").strip("<>")
                out.append(RawResponse(url, record.headers.get("WARC-Date") or "", record.reader.read()))
    return out


def copy_url(url: str, copy: int) -> str:
    """The URL of the copy-th copy of a page (the page itself for 0)."""
    if copy == 0:
        return url
    base, _, fragment = url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}bench-copy={copy}"
    return f"{joined}#{fragment}" if fragment else joined


def warc_record(headers: dict[str, str], block: bytes) -> bytes:
    """One gzip member holding one WARC record (per-record gzip, as Common Crawl writes)."""
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n", compresslevel=6)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def write_shards(records: list[bytes], folder: Path, stem: str, shards: int, head: bytes = b"") -> list[Path]:
    """Deal the records round-robin into `shards` files (each starting with `head`)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}-{i:02d}.{'warc.wat.gz' if 'wat' in stem else 'warc.gz'}" for i in range(shards)]
    handles = [path.open("wb") for path in paths]
    try:
        for handle in handles:
            handle.write(head)
        for index, record in enumerate(records):
            handles[index % shards].write(record)
    finally:
        for handle in handles:
            handle.close()
    return paths


def warc_shards(responses: list[RawResponse], copies: int, shards: int, folder: Path) -> tuple[list[Path], int]:
    """WARC shards holding `copies` copies of every response; (paths, records written)."""
    records = [
        warc_record({"WARC-Type": "response", "WARC-Record-ID": _record_id(), "WARC-Date": r.date,
                     "WARC-Target-URI": copy_url(r.url, copy), "Content-Type": "application/http; msgtype=response"},
                    r.block)
        for copy in range(copies)
        for r in responses
    ]
    return write_shards(records, folder, "warc", shards), len(records)


# -- WAT ------------------------------------------------------------------------------------------
def _text(el: etree._Element) -> str:
    return " ".join(" ".join(el.itertext()).split())[:100]


def html_metadata(html: str) -> dict[str, object]:
    """The `HTML-Metadata` ia-web-commons writes for a page: Head (Title, Metas, Link) and Links."""
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8", huge_tree=True))
    except (etree.ParserError, ValueError):
        return {"Head": {}, "Links": []}
    head: dict[str, object] = {"Metas": [], "Link": []}
    links: list[dict[str, str]] = []
    for el in root.iter(etree.Element):
        tag, attrs = el.tag, el.attrib
        if tag == "title" and "Title" not in head:
            head["Title"] = _text(el)
        elif tag == "base" and attrs.get("href"):
            head["Base"] = attrs["href"]
        elif tag == "meta":
            head["Metas"].append({k: v for k, v in attrs.items()})  # type: ignore[attr-defined]
        elif tag == "link" and attrs.get("href"):
            entry = {"path": "LINK@/href", "url": attrs["href"], **({"rel": attrs["rel"]} if "rel" in attrs else {})}
            head["Link"].append(entry)  # type: ignore[attr-defined]
            links.append(entry)
        elif tag in ("a", "area") and attrs.get("href") is not None:
            entry = {"path": f"{tag.upper()}@/href", "url": attrs["href"]}
            text = _text(el) if tag == "a" else ""
            for name, value in (("text", text), ("alt", attrs.get("alt")), ("title", attrs.get("title")),
                                ("rel", attrs.get("rel"))):
                if value:
                    entry[name] = value
            links.append(entry)
        elif tag in ("img", "script", "iframe") and attrs.get("src"):
            links.append({"path": f"{tag.upper()}@/src", "url": attrs["src"],
                          **({"alt": attrs["alt"]} if attrs.get("alt") else {})})
        elif tag == "form" and attrs.get("action"):
            links.append({"path": "FORM@/action", "url": attrs["action"]})
    return {"Head": head, "Links": links}


def _wat_json(url: str, date: str, headers: list[tuple[str, str]], status: int, metadata: dict[str, object]) -> bytes:
    envelope = {
        "Format": "WARC",
        "WARC-Header-Metadata": {"WARC-Type": "response", "WARC-Date": date, "WARC-Target-URI": url,
                                 "Content-Type": "application/http; msgtype=response"},
        "Payload-Metadata": {
            "Actual-Content-Type": "application/http; msgtype=response",
            "HTTP-Response-Metadata": {
                "Headers": dict(headers),
                "Response-Message": {"Status": str(status), "Version": "HTTP/1.1", "Reason": "OK"},
                "HTML-Metadata": metadata,
            },
        },
    }
    return json.dumps({"Container": {"Compressed": True}, "Envelope": envelope}, separators=(",", ":")).encode()


def wat_pages(paths: Iterable[Path]) -> Iterator[tuple[str, str, list[tuple[str, str]], int, dict[str, object]]]:
    """(url, date, headers, status, HTML-Metadata) of every HTML page of the archives."""
    for path in paths:
        with iter_archive(str(path)) as reader:
            for page in reader:
                assert page.body is not None
                content_type = next((v for k, v in page.headers if k.lower() == "content-type"), None)
                html, _ = decode_body(page.body, content_type)
                date = _iso(page.date)
                yield page.url, date, page.headers, page.status, html_metadata(html)


def _iso(unix: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wat_shards(sources: list[Path], copies: int, shards: int, folder: Path) -> tuple[list[Path], int]:
    """WAT shards describing `copies` copies of every HTML page of `sources`; (paths, records)."""
    pages = list(wat_pages(sources))
    info = f"software-info: {WAT_SOFTWARE}\r\nformat: WARC File Format 1.0\r\n".encode()
    head = warc_record({"WARC-Type": "warcinfo", "WARC-Record-ID": _record_id(), "WARC-Date": "2024-05-20T00:00:00Z",
                        "Content-Type": "application/warc-fields"}, info)
    records = [
        warc_record({"WARC-Type": "metadata", "WARC-Record-ID": _record_id(), "WARC-Date": date,
                     "WARC-Target-URI": copy_url(url, copy), "Content-Type": "application/json"},
                    _wat_json(copy_url(url, copy), date, headers, status, metadata))
        for copy in range(copies)
        for url, date, headers, status, metadata in pages
    ]
    return write_shards(records, folder, "wat", shards, head), len(records)
