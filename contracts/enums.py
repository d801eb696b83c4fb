"""Enumerations shared by requests, results, jobs and the index."""

from enum import StrEnum


class LinkType(StrEnum):
    """How a referring page links to the target (the original API's four values)."""

    #: A followed link: no rel or page-level nofollow applies.
    DOFOLLOW = "dofollow"
    #: rel holds nofollow, ugc or sponsored, or the page says nofollow for all links.
    NOFOLLOW = "nofollow"
    #: The page names the target in visible text without linking to it.
    MENTION = "mention"
    #: The link is known from a source that did not show its attributes.
    UNKNOWN = "unknown"


class LinkKind(StrEnum):
    """Where on the page a link came from."""

    #: `<a href>`, `<area href>` or SVG `<a>`.
    ANCHOR = "anchor"
    #: `<meta http-equiv="refresh">` pointing at the target.
    REDIRECT = "redirect"
    #: A known redirector (google.com/url?q=...) whose destination is the target.
    WRAPPED = "wrapped"
    #: A cross-domain `<link rel="canonical">`.
    CANONICAL = "canonical"
    #: The target named in visible text.
    MENTION = "mention"


class JobStatus(StrEnum):
    """Lifecycle of an asynchronous job."""

    #: Published, not yet picked up by a worker.
    QUEUED = "queued"
    #: A worker is executing it.
    RUNNING = "running"
    #: Finished with a result.
    DONE = "done"
    #: Finished with an error.
    FAILED = "failed"


class JobKind(StrEnum):
    """What a job does."""

    #: A backlink check of one domain.
    CHECK = "check"
    #: Ingest of one WARC or WAT file into the link index.
    INGEST = "ingest"
    #: A finished comparison, kept to deliver its webhook.
    COMPARE = "compare"
    #: A finished new-vs-lost answer, kept to deliver its webhook.
    DIFF = "diff"


#: Rank of each link type when choosing a row's best link (lower wins).
LINK_TYPE_RANK: dict[LinkType, int] = {
    LinkType.DOFOLLOW: 0,
    LinkType.NOFOLLOW: 1,
    LinkType.UNKNOWN: 2,
    LinkType.MENTION: 3,
}
