"""A crawl's database writes, off the reactor thread, one at a time and in the order handed over.

Writing a batch of postings with their job assignment takes seconds; done on the reactor thread it
stalls every download meanwhile. Every write of a crawl (postings, rejects, pages found gone) goes
through one worker thread instead: batches stay in order, the crawl is the database's only writer
from this process (SQLite takes one writer at a time; the reactor never waits for its lock), and
what a write returns reaches the reactor thread, where the crawl's stats are kept.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# The writer's work (fingerprints, matching) is Python holding the GIL; the reactor thread, woken
# by I/O many times per response, waits for it each time up to the switch interval (5 ms by
# default), which slowed downloads more than the writes did on the reactor. 0.5 ms keeps it lively.
GIL_SWITCH_INTERVAL = 0.0005


class SerialWriter:
    """One per crawler (:meth:`of`); ``submit`` from the reactor thread, ``drain`` before judging."""

    def __init__(self) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-writer")
        self._pending: list[asyncio.Future] = []

    @classmethod
    def of(cls, crawler) -> SerialWriter:
        writer = getattr(crawler, "_aggregator_serial_writer", None)
        if writer is None:
            writer = crawler._aggregator_serial_writer = cls()
        return writer

    def submit(self, work: Callable[..., T], *args: Any, then: Callable[[T], None] | None = None) -> asyncio.Future:
        """Run ``work(*args)`` after every write submitted before it; ``then(result)`` runs on the
        reactor thread. ``work`` must turn its own failures into results: nobody awaits it but drain."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        if then is not None:
            future.add_done_callback(lambda done: then(done.result()))
        self._pending.append(future)
        future.add_done_callback(self._pending.remove)
        return future

    @property
    def queued(self) -> int:
        """Writes not yet settled (done, and their ``then`` run)."""
        return len(self._pending)

    async def _settle_some(self) -> None:
        # Always yields to the loop: a write that is done settles in callbacks the loop has yet to
        # run, and awaiting a done future would return at once, without ever letting them run.
        not_done = [future for future in self._pending if not future.done()]
        if not_done:
            await asyncio.wait(not_done[:1])
        else:
            await asyncio.sleep(0)

    async def wait_for_oldest(self) -> None:
        if self._pending:
            await self._settle_some()

    async def drain(self) -> None:
        """Wait until everything submitted so far (and anything submitted meanwhile) is written and
        its ``then`` has run."""
        while self._pending:
            await self._settle_some()
