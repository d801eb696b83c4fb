"""Browser-like (WHATWG) resolution of an href against a base URL, for http(s) URLs only."""

import codecs
import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote

import idna
from idna.core import uts46_remap

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_STRIP = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: Most hrefs on real pages: absolute, lower-case ASCII host, nothing to encode or collapse.
_PLAIN_ABSOLUTE = re.compile(
    r"(https?)://([a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.?)(/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*)?"
    r"(\?[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*)?(#[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?"
)
#: An absolute path with nothing to collapse or encode.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_DOT_SEGMENT = re.compile(r"/\.|%2e", re.IGNORECASE)
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_IDEOGRAPHIC_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})

# Percent-encode sets (WHATWG URL standard, section 1.3).
_C0 = frozenset(chr(c) for c in range(0x20)) | {"\x7f"}
_FRAGMENT_SET = _C0 | frozenset(' "<>`')
_QUERY_SET = _C0 | frozenset(' "#<>\'')
_PATH_SET = _C0 | frozenset(' "#<>?^`{}')
_USERINFO_SET = _PATH_SET | frozenset("/:;=@[\\]|")


def _needs(encode_set: frozenset[str]) -> re.Pattern[str]:
    """A pattern finding any character a percent-encode set (or non-ASCII) would encode."""
    return re.compile("[" + re.escape("".join(sorted(encode_set))) + "\x80-\U0010ffff]")


_NEEDS = {id(s): _needs(s) for s in (_FRAGMENT_SET, _QUERY_SET, _PATH_SET, _USERINFO_SET)}


def _percent_encode(text: str, encode_set: frozenset[str], encoding: str = "utf-8") -> str:
    """Percent-encode the characters of `text` in `encode_set` and every non-ASCII one."""
    if not _NEEDS[id(encode_set)].search(text):
        return text
    out: list[str] = []
    for ch in text:
        if ch in encode_set:
            out.append(f"%{ord(ch):02X}")
        elif ch.isascii():
            out.append(ch)
        else:
            data = ch.encode(encoding, errors="xmlcharrefreplace") if encoding != "utf-8" else (
                ch.encode("utf-8", errors="replace")
            )
            if encoding != "utf-8" and data.startswith(b"&#"):
                # Not representable in the page's encoding: browsers send the numeric reference.
                out.append("".join(f"%{b:02X}" if chr(b) in _QUERY_SET or b in b"&#;" else chr(b)
                                   for b in data))
            else:
                out.append("".join(f"%{b:02X}" for b in data))
    return "".join(out)


@lru_cache(maxsize=256)
def _query_encoding(encoding: str) -> str:
    """The encoding a browser uses for a query string on a page in `encoding`."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if name.startswith("utf"):
        return "utf-8"
    return name


def _parse_ipv4_number(part: str) -> int | None:
    if part[:2].lower() == "0x":
        digits, radix = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, radix = part[1:], 8
    else:
        digits, radix = part, 10
    if not digits:
        return 0
    try:
        return int(digits, radix)
    except ValueError:
        return None


def _ipv4(host: str) -> str | None:
    """Serialise a host that ends in a number as dotted IPv4; None when it is not a valid one."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return None
    numbers = [_parse_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers) or "" in parts:
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for index, n in enumerate(values[:-1]):
        address += n * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(address))


