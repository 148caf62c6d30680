"""A scheduler memory queue that holds its requests packed, for boards that queue a whole listing.

A sitemap shard queues every posting it lists at once (thousands per crawl, fetched over many
minutes). Each waiting ``Request`` is ~2.4 KB of live objects: its headers, meta and callback
objects, and Scrapy's per-request entries (its fingerprint cache, its live-object tracking). Packed
as the pickled dict Scrapy's own disk queues store (``Request.to_dict``), one is ~0.35 KB. Same
first-in first-out order, same requests out (rebuilt by ``request_from_dict``): only the waiting
is smaller.

Scrapy's ``to_dict(spider=…)`` looks the callbacks up among all the spider's members, ~0.5 ms a
request; here a callback is packed by name only when the spider's attribute of that name is that
very method (checked directly), and a request that cannot be packed so (another callback, a
``Request`` subclass, a meta value pickle refuses) waits as it is.
"""

from __future__ import annotations

import pickle
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


def _method_name(spider: Spider, method: Any) -> str | None:
    """The name under which ``spider`` has ``method`` (None for no method); ValueError when ``spider``
    has it under no name (a function, another object's method, a parent's method it overrides)."""
    if method is None:
        return None
    name = getattr(method, "__name__", None)
    if getattr(method, "__self__", None) is not spider or name is None:
        raise ValueError(f"{method!r} is not a method of {spider!r}")
    if getattr(getattr(spider, name, None), "__func__", None) is not method.__func__:
        raise ValueError(f"{spider!r}.{name} is not {method!r}")
    return name


def pack(request: Request, spider: Spider) -> bytes:
    """``request`` as the pickled ``Request.to_dict`` of it; ValueError when it cannot be."""
    if type(request) is not Request:
        raise ValueError(f"{type(request).__name__} is not packed")
    fields = {name: getattr(request, name) for name in Request.attributes}
    fields["callback"] = _method_name(spider, request.callback)
    fields["errback"] = _method_name(spider, request.errback)
    fields["headers"] = dict(request.headers)
    try:
        return pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise ValueError(str(exc)) from exc


def unpack(packed: bytes, spider: Spider) -> Request:
    return request_from_dict(pickle.loads(packed), spider=spider)


class PackedFifoMemoryQueue:
    """First in, first out, in memory; each request packed while it waits (module docstring)."""

    def __init__(self, crawler: Crawler, key: str = "") -> None:
        self.crawler = crawler
        self._waiting: deque[bytes | Request] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str = "", *args: Any, **kwargs: Any) -> PackedFifoMemoryQueue:
        return cls(crawler, key)

    def push(self, request: Request) -> None:
        try:
            self._waiting.append(pack(request, self.crawler.spider))
        except ValueError:
            self._waiting.append(request)

    def pop(self) -> Request | None:
        if not self._waiting:
            return None
        return self._unpacked(self._waiting.popleft())

    def peek(self) -> Request | None:
        if not self._waiting:
            return None
        return self._unpacked(self._waiting[0])

    def _unpacked(self, waiting: bytes | Request) -> Request:
        return unpack(waiting, self.crawler.spider) if isinstance(waiting, bytes) else waiting

    def close(self) -> None:
        self._waiting.clear()

    def __len__(self) -> int:
        return len(self._waiting)
