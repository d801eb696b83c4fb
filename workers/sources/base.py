"""The extension point for discovery sources."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

import redis.asyncio as aioredis

from backlinks.errors import BacklinksError
from backlinks.settings import Settings
from contracts.index import PageRecord
from storage.keys import Keys


class SourceDisabled(BacklinksError):
    """Raised by `from_settings` when a source is not configured; the loader skips it."""


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What a source may use: the Redis client and key builder of this scan."""

    client: aioredis.Redis
    keys: Keys


@dataclass(frozen=True, slots=True)
class Candidate:
    """A page that may link to the target."""

    url: str
    source: str
    #: What the link index knows of the page, when it came from the index.
    record: PageRecord | None = None


class Source(Protocol):
    """A discovery source: `discover(target)` yields candidate referring pages.

    Implementations are small classes with a `name`, built by `from_settings` (which raises
    SourceDisabled when the source is not configured) and closed with `aclose`.
    """

    name: ClassVar[str]

    @classmethod
    def from_settings(cls, settings: Settings, context: SourceContext) -> "Source":
        """Build the source from settings, or raise SourceDisabled."""
        ...

    def discover(self, target: str) -> AsyncIterator[Candidate]:
        """Candidate referring pages for the target (a normalised domain)."""
        ...

    async def aclose(self) -> None:
        """Release what the source holds."""
        ...
