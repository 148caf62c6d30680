"""The long-running scheduler: APScheduler 3.x with its job store in the project database.

Jobs have explicit ids (``crawl:<board>``) and are only replaced when their schedule changed, so a
restart neither duplicates jobs nor forgets a run that was due while the scheduler was down: such a
run starts once on start-up if it is late by less than ``misfire_grace_seconds``. ``coalesce`` and
``max_instances=1`` keep a crawl that outlasts its interval from being started twice.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from aggregator.config import BoardConfig, Config, load_config
from aggregator.cron import cron_trigger
from aggregator.db import CoordinatorLock, coordinator_lock, database
from aggregator.models import SCHEDULER_JOBS_TABLE

logger = logging.getLogger(__name__)

# How often the coordinating scheduler makes sure it still holds the coordinator lock.
LOCK_CHECK_SECONDS = 1.0


def scheduled_crawl(board_name: str, config_path: str | None) -> None:
    """What a scheduled job runs (importable by reference, so the job store can persist it)."""
    from aggregator.runner import run_board

    config = load_config(config_path)
    run_board(
        config.board(board_name) if board_name in config.boards else _default_board(board_name, config),
        config,
    )
    if config.alerts:  # saved searches send what the crawl newly found; a failed delivery waits for the next
        from aggregator.alerts import send_alerts
        from aggregator.db import database

        for outcome in send_alerts(database(config.database_url).engine, config):
            if outcome.jobs:
                logger.info(outcome.summary())


def _default_board(name: str, config: Config) -> BoardConfig:
    from aggregator.boards import planned_boards, spider_classes

    for board in planned_boards(config, spider_classes()):
        if board.name == name:
            return board
    return config.board(name)


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, quiet while it shuts down.

    ``shutdown()`` marks it stopped, then its loop wakes once more and submits any job that is due to
    the executor it has just shut down ("cannot schedule new futures after shutdown", with a
    traceback). A stopping scheduler starts nothing: jobs are only processed while it is running.
    """

    def _process_jobs(self):
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


def build_scheduler(config: Config) -> BackgroundScheduler:
    engine = database(config.database_url).engine
    return _Scheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=max(1, config.max_parallel_crawls))},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config.misfire_grace_seconds,
        },
        timezone=config.timezone,
    )


def sync_jobs(scheduler: BackgroundScheduler, boards: list[BoardConfig], config: Config) -> None:
    """Make the stored jobs match the configuration, keeping unchanged jobs' next run times."""
    config_path = str(config.path.resolve()) if config.path else None
    wanted = {f"crawl:{board.name}": board for board in boards}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            logger.info("removing job %s (board no longer scheduled)", job.id)
            job.remove()
    for job_id, board in wanted.items():
        trigger = cron_trigger(board.cron, config.timezone)
        existing = scheduler.get_job(job_id)
        if existing and str(existing.trigger) == str(trigger) and list(existing.args) == [board.name, config_path]:
            continue
        scheduler.add_job(
            scheduled_crawl,
            trigger=trigger,
            args=[board.name, config_path],
            id=job_id,
            name=f"crawl {board.name}",
            replace_existing=True,
        )


def upcoming_runs(boards: list[BoardConfig], config: Config, now: datetime | None = None) -> list[tuple]:
    """``(board, next run time)`` for each board, soonest first, from the configuration alone (no
    scheduler is started and the database is not touched: ``aggregator schedule --list``)."""
    now = now or datetime.now(ZoneInfo(config.timezone))
    upcoming = [(board, cron_trigger(board.cron, config.timezone).get_next_fire_time(None, now)) for board in boards]
    return sorted(upcoming, key=lambda pair: (pair[1], pair[0].name))


def run_scheduler(config: Config, boards: list[BoardConfig], stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or ``stop``): running crawls are asked to finish and recorded.

    One scheduler coordinates a PostgreSQL database at a time: a second one waits (hot standby) on
    the database's coordinator lock and takes over when the first one ends.

    The first signal stops the scheduler gracefully: no new crawl starts, each running crawl gets one
    SIGTERM, flushes what it scraped and records its run ``interrupted``; crawls still running after
    ``stop_timeout_seconds`` are killed. A second signal makes the crawls stop at once.
    """
    from aggregator.runner import request_stop

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum, _frame):
            if stop.is_set():
                request_stop(force=True)
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
    engine = database(config.database_url).engine

    def standing_by() -> None:
        logger.info("another scheduler coordinates this database; waiting as a hot standby")

    while True:
        with coordinator_lock(engine, stop, on_wait=standing_by) as lock:
            lost = lock is not None and not _coordinate(config, boards, stop, lock)
        if not lost:
            break
        logger.warning("lost the coordinator lock: scheduling stopped; waiting for the lock again")
    logger.info("scheduler stopped")


def _coordinate(config: Config, boards: list[BoardConfig], stop: threading.Event, lock: CoordinatorLock) -> bool:
    """Schedule the boards' crawls until ``stop`` (True) or until the coordinator lock is found lost
    (False: another scheduler may coordinate now; no new crawl starts here, and those already
    started finish and record themselves)."""
    from aggregator import liveness
    from aggregator.runner import stop_running_crawls

    scheduler = build_scheduler(config)
    # Runs left "running" by a crawl killed while no scheduler watched (SIGKILL, a reboot).
    liveness.mark_dead_runs(database(config.database_url).engine)
    scheduler.start(paused=True)
    sync_jobs(scheduler, boards, config)
    for job in scheduler.get_jobs():
        logger.info("scheduled %s: %s, next run %s", job.id, job.trigger, job.next_run_time)
    scheduler.resume()
    logger.info("scheduler running (%d jobs); stop with SIGTERM or Ctrl-C", len(scheduler.get_jobs()))
    while not stop.wait(LOCK_CHECK_SECONDS):
        if not lock.still_held():
            scheduler.shutdown(wait=False)
            return False
    logger.info("stopping: asking running crawls to finish (at most %ss)", config.stop_timeout_seconds)
    scheduler.pause()
    stop_running_crawls(config.stop_timeout_seconds)
    scheduler.shutdown(wait=True)
    return True
