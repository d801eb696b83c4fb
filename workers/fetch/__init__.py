"""Page fetching for deep scans: `Fetcher` (page cache, robots.txt, host slots, SSRF guard)."""

from workers.fetch.errors import FetchConfigError, FetchError
from workers.fetch.fetcher import Fetcher
from workers.fetch.guard import AddressPolicy

__all__ = ["AddressPolicy", "FetchConfigError", "FetchError", "Fetcher"]
