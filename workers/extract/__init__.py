"""Link extraction in two layers: `parse` lists every link of a page, `policy` decides backlinks."""

from workers.extract.decode import decode_body
from workers.extract.model import Mention, ParsedPage, RawLink
from workers.extract.parse import parse_page
from workers.extract.policy import external_link_count, links_for_target, outbound_links
from workers.extract.urls import resolve_url, url_host

__all__ = [
    "Mention",
    "ParsedPage",
    "RawLink",
    "decode_body",
    "external_link_count",
    "links_for_target",
    "outbound_links",
    "parse_page",
    "resolve_url",
    "url_host",
]
