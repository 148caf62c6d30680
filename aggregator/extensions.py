"""Records every crawl run in ``crawl_runs`` (counts, finish reason, verdict) and its rejects."""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError

from aggregator import crawl_writes, liveness, repository
from aggregator import signals as aggregator_signals
from aggregator.config import ConfigError, HealthThresholds, load_config
from aggregator.db import database
from aggregator.exceptions import RejectedItem
from aggregator.health import judge
from aggregator.serial_writer import SerialWriter

logger = logging.getLogger(__name__)

# `-s AGGREGATOR_RUN_ID=N`: record into run N, created by whoever launched the crawl (through the
# database, so that it works whichever host the crawl runs on).
RUN_ID_SETTING = "AGGREGATOR_RUN_ID"


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(stats, default=str))


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["DATABASE_URL"]
        self.engine = None
        self.run_id: int | None = None
        # Whether this crawl is one part of a split crawl (-a shard=I/N).
        self.part = False
        self.launcher_stats: dict[str, Any] = {}
        # Rejects and pages found gone are written by the crawl's writer process, after the batches
        # handed over before them: the reactor never waits on the database's write lock.
        self.writer = SerialWriter.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.posting_problem, signal=aggregator_signals.posting_problem)
        return recorder

    def spider_opened(self, spider) -> None:
        try:
            self._start(spider)
        except SQLAlchemyError as error:
            self._run_not_recorded("could not record the start of the run", error)
            # Nothing this crawl finds could be stored either: stop before fetching anything.
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="database_failed"))

    def _judged_meanwhile(self, own_status: str) -> None:
        """The run was given a verdict while this crawl ran: its launcher gave it up (a scrapyd node
        that stopped answering, whose part was started again elsewhere) or another process failed it
        as lost. That verdict stands, as whoever gave it acted on it; nothing more is done for the
        run (no lifecycle), and this crawl ends failed, saying why."""
        run = repository.get_run(self.engine, self.run_id)
        verdict = f"judged {run.status} while this crawl ran ({run.status_reason})" if run else "removed meanwhile"
        message = f"run {self.run_id} was {verdict}; that stands, this crawl's own ({own_status}) is not recorded"
        logger.error("CRAWL FAILED: %s", message)
        self.stats.set_value("aggregator/run_status", "failed")
        self.stats.set_value("aggregator/run_status_reason", message)

    def _run_not_recorded(self, what: str, error: BaseException) -> None:
        """One line, no traceback: the crawl command turns this into a non-zero exit code."""
        message = f"{what}: {repository.database_error(error)}"
        logger.error("CRAWL FAILED: %s", message)
        self.stats.set_value("aggregator/run_status", "failed")
        self.stats.set_value("aggregator/run_status_reason", message)

    def _start(self, spider) -> None:
        self.engine = database(self.url).engine
        liveness.mark_dead_runs(self.engine, spider.name)
        # Who runs this crawl (host, PID, process start time): later commands can tell a killed crawl.
        identity = liveness.identity()
        if job := getattr(spider, "_job", None):  # scrapyd's job id, for the coordinator's log
            identity[liveness.SCRAPYD_JOB] = str(job)
        shard = getattr(spider, "shard", None)
        self.part = shard is not None
        if given := self.crawler.settings.getint(RUN_ID_SETTING):
            # The launcher (aggregator.runner, aggregator.cluster, on any host) created the run and
            # watches it in the database: the crawl records into it.
            claimed = repository.claim_run(self.engine, given, spider.name, identity)
            if claimed is None:
                self.stats.set_value("aggregator/run_status", "failed")
                self.stats.set_value("aggregator/run_status_reason", f"run {given} was given up by its launcher")
                logger.error("CRAWL FAILED: run %s is not an open run of %s; not crawling", given, spider.name)
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="run_given_up"))
                return
            self.run_id = given
            # What the launcher noted (where it started this crawl) stays in the run's stats.
            self.launcher_stats = {k: v for k, v in (claimed.stats or {}).items() if k not in identity}
        else:
            self.run_id = repository.start_run(
                self.engine, spider.name, stats=identity, shard=str(shard) if shard is not None else None
            )
        self.stats.set_value("aggregator/crawl_run_id", self.run_id)

    def thresholds(self, spider_name: str) -> HealthThresholds:
        try:
            return load_config().board(spider_name).health
        except ConfigError:
            return HealthThresholds()

    def item_dropped(self, item, response, exception, spider) -> None:
        if isinstance(exception, RejectedItem):
            payload = item.as_dict() if hasattr(item, "as_dict") else dict(item)
            self._reject(spider.name, payload.get("url"), "validate", exception.reason, payload)

    def posting_problem(self, url, stage, reason, payload=None, spider=None) -> None:
        source = self.crawler.spider.name
        gone = stage == "fetch" and reason in repository.GONE_REASONS
        self._reject(source, url, stage, reason, payload, close_gone=gone)

    def _reject(self, spider_name: str, url, stage: str, reason: str, payload, close_gone: bool = False) -> None:
        payload = _jsonable(payload) if payload is not None else None
        self.writer.submit(
            crawl_writes.write_reject, self.url, self.run_id, spider_name, url, stage, reason, payload, close_gone,
            then=self._lost, failed=self._lost,
        )  # fmt: skip

    def _lost(self, error: str | None) -> None:
        if error is not None:
            self.stats.inc_value("aggregator/store/lost")
            if self.stats.get_value("aggregator/store/error") is None:
                self.stats.set_value("aggregator/store/error", error)

    async def spider_closed(self, spider, reason: str) -> None:
        if self.run_id is None:
            return
        await self.writer.drain()  # judged on what was written
        stats = self.stats.get_stats()
        scraped = stats.get("item_scraped_count", 0)
        # Judged on what was stored: a posting scraped but refused by the database is no posting.
        stored = sum(stats.get(f"aggregator/items_{kind}", 0) for kind in ("new", "updated", "unchanged"))
        thresholds = self.thresholds(spider.name)
        recent = []
        if not self.part:  # a part is no measure of the board: the coordinator judges the whole crawl
            try:
                recent = repository.recent_postings_seen(self.engine, spider.name, thresholds.recent_runs)
            except SQLAlchemyError:
                pass
        status, status_reason = judge(
            reason,
            stored,
            stats.get("aggregator/rejected", 0),
            recent,
            thresholds,
            not_stored=stats.get("aggregator/store/failed", 0),
            store_error=stats.get("aggregator/store/error"),
            part=self.part,
        )
        self.stats.set_value("aggregator/run_status", status)
        self.stats.set_value("aggregator/run_status_reason", status_reason)
        try:
            self._finish(spider, reason, status, status_reason, scraped)
        except SQLAlchemyError as error:
            self._run_not_recorded(f"could not record the end of run {self.run_id}", error)

    def _finish(self, spider, reason: str, status: str, status_reason: str | None, scraped: int) -> None:
        stats = self.stats.get_stats()
        judged_here = repository.finish_open_run(
            self.engine,
            self.run_id,
            finish_reason=reason,
            status=status,
            status_reason=status_reason,
            items_scraped=scraped,
            items_new=stats.get("aggregator/items_new", 0),
            items_updated=stats.get("aggregator/items_updated", 0),
            items_unchanged=stats.get("aggregator/items_unchanged", 0),
            items_rejected=stats.get("aggregator/rejected", 0),
            requests=stats.get("downloader/request_count", 0),
            errors=stats.get("aggregator/errors", 0),
            stats={**self.launcher_stats, **_jsonable(stats)},
        )
        if not judged_here:
            self._judged_meanwhile(status)
            return
        if self.part:
            # What a part did not see another part may have: the coordinator applies the lifecycle
            # once, from what all parts saw, when every part succeeded.
            return
        # Only a healthy run that read every listing may close postings it did not see.
        complete = (
            getattr(spider, "complete_listing", False)
            and not stats.get("aggregator/listing_problems")
            and status == "ok"
        )
        lifecycle = repository.apply_lifecycle(
            self.engine,
            spider.name,
            self.run_id,
            healthy=complete,
            close_after_missed=self.crawler.settings.getint("CLOSE_AFTER_MISSED_RUNS", 2),
        )
        spider.logger.info("lifecycle after run %s: %s", self.run_id, lifecycle)
