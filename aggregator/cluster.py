"""The coordinator of a board's crawl split over scrapyd nodes into one database.

With ``[cluster] scrapyd = [...]`` and ``shards = N`` on a board, `aggregator crawl BOARD` and the
scheduler come here instead of starting one local crawl: one whole-crawl run is written for the
crawl, and N parts (``-a shard=I/N``) are scheduled on the least-loaded nodes through scrapyd's
JSON API. Each part's run is created here first and handed to the part as ``-s AGGREGATOR_RUN_ID``
(with the database URL), so every host finds it in the database. The coordinator then polls the
nodes' ``listjobs.json``: a part whose job ended (or vanished with its node) without recording its
end died; its run is marked ``failed`` and the part is started again, on another node when there is
one. When every part has ended, the whole-crawl run is judged against earlier whole crawls only,
and — only when every part succeeded — the close/reopen rules are applied once, from what all the
parts saw.

While it runs, the coordinator keeps its whole-crawl run alive in the database (a heartbeat, from a
thread of its own); a coordinator that dies — on any host — leaves a run whose heartbeat stops, and
the next coordinator or `aggregator runs` marks it ``failed`` (repository.fail_lost_runs). Its parts
finish and record themselves; the close/reopen rules are not applied for it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator import liveness, repository
from aggregator.bases.shard import Shard
from aggregator.config import BoardConfig, ClusterConfig, Config
from aggregator.db import database
from aggregator.extensions import RUN_ID_SETTING
from aggregator.health import judge
from aggregator.models import CrawlRun
from aggregator.runner import CrawlOutcome, stopping

logger = logging.getLogger(__name__)

# A job missing from its node's lists, or a node not answering, this many polls in a row is dead
# (a job moves from the queue to the launcher between two polls; a node may miss one answer).
MISSED_POLLS_BEFORE_DEAD = 3
HTTP_TIMEOUT = 10.0
STORE_ERROR = "aggregator/store/error"
# The scrapyd node a part's run was given to (in the run's stats).
NODE = "aggregator/scrapyd_node"
# The coordinator beats once a poll interval; its run is judged lost once this many beats are missing
# (room for a slow database, kept short enough that a dead coordinator shows within a minute or so).
BEATS_BEFORE_LOST = 10


class Heartbeat:
    """Keeps an open run alive in the database every ``every`` seconds, from a thread of its own (a
    node slow to answer does not delay it); ``lost`` is set once the run was found judged lost."""

    def __init__(self, engine: Engine, run_id: int, every: float):
        self.engine = engine
        self.run_id = run_id
        self.every = every
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        """No more beats (before the run's verdict is written: a beat after it would find the run
        closed and take it for judged lost)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def beat(self) -> None:
        try:
            alive = repository.beat_run(self.engine, self.run_id, alive_for_seconds=self.every * BEATS_BEFORE_LOST)
        except SQLAlchemyError as exc:  # the database is away: the next beat tries again
            logger.warning("heartbeat of run %s not recorded: %s", self.run_id, exc)
            return
        if not alive:
            logger.error("run %s was judged lost (its heartbeat had stopped reaching the database)", self.run_id)
            self.lost.set()

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self.every) and not self.lost.is_set():
            self.beat()


class NodeUnavailable(RuntimeError):
    """A scrapyd node that did not answer, or answered with an error."""


class ScrapydNode:
    """One scrapyd node's JSON API (schedule.json, listjobs.json, daemonstatus.json, cancel.json)."""

    def __init__(self, url: str, project: str, client: httpx.Client):
        self.url = url.rstrip("/")
        self.project = project
        self.client = client

    def __repr__(self) -> str:
        return self.url

    def _call(self, method: str, endpoint: str, **kwargs) -> dict:
        try:
            response = self.client.request(method, f"{self.url}/{endpoint}", timeout=HTTP_TIMEOUT, **kwargs)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NodeUnavailable(f"{self.url}/{endpoint}: {exc or type(exc).__name__}") from None
        if answer.get("status") != "ok":
            raise NodeUnavailable(f"{self.url}/{endpoint}: {answer.get('message') or answer}")
        return answer

    def load(self) -> int:
        """Jobs waiting or running on the node."""
        status = self._call("GET", "daemonstatus.json")
        return int(status.get("pending", 0)) + int(status.get("running", 0))

    def schedule(self, spider: str, job: str, settings: dict[str, str], arguments: dict[str, str]) -> None:
        data = {
            "project": self.project,
            "spider": spider,
            "jobid": job,
            "setting": [f"{key}={value}" for key, value in settings.items()],
            **arguments,
        }
        self._call("POST", "schedule.json", data=data)

    def jobs(self) -> dict[str, str]:
        """``{job id: "pending" | "running" | "finished"}`` of this project on the node."""
        listed = self._call("GET", "listjobs.json", params={"project": self.project})
        return {job["id"]: state for state in ("pending", "running", "finished") for job in listed.get(state, [])}

    def cancel(self, job: str) -> None:
        # SIGTERM, as the local runner sends: the part finishes gracefully and records `interrupted`.
        self._call("POST", "cancel.json", data={"project": self.project, "job": job, "signal": "TERM"})


