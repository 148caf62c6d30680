"""A crawl's database writes, in a process of their own, one at a time and in the order handed over.

Writing a batch of postings with their job assignment (fingerprints, matching, SQL) costs more CPU
than downloading and extracting them. In a thread it would still hold the GIL the reactor needs, so
every write of a crawl (postings, rejects, pages found gone) runs in one writer process instead, on
another core: batches stay in order, the crawl is the database's only writer from this process tree
(SQLite takes one writer at a time; the reactor never waits for its lock), and what a write returns
comes back to the reactor thread, where the crawl's stats are kept.

The writer process is a new interpreter that imports only what its work needs, talking to the
crawl's process over two pipes. (multiprocessing's spawn would first run the crawl's main script
again, all of Scrapy when it is ``scrapy crawl`` or scrapyd's runner, about 30 MB, and start a
resource tracker process besides, about 13 MB.)

The writer process ignores SIGINT and SIGTERM (the crawl stops cleanly on them, and drains its
writes first); it logs through the crawl's own loggers; and it ends on its own once the crawl's
process is gone, so a killed crawl leaves nothing behind (its open transaction is rolled back).
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import itertools
import logging
import logging.handlers
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from aggregator.child_python import child_environment

T = TypeVar("T")

logger = logging.getLogger(__name__)

# How often the writer process checks that the crawl's process is still there.
PARENT_CHECK_SECONDS = 0.5

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

_shared: SerialWriter | None = None
_shared_lock = threading.Lock()


class WriterProcessGone(RuntimeError):
    """The writer process ended before it answered."""


class SerialWriter:
    """One per process (:meth:`of`); ``submit`` from the reactor thread, ``drain`` before judging.

    ``work`` and its arguments cross to the writer process: a module-level function and picklable
    values. The process starts at the first submit (or :meth:`start`) and stops at :meth:`close`
    (at the latest when the crawl's process exits).
    """

    def __init__(self, log_level: int | str = logging.INFO) -> None:
        self._log_level = log_level
        self._process: subprocess.Popen | None = None
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()  # (number, work, args), None to stop
        # Each write's future and its loop (None: a warm-up, whose failure is only logged).
        self._waiting: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future] | None] = {}
        self._waiting_lock = threading.Lock()
        self._numbers = itertools.count()
        self._threads: list[threading.Thread] = []
        self._pending: list[asyncio.Future] = []
        self._gone = False
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
        return self._closed or self._gone

    def start(self, warm_up: Callable[..., Any], *args: Any) -> None:
        """Start the writer process now (its imports and ``warm_up(*args)``, such as opening the
        database and loading what matching needs, overlap the crawl's start), not at the first write."""
        self._send(None, warm_up, args)

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
        future = loop.create_future()
        self._send((loop, future), work, args)

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
        if self._process is None:
            return
        self._outbox.put(None)
        for thread in self._threads:
            thread.join()
        self._process.wait()

    def _send(self, waiter, work: Callable[..., Any], args: tuple) -> None:
        if self._process is None and not self._closed:
            self._start_process()
        number = next(self._numbers)
        with self._waiting_lock:  # _receive_all fails every write waiting once the process is gone
            gone = self.broken
            if not gone:
                self._waiting[number] = waiter
        if gone:
            self._settle(waiter, WriterProcessGone("the writer process is gone"), failed=True)
        else:
            self._outbox.put((number, work, args))

    def _start_process(self) -> None:
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from aggregator.serial_writer import serve; serve()",
             str(requests_read), str(replies_write), str(os.getpid()), str(self._log_level)],
            pass_fds=(requests_read, replies_write), stdin=subprocess.DEVNULL, env=child_environment(),
        )  # fmt: skip
        os.close(requests_read)
        os.close(replies_write)
        requests = Connection(requests_write, readable=False)
        replies = Connection(replies_read, writable=False)
        self._threads = [
            threading.Thread(target=self._send_all, args=(requests,), daemon=True, name="writer-requests"),
            threading.Thread(target=self._receive_all, args=(replies,), daemon=True, name="writer-replies"),
        ]
        for thread in self._threads:
            thread.start()

    def _send_all(self, requests: Connection) -> None:
        # Off the reactor thread: a batch waits here while the writer is busy with the one before.
        try:
            while (request := self._outbox.get()) is not None:
                number, work, args = request
                try:
                    payload = pickle.dumps((work, args), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as error:  # noqa: BLE001 - a value that cannot cross fails its write
                    self._answer(number, error, failed=True)
                    continue
                requests.send(number)
                requests.send_bytes(payload)
        except OSError:
            pass  # the writer process is gone: _receive_all fails what waits
        finally:
            requests.close()

    def _receive_all(self, replies: Connection) -> None:
        own_logger = _ToOwnLogger()
        try:
            while True:
                kind, number, value = replies.recv()
                if kind == "log":
                    own_logger.handle(value)
                else:
                    self._answer(number, value, failed=kind == "failed")
        except (EOFError, OSError):
            pass
        finally:
            replies.close()
            code = self._process.wait()
            with self._waiting_lock:
                self._gone = True
                waiting, self._waiting = list(self._waiting.values()), {}
            for waiter in waiting:
                self._settle(waiter, WriterProcessGone(f"the writer process ended (exit code {code})"), failed=True)

    def _answer(self, number: int, value: Any, failed: bool) -> None:
        with self._waiting_lock:
            waiter = self._waiting.pop(number, None)
        self._settle(waiter, value, failed)

    @staticmethod
    def _settle(waiter, value: Any, failed: bool) -> None:
        if waiter is None:  # a warm-up
            if failed:
                logger.error("the writer process could not start: %r", value)
            return
        loop, future = waiter
        set_outcome = future.set_exception if failed else future.set_result

        def settle() -> None:
            if not future.done():
                set_outcome(value)

        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:
            pass  # the loop is closed: nobody waits for it any more


class _ToOwnLogger(logging.Handler):
    """Hands a record from the writer process to the logger of the same name here, so it goes
    wherever the crawl's log goes (console, LOG_FILE, scrapyd's log)."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(record.name)
        if target.isEnabledFor(record.levelno):
            target.handle(record)


def serve() -> None:
    """The writer process: runs each work handed over, in order, until the crawl's process closes
    the pipe. Its command line: the two pipes' descriptors, the crawl's pid, the log level."""
    requests_fd, replies_fd, parent_pid = (int(argument) for argument in sys.argv[1:4])
    level = sys.argv[4]
    # The crawl decides when to stop; a Ctrl-C or SIGTERM sent to the whole process group must not
    # break a write the crawl is about to wait for.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _end_with_parent(parent_pid)
    requests = Connection(requests_fd, writable=False)
    replies = Connection(replies_fd, readable=False)
    replies_lock = threading.Lock()  # log records may come from other threads

    def reply(kind: str, number: int | None, value: Any) -> None:
        with replies_lock:
            replies.send((kind, number, value))

    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(_Replies(reply))]
    root.setLevel(int(level) if level.isdigit() else level)
    while True:
        try:
            number = requests.recv()
            payload = requests.recv_bytes()
        except EOFError:
            return
        try:
            work, args = pickle.loads(payload)
            del payload
            outcome, failed = work(*args), False
        except BaseException as error:  # noqa: BLE001 - the crawl's process decides what a failure means
            outcome, failed = error, True
        try:
            reply("failed" if failed else "done", number, outcome)
        except Exception as error:  # noqa: BLE001 - a result that cannot cross fails its write
            reply("failed", number, WriterProcessGone(f"the result could not be sent back: {error!r}"))


class _Replies:
    """The queue a QueueHandler puts log records on: the pipe back to the crawl's process."""

    def __init__(self, reply: Callable[[str, int | None, Any], None]) -> None:
        self._reply = reply

    def put_nowait(self, record: logging.LogRecord) -> None:
        self._reply("log", None, record)


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
