"""Discovery sources: where candidate referring pages come from."""

import logging

from backlinks.settings import Settings
from workers.sources.base import Candidate, Source, SourceContext, SourceDisabled
from workers.sources.index import IndexSource
from workers.sources.seeds import SeedsSource

log = logging.getLogger(__name__)

#: Every source class by its configuration name (`BACKLINKS_SOURCES=index,...`).
REGISTRY: dict[str, type[Source]] = {IndexSource.name: IndexSource, SeedsSource.name: SeedsSource}

__all__ = ["REGISTRY", "Candidate", "Source", "SourceContext", "SourceDisabled", "load_sources"]


def load_sources(settings: Settings, context: SourceContext) -> list[Source]:
    """The enabled sources, in configuration order; logs which are on and off."""
    sources: list[Source] = []
    for name in settings.sources:
        cls = REGISTRY.get(name)
        if cls is None:
            log.warning("unknown source %r in BACKLINKS_SOURCES; known: %s", name, ", ".join(REGISTRY))
            continue
        try:
            sources.append(cls.from_settings(settings, context))
        except SourceDisabled as exc:
            log.info("source %s is off: %s", name, exc)
    return sources
