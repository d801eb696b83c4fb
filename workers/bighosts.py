"""Search and social hosts dropped from results unless `include_big` is set."""

from functools import lru_cache

from backlinks.domains import host_in_target, public_suffix, registrable_domain


@lru_cache(maxsize=16)
def _patterns(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Split `google.*` (any public suffix) from exact `facebook.com` patterns."""
    any_suffix = frozenset(p[:-2] for p in patterns if p.endswith(".*"))
    exact = tuple(p for p in patterns if not p.endswith(".*"))
    return any_suffix, exact


def is_big_host(host: str, patterns: tuple[str, ...]) -> bool:
    """True when the host (or its registrable domain) is on the configured list."""
    any_suffix, exact = _patterns(patterns)
    if any(host_in_target(host, domain) for domain in exact):
        return True
    registrable = registrable_domain(host)
    suffix = public_suffix(host)
    name = registrable[: -len(suffix) - 1] if suffix and registrable.endswith("." + suffix) else registrable
    return name in any_suffix
