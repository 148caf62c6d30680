"""Runs one crawl in its own process (Twisted's reactor cannot be restarted) and returns its verdict.

`aggregator crawl` and the scheduler both come through here, so a crawl run by hand and a
scheduled one behave the same.

Stopping: each crawl process runs in a session of its own, so a signal to the parent's process group
(Ctrl-C in a terminal, ``kill -TERM -PGID``) reaches only the parent, which forwards exactly one
SIGTERM to each crawl (``request_stop``). Scrapy takes one SIGTERM as "finish gracefully" — the
requests in flight complete, the pipelines flush, the run is recorded ``interrupted`` — and a second
one as "stop now, unclean", which is what a process group signal used to cause.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from aggregator import liveness, repository
from aggregator.config import BoardConfig, Config
from aggregator.db import database
from aggregator.extensions import RUN_ID_SETTING

logger = logging.getLogger(__name__)

# Crawl processes running now, with how many SIGTERMs each was sent, so that a stop reaches each
# crawl exactly once. Reentrant: the stop request runs in a signal handler, which may interrupt the
# main thread while it holds the lock.
_running: dict[subprocess.Popen, int] = {}
_running_lock = threading.RLock()
# Set once a stop was asked for: no crawl starts after it, and runs it ended are interrupted, not failed.
_stopping = threading.Event()


@dataclass
class CrawlOutcome:
    board: str
    run_id: int | None
    status: str
    reason: str | None
    returncode: int

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    def summary(self) -> str:
        text = f"crawl of {self.board}: {self.status}"
        if self.reason:
            text += f" ({self.reason})"
        return text + f" [run {self.run_id}, exit code {self.returncode}]"


def crawl_command(board: BoardConfig, database_url: str, settings: dict[str, str] | None = None) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", board.name, "-s", f"DATABASE_URL={database_url}"]
    for key, value in board.arguments.items():
        command += ["-a", f"{key}={value}"]
    for key, value in {**board.settings, **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    return command


def _pump(stream, sink, tail: collections.deque) -> None:
    for line in stream:
        sink.write(line)
        sink.flush()
        tail.append(line.rstrip())


def run_board(board: BoardConfig, config: Config, settings: dict[str, str] | None = None) -> CrawlOutcome | None:
    """Crawl one board in a subprocess; make sure its run is recorded, whatever happened to it.

    With a ``[cluster]`` and ``shards`` for the board, the crawl is split over the scrapyd nodes
    instead (aggregator.cluster). Returns None, starting nothing, once a stop was requested.
    """
    if config.cluster is not None and board.shards > 1:
        from aggregator.cluster import run_split

        outcome = run_split(board, config, settings)
    else:
        outcome = _run_here(board, config, settings)
    if outcome is None:
        return None
    if outcome.ok:
        logger.info(outcome.summary())
    elif outcome.interrupted:
        logger.warning("crawl interrupted: %s", outcome.summary())
    else:
        logger.error("CRAWL FAILED: %s", outcome.summary())
    notify(config, outcome)
    return outcome


def _run_here(board: BoardConfig, config: Config, settings: dict[str, str] | None) -> CrawlOutcome | None:
    if _stopping.is_set():
        logger.info("not starting the crawl of %s: stopping", board.name)
        return None
    engine = database(config.database_url).engine
    try:
        # The run exists before its process does, and the process is told its id (-s): the handover
        # goes through the database, whichever host the crawl runs on, and a crawl that dies before
        # it records anything still has its run. Until the crawl claims it, the run names this
        # process: if we die first, the next start on this host marks it dead (aggregator.liveness).
        run_id = repository.start_run(engine, board.name, stats=liveness.identity())
    except SQLAlchemyError as error:
        reason = f"the run could not be recorded: {repository.database_error(error)}"
        return CrawlOutcome(board.name, None, "failed", reason, 1)
    command = crawl_command(board, config.database_url, {**(settings or {}), RUN_ID_SETTING: str(run_id)})
    environment = {**os.environ, "SCRAPY_SETTINGS_MODULE": "aggregator.settings"}
    if config.path:
        environment["AGGREGATOR_CONFIG"] = str(config.path.resolve())
    tail: collections.deque[str] = collections.deque(maxlen=20)
    with _running_lock:
        if _stopping.is_set():
            logger.info("not starting the crawl of %s: stopping", board.name)
            process = None
        else:
            logger.info("starting crawl of %s (run %s)", board.name, run_id)
            # A session of its own: signals to our process group (Ctrl-C, kill -TERM -PGID) do not
            # reach the crawl directly; request_stop forwards exactly one SIGTERM. (systemd signals
            # the whole cgroup whatever the session: its unit says KillMode=mixed.)
            process = subprocess.Popen(
                command, env=environment, stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True
            )
            _running[process] = 0
    if process is None:
        repository.finish_run(
            engine, run_id, finish_reason="shutdown", status="interrupted", status_reason="stopped before it started"
        )
        return None
    if _stopping.is_set():  # a stop that came while the process was starting
        _terminate(process)
    pump = threading.Thread(target=_pump, args=(process.stderr, sys.stderr, tail), daemon=True)
    pump.start()
    try:
        returncode = process.wait()
        pump.join(timeout=5)
    finally:
        with _running_lock:
            stopped = _running.pop(process, 0) > 0

    try:
        return _recorded_outcome(engine, board, run_id, returncode, tail, stopped)
    except SQLAlchemyError as error:
        # The database cannot record the run at all: the outcome still says failed, in one line.
        reason = f"the run could not be recorded: {repository.database_error(error)}"
        return CrawlOutcome(board.name, run_id, "failed", reason, returncode)


def _recorded_outcome(engine, board: BoardConfig, run_id: int, returncode: int, tail, stopped: bool) -> CrawlOutcome:
    run = repository.get_run(engine, run_id)
    # A crawl we asked to stop that could not record itself was still stopped on purpose.
    status = "interrupted" if stopped else "failed"
    if run is not None and run.finished_at is None:
        if (run.stats or {}).get(liveness.PID) == os.getpid():  # still ours: the crawl never claimed it
            # The process died before it took its run over: say how, so that nothing is silent.
            last_line = next((line for line in reversed(tail) if line.strip()), "")
            finish_reason = "process_failed"
            reason = f"crawl process exited with code {returncode} before it started: {last_line}"[:1000]
            if stopped:
                reason = f"stopped before the crawl started (exit code {returncode})"
        else:
            finish_reason = "killed"
            reason = f"crawl process ended with code {returncode} before recording its end"
            if stopped:
                reason = f"stopped, and the crawl process ended with code {returncode} before recording its end"
        repository.finish_run(engine, run_id, finish_reason=finish_reason, status=status, status_reason=reason)
    run = repository.get_run(engine, run_id)
    return CrawlOutcome(board.name, run_id, run.status, run.status_reason, returncode)


def notify(config: Config, outcome: CrawlOutcome) -> None:
    """Run the configured notification command with the run's summary (mail, chat, …).

    A failed run notifies; an interrupted one (a deliberate stop) only with ``notify_on = "always"``.
    """
    if not config.notify_command or (outcome.status != "failed" and config.notify_on != "always"):
        return
    environment = {
        **os.environ,
        "AGGREGATOR_RUN_ID": str(outcome.run_id),
        "AGGREGATOR_RUN_BOARD": outcome.board,
        "AGGREGATOR_RUN_STATUS": outcome.status,
        "AGGREGATOR_RUN_REASON": outcome.reason or "",
    }
    try:
        subprocess.run(
            config.notify_command,
            shell=True,
            input=outcome.summary() + "\n",
            text=True,
            env=environment,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.error("notification command failed: %s", exc)


def _terminate(process: subprocess.Popen, force: bool = False) -> None:
    """SIGTERM to a crawl: once to finish gracefully; again (``force``) to make Scrapy stop at once."""
    with _running_lock:
        sent = _running.get(process)
        if sent is None or (sent and not force) or process.poll() is not None:
            return
        _running[process] = sent + 1
        process.send_signal(signal.SIGTERM)


def stopping() -> bool:
    return _stopping.is_set()


def request_stop(force: bool = False) -> None:
    """Start no more crawls and ask each running one to finish (one SIGTERM each; safe in a signal
    handler). ``force``: a second request, e.g. a second Ctrl-C: crawls stop at once, unclean."""
    _stopping.set()
    with _running_lock:
        for process in list(_running):
            _terminate(process, force=force)


def stop_running_crawls(timeout: float = 300.0) -> None:
    """Ask every running crawl to finish gracefully; kill what is left after ``timeout`` seconds."""
    request_stop()
    with _running_lock:
        processes = list(_running)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.error("crawl process %s did not stop in %ss; killing it", process.pid, timeout)
            process.kill()
