"""Runs one crawl in its own process (Twisted's reactor cannot be restarted) and returns its verdict.

`aggregator crawl` and the scheduler both come through here, so a crawl run by hand and a
scheduled one behave the same.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from aggregator import repository
from aggregator.config import BoardConfig, Config
from aggregator.db import database

logger = logging.getLogger(__name__)

# Crawl processes running now, so that a stopping scheduler can ask them to finish.
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


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


def run_board(board: BoardConfig, config: Config, settings: dict[str, str] | None = None) -> CrawlOutcome:
    """Crawl one board in a subprocess; make sure its run is recorded, whatever happened to it."""
    engine = database(config.database_url).engine
    with tempfile.TemporaryDirectory(prefix="aggregator-run-") as folder:
        run_id_file = Path(folder) / "run_id"
        command = crawl_command(
            board, config.database_url, {**(settings or {}), "AGGREGATOR_RUN_ID_FILE": str(run_id_file)}
        )
        environment = {**os.environ, "SCRAPY_SETTINGS_MODULE": "aggregator.settings"}
        if config.path:
            environment["AGGREGATOR_CONFIG"] = str(config.path.resolve())
        logger.info("starting crawl of %s", board.name)
        tail: collections.deque[str] = collections.deque(maxlen=20)
        process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True, errors="replace")
        with _running_lock:
            _running.add(process)
        pump = threading.Thread(target=_pump, args=(process.stderr, sys.stderr, tail), daemon=True)
        pump.start()
        try:
            returncode = process.wait()
            pump.join(timeout=5)
        finally:
            with _running_lock:
                _running.discard(process)
        run_id = int(run_id_file.read_text()) if run_id_file.exists() and run_id_file.read_text() else None

    try:
        outcome = _recorded_outcome(engine, board, run_id, returncode, tail)
    except SQLAlchemyError as error:
        # The database cannot record the run at all: the outcome still says failed, in one line.
        reason = f"the run could not be recorded: {repository.database_error(error)}"
        outcome = CrawlOutcome(board.name, run_id, "failed", reason, returncode)
    if outcome.ok:
        logger.info(outcome.summary())
    else:
        logger.error("CRAWL FAILED: %s", outcome.summary())
    notify(config, outcome)
    return outcome


def _recorded_outcome(engine, board: BoardConfig, run_id: int | None, returncode: int, tail) -> CrawlOutcome:
    run = repository.get_run(engine, run_id) if run_id else None
    if run is None:
        # The process died before it could record itself: record it here so nothing is silent.
        last_line = next((line for line in reversed(tail) if line.strip()), "")
        run_id = repository.start_run(engine, board.name)
        reason = f"crawl process exited with code {returncode} before it started: {last_line}"[:1000]
        repository.finish_run(engine, run_id, finish_reason="process_failed", status="failed", status_reason=reason)
    elif run.finished_at is None:
        reason = f"crawl process ended with code {returncode} before recording its end"
        repository.finish_run(engine, run_id, finish_reason="killed", status="failed", status_reason=reason)
    run = repository.get_run(engine, run_id)
    return CrawlOutcome(board.name, run_id, run.status, run.status_reason, returncode)


def notify(config: Config, outcome: CrawlOutcome) -> None:
    """Run the configured notification command with the run's summary (mail, chat, …)."""
    if not config.notify_command or (outcome.ok and config.notify_on != "always"):
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


def stop_running_crawls(timeout: float = 60.0) -> None:
    """Ask every running crawl to shut down gracefully (SIGTERM); kill what is left after timeout."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.error("crawl process %s did not stop in %ss; killing it", process.pid, timeout)
            process.kill()
