"""Pages named in a seed file: known placements to verify live (`BACKLINKS_SEED_FILE`)."""

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

from backlinks.domains import host_in_target
from backlinks.errors import InvalidTarget
from backlinks.settings import Settings
from backlinks.target import normalize_target
from workers.sources.base import Candidate, SourceContext, SourceDisabled

log = logging.getLogger(__name__)


class SeedsSource:
    """Candidates from a text file, one per line: `URL` (for every target) or `DOMAIN URL`.

    Typical use: the pages where you placed or bought links, re-checked by every deep scan of your
    domain. `#` starts a comment. The file is read at each scan, so edits apply at once. Seeds
    carry no link attributes: a quick scan gives them no row; a deep scan fetches and reads them.
    """

    name: ClassVar[str] = "seeds"

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_settings(cls, settings: Settings, context: SourceContext) -> "SeedsSource":
        """On when BACKLINKS_SEED_FILE names a file."""
        if not settings.seed_file:
            raise SourceDisabled("BACKLINKS_SEED_FILE is not set")
        return cls(Path(settings.seed_file))

    def entries(self) -> list[tuple[str | None, str]]:
        """(domain or None, URL) of every usable line."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SourceDisabled(f"cannot read seed file {self.path}: {exc}") from exc
        out: list[tuple[str | None, str]] = []
        for number, line in enumerate(lines, 1):
            parts = line.split("#", 1)[0].split()
            if not parts:
                continue
            domain: str | None = None
            if len(parts) == 2:
                try:
                    domain = normalize_target(parts[0])
                except InvalidTarget as exc:
                    log.warning("%s:%d: %s", self.path, number, exc)
                    continue
            url = parts[-1]
            if len(parts) > 2 or not url.startswith(("http://", "https://")):
                log.warning("%s:%d: expected 'URL' or 'DOMAIN URL'", self.path, number)
                continue
            out.append((domain, url))
        return out

    async def discover(self, target: str) -> AsyncIterator[Candidate]:
        """Seeds for this target (or for any target)."""
        for domain, url in self.entries():
            if domain is None or host_in_target(domain, target) or host_in_target(target, domain):
                yield Candidate(url=url, source=self.name)

    async def aclose(self) -> None:
        """Nothing to release."""
