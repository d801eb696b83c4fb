"""A generated link corpus with a realistic shape, written to the index the way ingest writes it.

Referring pages sit on a few thousand sites (www/blog/news hosts, mixed TLDs, dated slugs), each
with about 30 outbound links (5 to 150, long-tailed). Link targets follow a Zipf law over a large
vocabulary of domains (a few giants, a long tail), mostly on `www.`, some on other subdomains;
paths of 1 to 4 words, some with tracking queries. Anchor texts are 1 to 6 words, or "read more",
or the bare URL, or missing (image links); rel is mostly empty, else nofollow, noopener, ugc or
sponsored; 3 % of entries are plain-text mentions. `plants` adds one link per page to chosen
targets on the first N pages, so a target has exactly N referring pages.
"""

import asyncio
import itertools
import random
from collections.abc import Iterator
from itertools import accumulate

import redis.asyncio as aioredis

from contracts.enums import LinkKind, LinkType
from contracts.index import IndexedLink, PageRecord
from storage.index import IndexWriter
from storage.keys import Keys

_TLDS = ("com", "com", "com", "org", "net", "co.uk", "de", "fr", "io", "nl", "com.au", "blogspot.com")
_WORDS = ("best", "guide", "review", "news", "how", "to", "the", "new", "top", "free", "open", "source",
          "data", "city", "local", "market", "report", "travel", "food", "health", "tech", "music", "games",
          "sport", "world", "business", "science", "home", "garden", "photo", "video", "learn", "python",
          "design", "energy", "climate", "finance", "policy", "history", "art", "books", "film", "football")
_RELS = ((), (), (), (), (), (), (), (), (), (), (), (), (), (), (), (), ("nofollow",), ("nofollow",),
         ("noopener",), ("ugc",), ("sponsored",), ("nofollow", "noopener"))
_SUBDOMAINS = ("www",) * 16 + ("", "shop", "docs", "blog", "en", "news")
DATE = 1_700_000_000


class Corpus:
    """Deterministic generator of referring pages (PageRecords)."""

    def __init__(self, seed: int = 7, target_domains: int = 100_000, sites: int = 5_000) -> None:
        self.rng = random.Random(seed)
        self.target_domains = target_domains
        self.sites = sites
        weights = [1 / (rank**1.07) for rank in range(1, target_domains + 1)]
        self._target_cum = list(accumulate(weights))
        site_weights = [1 / (rank**0.8) for rank in range(1, sites + 1)]
        self._site_cum = list(accumulate(site_weights))

    @staticmethod
    def target_domain(rank: int) -> str:
        """The registrable domain of the target of Zipf rank `rank` (1 = the most linked)."""
        return f"dest{rank}.{_TLDS[rank % len(_TLDS)]}"

    def _words(self, low: int, high: int) -> list[str]:
        return self.rng.choices(_WORDS, k=self.rng.randint(low, high))

    def _link(self, domain: str, subdomain: str | None = None) -> IndexedLink:
        rng = self.rng
        sub = rng.choice(_SUBDOMAINS) if subdomain is None else subdomain
        host = f"{sub}.{domain}" if sub else domain
        if rng.random() < 0.03:
            return IndexedLink(target_url=None, target_host=host, anchor_text=host, link_type=LinkType.MENTION,
                               kind=LinkKind.MENTION, first_seen=DATE, last_seen=DATE)
        path = "/" + "/".join("-".join(self._words(1, 3)) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.1:
            path += f"?utm_source={rng.choice(_WORDS)}&utm_medium=referral"
        url = f"https://{host}{path}"
        roll = rng.random()
        anchor: str | None
        if roll < 0.1:
            anchor = None
        elif roll < 0.15:
            anchor = rng.choice(("read more", "click here", "source", "here", "link"))
        elif roll < 0.25:
            anchor = url
        else:
            anchor = " ".join(self._words(1, 6)).capitalize()
        rel = rng.choice(_RELS)
        link_type = LinkType.NOFOLLOW if {"nofollow", "ugc", "sponsored"} & set(rel) else LinkType.DOFOLLOW
        return IndexedLink(target_url=url, target_host=host, anchor_text=anchor, rel=list(rel), link_type=link_type,
                           first_seen=DATE, last_seen=DATE)

    def page(self, index: int, plants: dict[str, int] | None = None) -> PageRecord:
        """The index-th referring page (with a link to every planted target whose count exceeds index)."""
        rng = self.rng
        site = rng.choices(range(1, self.sites + 1), cum_weights=self._site_cum)[0]
        host = f"{rng.choice(('www', 'blog', 'news'))}.site{site}.{_TLDS[site % len(_TLDS)]}"
        url = f"https://{host}/{2015 + index % 10}/{index % 12 + 1:02d}/{'-'.join(self._words(2, 6))}-{index}"
        count = min(150, 5 + int(rng.expovariate(1 / 25)))
        ranks = rng.choices(range(1, self.target_domains + 1), cum_weights=self._target_cum, k=count)
        links = [self._link(self.target_domain(rank)) for rank in ranks]
        for target, pages in (plants or {}).items():
            if index < pages:
                links.insert(rng.randint(0, len(links)), self._link(target, subdomain="www"))
        return PageRecord(url=url, host=host, first_seen=DATE, last_seen=DATE,
                          external_links=sum(1 for link in links if link.kind != LinkKind.MENTION),
                          links=links, origin="bench-corpus")

    def pages(self, count: int, start: int = 0, plants: dict[str, int] | None = None) -> Iterator[PageRecord]:
        """Pages start .. start+count-1."""
        for index in range(start, start + count):
            yield self.page(index, plants)


async def write_pages(client: aioredis.Redis, namespace: str, pages: Iterator[PageRecord], *, batch: int = 200,
                      in_flight: int = 4) -> int:
    """Write pages through IndexWriter in batches, up to `in_flight` batches at once; links written."""
    writer = IndexWriter(client, Keys(namespace))
    slots = asyncio.Semaphore(in_flight)
    tasks: list[asyncio.Task[tuple[int, int]]] = []
    links = 0

    async def one(chunk: list[PageRecord]) -> tuple[int, int]:
        try:
            return await writer.write(chunk)
        finally:
            slots.release()

    for chunk in iter(lambda: list(itertools.islice(pages, batch)), []):
        links += sum(len(p.links) for p in chunk)
        await slots.acquire()
        tasks.append(asyncio.create_task(one(chunk)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return links
