"""The link index as a discovery source."""

from collections.abc import AsyncIterator
from typing import ClassVar

from backlinks.settings import Settings
from storage.index import IndexReader
from workers.sources.base import Candidate, SourceContext


class IndexSource:
    """Pages of our own link index (built by `backlinks ingest`) that link to or mention the target."""

    name: ClassVar[str] = "index"

    def __init__(self, reader: IndexReader, limit: int) -> None:
        self.reader = reader
        self.limit = limit

    @classmethod
    def from_settings(cls, settings: Settings, context: SourceContext) -> "IndexSource":
        """Always on: the index is part of every install."""
        return cls(IndexReader(context.client, context.keys), settings.max_results)

    async def discover(self, target: str) -> AsyncIterator[Candidate]:
        """One candidate per indexed page with a live link or mention to the target."""
        for record in await self.reader.pages_linking_to(target, limit=self.limit):
            yield Candidate(url=record.url, source=self.name, record=record)

    async def aclose(self) -> None:
        """Nothing to release."""
