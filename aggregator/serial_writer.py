"""A crawl's database writes, in a process of their own, one at a time and in the order handed over.

Writing a batch of postings with their job assignment (fingerprints, matching, SQL) costs more CPU
than downloading and extracting them. In a thread it would still hold the GIL the reactor needs, so
every write of a crawl (postings, rejects, pages found gone) runs in one writer process instead, on
another core: batches stay in order, the crawl is the database's only writer from this process tree
(SQLite takes one writer at a time; the reactor never waits for its lock), and what a write returns
comes back to the reactor thread, where the crawl's stats are kept.

The writer process ignores SIGINT and SIGTERM (the crawl stops cleanly on them, and drains its
writes first); it logs through the crawl's own loggers; and it ends on its own once the crawl's
process is gone, so a killed crawl leaves nothing behind (its open transaction is rolled back).
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

# How often the writer process checks that the crawl's process is still there.
PARENT_CHECK_SECONDS = 0.5

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

_shared: SerialWriter | None = None
_shared_lock = threading.Lock()


class SerialWriter:
    """One per process (:meth:`of`); ``submit`` from the reactor thread, ``drain`` before judging.

    ``work`` and its arguments cross to the writer process: a module-level function and picklable
    values. The process starts at the first submit (or :meth:`start`) and stops at :meth:`close`
    (at the latest when the crawl's process exits).
    """

    def __init__(self, log_level: int | str = logging.INFO) -> None:
        # spawn, not fork: the crawl's process runs threads (the reactor's, the log listener's) that
        # a forked child would inherit in whatever state they were.
        context = multiprocessing.get_context("spawn")
        self._log_records = context.Queue()
        self._log_listener = logging.handlers.QueueListener(self._log_records, _ToOwnLogger())
        self._log_listener.start()
        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_writer_process_started,
            initargs=(os.getpid(), self._log_records, log_level),
        )
        self._pending: list[asyncio.Future] = []
        self._closed = False

    @classmethod
    def of(cls, crawler) -> SerialWriter:
        """The writer of this process's crawls: crawls run one after another in one process (tests,
        several spiders in one CrawlerProcess) share it rather than each starting one."""
        global _shared
        with _shared_lock:
            if _shared is None or _shared.broken:
                _shared = cls(crawler.settings.get("LOG_LEVEL", "DEBUG"))
                atexit.register(_shared.close)
            return _shared

    @property
    def broken(self) -> bool:
        """The writer process died: every write handed to it fails, a new one is needed."""
        return self._closed or bool(getattr(self._executor, "_broken", False))

    def start(self, warm_up: Callable[..., Any], *args: Any) -> None:
        """Start the writer process now (its imports and ``warm_up(*args)``, such as opening the
        database and loading what matching needs, overlap the crawl's start), not at the first write."""
        self._executor.submit(warm_up, *args).add_done_callback(_log_failure)

    def submit(
        self,
        work: Callable[..., T],
        *args: Any,
        then: Callable[[T], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> asyncio.Future:
        """Run ``work(*args)`` in the writer process after every write submitted before it;
        ``then(result)`` runs on the reactor thread. ``work`` must turn its own failures into results;
        ``failed(message)`` (on the reactor thread) is for the writer process itself failing: killed, out
        of memory, or a value that cannot cross to it."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor, work, *args)
        except Exception as error:  # noqa: BLE001 - the writer process is gone: this write fails, visibly
            future = loop.create_future()
            future.set_exception(error)

        def settled(done: asyncio.Future) -> None:
            self._pending.remove(done)
            error = done.exception()
            if error is None:
                if then is not None:
                    then(done.result())
                return
            message = f"the writer process failed: {error!r}"
            logger.error("a database write failed: %s", message)
            if failed is not None:
                failed(message)

        self._pending.append(future)
        future.add_done_callback(settled)
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

    def close(self) -> None:
        """Stop the writer process once it has done what it was given (drain first to have the results)."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self._log_listener.stop()
        self._log_records.close()


class _ToOwnLogger(logging.Handler):
    """Hands a record from the writer process to the logger of the same name here, so it goes
    wherever the crawl's log goes (console, LOG_FILE, scrapyd's log)."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(record.name)
        if target.isEnabledFor(record.levelno):
            target.handle(record)


def _writer_process_started(parent_pid: int, log_records, level: int) -> None:
    # The crawl decides when to stop; a Ctrl-C or SIGTERM sent to the whole process group must not
    # break a write the crawl is about to wait for.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(log_records)]
    root.setLevel(level)
    _end_with_parent(parent_pid)


def _end_with_parent(parent_pid: int) -> None:
    """Called in the writer process as it starts."""
    # The crawl's process was killed (SIGKILL, out of memory): it cannot ask this one to stop. The
    # writer must die with it, as a thread would, so that the write it was doing is rolled back
    # (a killed crawl leaves whole batches only, and nothing lands after the next run began), and
    # so that it does not keep the crawl's output pipes open (scrapyd waits for them).
    if sys.platform == "linux":
        # The kernel kills this process the moment its parent dies.
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()
    if os.getppid() != parent_pid:  # died before that took effect
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    # Where there is no prctl: look now and then (a write in progress may still commit).
    stop = threading.Event()
    while not stop.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent_pid:
            os._exit(1)


def _log_failure(done: Future) -> None:
    if (error := done.exception()) is not None:
        logger.error("the writer process could not start: %r", error)
