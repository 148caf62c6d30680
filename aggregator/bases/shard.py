"""One part of a board's crawl split over several processes or machines: ``-a shard=I/N``.

Only boards whose work divides take the argument: sitemap boards (each part reads the sitemaps and
fetches the postings whose URL hashes to it) and ATS boards (each part crawls a slice of the
companies). Paged feeds and APIs, whose next page is only known from the previous one, do not.

Every part divides the crawl's request rate by N (download delay × N, concurrency ÷ N), so the
site sees the rate of one crawl whichever way it is split.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aggregator.bases.base import JobSpider

T = TypeVar("T")
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Part ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SPEC.fullmatch(str(text))
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise ValueError(f"shard must be I/N with 1 <= I <= N (e.g. 2/3), not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, key: str) -> bool:
        """Whether ``key`` (a posting URL) is this part's: a hash every process and host computes
        alike (Python's hash() is salted per process)."""
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.count == self.index - 1

    def slice(self, items: Sequence[T]) -> list[T]:
        """This part's share of an ordered list (every N-th item), so parts get equal shares."""
        return list(items[self.index - 1 :: self.count])


# Politeness settings and how a part scales each: delays grow by N, concurrency shrinks by N.
_SLOWER = ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY")
_FEWER = ("CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_REQUESTS_PER_IP")


def share_politeness(settings, parts: int) -> None:
    """Scale a crawl's politeness settings for one of ``parts`` processes crawling one site at once.

    Each value keeps the priority it was set with (a `-s` on the command line stays a `-s`).
    """
    for name in _SLOWER:
        settings.set(name, settings.getfloat(name) * parts, priority=settings.getpriority(name) or 0)
    for name in _FEWER:
        if settings.getint(name) > 0:  # 0: no per-IP limit
            value = max(1, math.ceil(settings.getint(name) / parts))
            settings.set(name, value, priority=settings.getpriority(name) or 0)
    target = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")
    settings.set(
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        target / parts,
        priority=settings.getpriority("AUTOTHROTTLE_TARGET_CONCURRENCY") or 0,
    )


class ShardedSpider(JobSpider):
    """A board spider whose work divides: takes ``-a shard=I/N`` (no argument: the whole crawl)."""

    def __init__(self, *args: Any, shard: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shard = Shard.parse(shard) if shard not in (None, "") else None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.shard is not None and spider.shard.count > 1:
            share_politeness(crawler.settings, spider.shard.count)
        return spider

    def owns(self, url: str) -> bool:
        """Whether this process fetches ``url`` (always, when the crawl is not split)."""
        if self.shard is None or self.shard.owns(url):
            return True
        self.crawler.stats.inc_value("aggregator/shard/other_parts")
        return False