def _ends_in_number(host: str) -> bool:
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if last.isdigit():
        return True
    return last[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF" for c in last[2:])


def _to_ascii(host: str) -> str | None:
    """UTS-46 mapping and punycode, lenient where the strict IDNA 2008 rules would refuse."""
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    try:
        mapped = uts46_remap(host, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        mapped = host.translate(_IDEOGRAPHIC_DOTS).lower()
    labels = []
    for label in mapped.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
        except UnicodeError:
            return None
    return ".".join(labels)


@lru_cache(maxsize=16384)
def _parse_host(raw: str) -> str | None:
    """The WHATWG host parser for special schemes: a lower-case ASCII host, or None."""
    if raw.startswith("["):
        if not raw.endswith("]"):
            return None
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError:
            return None
    if "%" in raw:
        raw = unquote(raw, errors="replace")
    host = raw.lower() if raw.isascii() else _to_ascii(raw)
    if not host or _FORBIDDEN_HOST.search(host):
        return None
    if _ends_in_number(host):
        return _ipv4(host)
    return host


def _split_authority(rest: str) -> tuple[str, str]:
    """Split `rest` (after the slashes) into the authority and what follows it."""
    end = len(rest)
    for sep in "/\\?#":
        pos = rest.find(sep)
        if pos != -1 and pos < end:
            end = pos
    return rest[:end], rest[end:]


def _authority(scheme: str, authority: str) -> str | None:
    """Normalise `userinfo@host:port`; None when the host or port is unusable."""
    userinfo = ""
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
    host, port = authority, ""
    colon = authority.rfind(":")
    if colon != -1 and "]" not in authority[colon:]:
        host, port = authority[:colon], authority[colon + 1 :]
        if port and not (port.isascii() and port.isdigit()):
            return None
        if port:
            number = int(port)
            if number > 65535:
                return None
            port = str(number)
    parsed = _parse_host(host)
    if not parsed:
        return None
    if port == _DEFAULT_PORTS[scheme]:
        port = ""
    if userinfo:
        user, _, password = userinfo.partition(":")
        userinfo = _percent_encode(user, _USERINFO_SET)
        if password:
            userinfo += ":" + _percent_encode(password, _USERINFO_SET)
        userinfo += "@"
    return f"{userinfo}{parsed}{':' + port if port else ''}"


def _is_dot(segment: str) -> bool:
    return segment == "." or segment.lower() == "%2e"


def _is_dotdot(segment: str) -> bool:
    return segment in ("..", ".%2e", ".%2E", "%2e.", "%2E.") or segment.lower() == "%2e%2e"


def _normalise_path(path: str, base_segments: list[str] | None = None) -> str:
    """Collapse dot segments and percent-encode a path (backslashes count as slashes)."""
    segments = list(base_segments) if base_segments else []
    parts = path.replace("\\", "/").split("/")[1:] if path.startswith(("/", "\\")) else (
        path.replace("\\", "/").split("/")
    )
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if _is_dotdot(segment):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif _is_dot(segment):
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/" + "/".join(_percent_encode(s, _PATH_SET) for s in segments)


def _split_tail(tail: str) -> tuple[str, str | None, str | None]:
    """Split what follows the authority into path, query (without ?) and fragment (without #)."""
    fragment = query = None
    if "#" in tail:
        tail, _, fragment = tail.partition("#")
    if "?" in tail:
        tail, _, query = tail.partition("?")
    return tail, query, fragment


def _serialise(
    scheme: str, authority: str, path: str, query: str | None, fragment: str | None, encoding: str
) -> str:
    url = f"{scheme}://{authority}{path}"
    if query is not None:
        url += "?" + _percent_encode(query, _QUERY_SET, _query_encoding(encoding))
    if fragment is not None:
        url += "#" + _percent_encode(fragment, _FRAGMENT_SET)
    return url


@lru_cache(maxsize=4096)
def _split_base(base: str) -> tuple[str, str, str, str | None] | None:
    """A normalised base URL as (scheme, authority, path, query); None when it is not http(s)."""
    url = resolve_url(base, "")
    if url is None:
        return None
    scheme, _, rest = url.partition("://")
    authority, tail = _split_authority(rest)
    path, query, _ = _split_tail(tail)
    return scheme, authority, path, query


def _absolute(scheme: str, rest: str, encoding: str) -> str | None:
    """Resolve `scheme:` + `rest` when it carries its own authority."""
    rest = rest.lstrip("/\\")
    authority, tail = _split_authority(rest)
    normalised = _authority(scheme, authority)
    if normalised is None:
        return None
    path, query, fragment = _split_tail(tail)
    return _serialise(scheme, normalised, _normalise_path(path or "/"), query, fragment, encoding)


def _relative(href: str, base: tuple[str, str, str, str | None], encoding: str) -> str | None:
    scheme, authority, base_path, base_query = base
    if href.startswith(("//", "\\\\", "/\\", "\\/")):
        return _absolute(scheme, href, encoding)
    path, query, fragment = _split_tail(href)
    if _PLAIN_PATH.fullmatch(path) and "/." not in path and "%2" not in path:
        new_path = path
    elif path.startswith(("/", "\\")):
        new_path = _normalise_path(path)
    elif path:
        new_path = _normalise_path(path, base_path.split("/")[1:-1])
    else:
        new_path = base_path
        if query is None:
            query = base_query
    # The base's query is already encoded; re-encoding an encoded query is a no-op.
    return _serialise(scheme, authority, new_path, query, fragment, encoding)


def resolve_url(href: str, base: str, encoding: str = "utf-8") -> str | None:
    """Resolve `href` against `base` like a browser; the normalised http(s) URL, else None."""
    href = href.strip(_STRIP)
    if "\t" in href or "\n" in href or "\r" in href:
        href = _TAB_NEWLINE.sub("", href)
    plain = _PLAIN_ABSOLUTE.fullmatch(href)
    if plain and not _DOT_SEGMENT.search(href):
        scheme, host, path, query, fragment = plain.groups()
        if not _ends_in_number(host) and "xn--" not in host:
            return f"{scheme}://{host}{path or '/'}{query or ''}{fragment or ''}"
    match = _SCHEME.match(href)
    if match:
        scheme = match.group(1).lower()
        rest = href[match.end() :]
        if scheme not in _DEFAULT_PORTS:
            return None
        based = _split_base(base) if base else None
        if based and based[0] == scheme and not rest.startswith(("/", "\\")):
            # `https:page.html` on an https page is a relative reference (WHATWG).
            return _relative(rest, based, encoding)
        try:
            return _absolute(scheme, rest, encoding)
        except ValueError:
            return None
    based = _split_base(base) if base else None
    if based is None:
        return None
    try:
        return _relative(href, based, encoding)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def url_host(url: str) -> str:
    """The host of a normalised http(s) URL (no userinfo, no port), or "" when it has none."""
    _, sep, rest = url.partition("://")
    if not sep:
        return ""
    end = rest.find("/")
    authority = rest if end == -1 else rest[:end]
    if end == -1 or "?" in authority or "#" in authority:
        authority, _ = _split_authority(rest)
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        return authority[: authority.find("]") + 1]
    return authority.partition(":")[0].lower()


def forget_memos() -> None:
    """Empty the memos of URL and host parsing (benchmarks time passes over pages never seen)."""
    from backlinks import domains

    for memo in (url_host, _parse_host, _split_base, _query_encoding, domains.registrable_domain,
                 domains.public_suffix):
        memo.cache_clear()