@dataclasses.dataclass
class Part:
    shard: Shard
    run_id: int | None = None
    node: ScrapydNode | None = None
    job: str | None = None
    attempts: int = 0
    missed_polls: int = 0
    # The part's final run (ok, or failed for good); None while it still runs.
    final: CrawlRun | None = None


class Coordinator:
    """Runs one split crawl to its verdict (see the module's docstring)."""

    def __init__(
        self,
        board: BoardConfig,
        config: Config,
        settings: dict[str, str] | None = None,
        *,
        client: httpx.Client | None = None,
        stop_requested: Callable[[], bool] = stopping,
    ):
        assert config.cluster is not None
        self.board = board
        self.config = config
        self.cluster: ClusterConfig = config.cluster
        self.settings = {**board.settings, **(settings or {})}
        self.engine: Engine = database(config.database_url).engine
        self.client = client or httpx.Client()
        self.nodes = [ScrapydNode(url, self.cluster.project, self.client) for url in self.cluster.scrapyd]
        self.unanswered: dict[str, int] = {node.url: 0 for node in self.nodes}
        self.stop_requested = stop_requested
        self.parts = [Part(Shard(index, board.shards)) for index in range(1, board.shards + 1)]
        self.parent_id: int | None = None
        self.heartbeat: Heartbeat | None = None

    # --- running ---------------------------------------------------------------------------------

    def run(self) -> CrawlOutcome | None:
        if self.stop_requested():
            return None
        for run_id in repository.fail_lost_runs(self.engine):
            logger.warning("run %s lost its coordinator: marked failed", run_id)
        every = self.cluster.poll_seconds
        self.parent_id = repository.start_run(
            self.engine,
            self.board.name,
            stats={**liveness.identity(), "aggregator/shards": self.board.shards, liveness.HEARTBEAT_SECONDS: every},
        )
        logger.info("crawl of %s split in %d parts (run %s)", self.board.name, len(self.parts), self.parent_id)
        with Heartbeat(self.engine, self.parent_id, every) as self.heartbeat:
            for part in self.parts:
                self._launch(part)
            while any(part.final is None for part in self.parts):
                if self.heartbeat.lost.is_set():
                    return self._judged_lost()
                if self.stop_requested():
                    return self._stop()
                time.sleep(every)
                self._poll()
            return self._finalise()

    def _judged_lost(self) -> CrawlOutcome:
        """Another process failed the whole-crawl run (its heartbeat had stopped reaching the
        database): that verdict stands; the parts still running finish and record themselves."""
        run = repository.get_run(self.engine, self.parent_id)
        return CrawlOutcome(self.board.name, self.parent_id, run.status, run.status_reason, 1)

    def _least_loaded(self, avoid: ScrapydNode | None) -> list[ScrapydNode]:
        """Nodes that answer, least loaded first (counting the parts just given to each); a node to
        ``avoid`` (where the part just died) comes last, so it is used only when it is the only one."""
        loads = []
        for position, node in enumerate(self.nodes):
            try:
                load = node.load()
            except NodeUnavailable as exc:
                logger.warning("scrapyd node not available: %s", exc)
                continue
            ours = sum(1 for part in self.parts if part.final is None and part.node is node and part.job)
            loads.append((node is avoid, load + ours, position, node))
        return [node for *_, node in sorted(loads, key=lambda entry: entry[:3])]

    def _launch(self, part: Part) -> None:
        """Start (again) a part: a new run, scheduled as a job on the least-loaded node."""
        avoid = part.node
        part.attempts += 1
        part.missed_polls = 0
        part.run_id = repository.start_run(
            self.engine,
            self.board.name,
            shard=str(part.shard),
            parent_run_id=self.parent_id,
            stats={"aggregator/attempt": part.attempts},
        )
        settings = {**self.settings, "DATABASE_URL": self.config.database_url, RUN_ID_SETTING: str(part.run_id)}
        arguments = {**self.board.arguments, "shard": str(part.shard)}
        job = f"{self.board.name}-{self.parent_id}-part{part.shard.index}of{part.shard.count}-{uuid.uuid4().hex[:8]}"
        problems = []
        for node in self._least_loaded(avoid):
            # Noted before the job can start (the crawl keeps what its run says when it claims it).
            repository.add_run_stats(self.engine, part.run_id, {NODE: node.url, liveness.SCRAPYD_JOB: job})
            try:
                node.schedule(self.board.name, job, settings, arguments)
            except NodeUnavailable as exc:
                problems.append(str(exc))
                continue
            part.node, part.job = node, job
            logger.info("part %s of %s: job %s on %s (run %s)", part.shard, self.board.name, job, node, part.run_id)
            return
        reason = "no scrapyd node took the part: " + ("; ".join(problems) or "none answered")
        self._part_died(part, reason)

    def _poll(self) -> None:
        listed: dict[str, dict[str, str] | None] = {}
        for node in {part.node.url: part.node for part in self.parts if part.final is None and part.node}.values():
            try:
                listed[node.url] = node.jobs()
                self.unanswered[node.url] = 0
            except NodeUnavailable as exc:
                self.unanswered[node.url] += 1
                logger.warning("scrapyd node not answering (%d): %s", self.unanswered[node.url], exc)
                listed[node.url] = None
        for part in self.parts:
            if part.final is None:
                self._check(part, listed.get(part.node.url) if part.node else None)

    def _check(self, part: Part, jobs: dict[str, str] | None) -> None:
        run = repository.get_run(self.engine, part.run_id)
        if run.finished_at is not None:
            if run.finish_reason == "killed":  # marked dead on its node (aggregator.liveness)
                self._part_died(part, run.status_reason or "its process was killed", already_recorded=True)
            else:
                part.final = run
                logger.info("part %s of %s: %s", part.shard, self.board.name, run.status)
            return
        if jobs is None:  # the node did not answer
            if self.unanswered[part.node.url] >= MISSED_POLLS_BEFORE_DEAD:
                self._part_died(part, f"scrapyd node {part.node} stopped answering")
            return
        state = jobs.get(part.job)
        if state in ("pending", "running"):
            part.missed_polls = 0
            return
        if state == "finished":
            self._part_died(part, f"scrapyd job {part.job} on {part.node} ended without recording its end")
            return
        part.missed_polls += 1
        if part.missed_polls >= MISSED_POLLS_BEFORE_DEAD:
            self._part_died(part, f"scrapyd job {part.job} is no longer known to {part.node}")

    def _part_died(self, part: Part, reason: str, already_recorded: bool = False) -> None:
        """A part's job died: its run is failed; the part starts again while it has retries left."""
        if not already_recorded:
            repository.give_up_run(self.engine, part.run_id, reason=reason)
        logger.warning("part %s of %s died (attempt %d): %s", part.shard, self.board.name, part.attempts, reason)
        if part.attempts <= self.cluster.retries and not self.stop_requested():
            self._launch(part)
        else:
            part.final = repository.get_run(self.engine, part.run_id)

    def _stop(self) -> CrawlOutcome:
        """A stop was asked for: each running part is told to finish gracefully (one SIGTERM through
        scrapyd: it stores what it scraped and records its run ``interrupted``), and waited for up to
        ``stop_timeout_seconds``; the whole crawl is interrupted."""
        for part in self.parts:
            if part.final is None and part.node and part.job:
                try:
                    part.node.cancel(part.job)
                except NodeUnavailable as exc:
                    logger.warning("could not stop part %s: %s", part.shard, exc)
        deadline = time.monotonic() + self.config.stop_timeout_seconds
        self.cluster = dataclasses.replace(self.cluster, retries=0)  # no part starts again
        while any(part.final is None for part in self.parts) and time.monotonic() < deadline:
            time.sleep(self.cluster.poll_seconds)
            self._poll()
        reason = "stopped by a signal (SIGTERM or Ctrl-C) before every part finished"
        self.heartbeat.stop()
        if not repository.finish_open_run(
            self.engine, self.parent_id, finish_reason="shutdown", status="interrupted", status_reason=reason
        ):
            return self._judged_lost()
        return CrawlOutcome(self.board.name, self.parent_id, "interrupted", reason, 1)

    # --- the verdict ------------------------------------------------------------------------------

    def _finalise(self) -> CrawlOutcome:
        finals = [part.final for part in self.parts]
        attempts = repository.part_runs(self.engine, self.parent_id)
        stats_of = [run.stats if isinstance(run.stats, dict) else {} for run in finals]
        stored = sum(run.items_new + run.items_updated + run.items_unchanged for run in finals)
        rejected = sum(run.items_rejected for run in finals)
        failed = [(part, run) for part, run in zip(self.parts, finals, strict=True) if run.status != "ok"]
        totals = {
            "items_scraped": sum(run.items_scraped for run in finals),
            "items_new": sum(run.items_new for run in finals),
            "items_updated": sum(run.items_updated for run in finals),
            "items_unchanged": sum(run.items_unchanged for run in finals),
            "items_rejected": rejected,
            # What the site was asked, retries included.
            "requests": sum(run.requests for run in attempts),
            "errors": sum(run.errors for run in finals),
        }
        if failed:
            status = "failed"
            reason = "; ".join(f"part {part.shard} {run.status}: {run.status_reason}" for part, run in failed)
            finish_reason = "part_failed"
        else:
            thresholds = self.board.health
            recent = repository.recent_postings_seen(self.engine, self.board.name, thresholds.recent_runs)
            status, reason = judge(
                "finished",
                stored,
                rejected,
                recent,
                thresholds,
                not_stored=sum(stats.get("aggregator/store/failed", 0) for stats in stats_of),
                store_error=next((s[STORE_ERROR] for s in stats_of if s.get(STORE_ERROR)), None),
            )
            finish_reason = "finished"
        self.heartbeat.stop()
        judged_here = repository.finish_open_run(
            self.engine,
            self.parent_id,
            finish_reason=finish_reason,
            status=status,
            status_reason=reason,
            stats={
                **liveness.identity(),
                "aggregator/shards": self.board.shards,
                "aggregator/part_runs": [run.id for run in finals],
                "aggregator/attempts": len(attempts),
            },
            **totals,
        )
        if not judged_here:
            return self._judged_lost()
        if not failed:
            # The lifecycle once, from what all the parts saw; closing unseen postings only when
            # every part read its whole listing and the crawl is healthy.
            complete = (
                self._complete_listing()
                and status == "ok"
                and not any(stats.get("aggregator/listing_problems") for stats in stats_of)
            )
            lifecycle = repository.apply_lifecycle(
                self.engine,
                self.board.name,
                self.parent_id,
                healthy=complete,
                close_after_missed=self._close_after_missed(),
            )
            logger.info("lifecycle after run %s: %s", self.parent_id, lifecycle)
        run = repository.get_run(self.engine, self.parent_id)
        returncode = 0 if run.status == "ok" else 1
        return CrawlOutcome(self.board.name, self.parent_id, run.status, run.status_reason, returncode)

    def _complete_listing(self) -> bool:
        from aggregator.boards import spider_classes

        return bool(getattr(spider_classes().get(self.board.name), "complete_listing", False))

    def _close_after_missed(self) -> int:
        from scrapy.utils.project import get_project_settings

        if "CLOSE_AFTER_MISSED_RUNS" in self.settings:
            return int(self.settings["CLOSE_AFTER_MISSED_RUNS"])
        return get_project_settings().getint("CLOSE_AFTER_MISSED_RUNS", 2)


def run_split(board: BoardConfig, config: Config, settings: dict[str, str] | None = None) -> CrawlOutcome | None:
    """Crawl ``board`` in ``board.shards`` parts over the configured scrapyd nodes; blocks until the
    whole crawl is judged. None, starting nothing, once a stop was requested."""
    with httpx.Client() as client:
        return Coordinator(board, config, settings, client=client).run()
