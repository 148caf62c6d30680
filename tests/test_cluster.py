"""A board's crawl split over two real scrapyd nodes into one PostgreSQL database (aggregator.cluster).

The nodes run on loopback, each from a directory and configuration of its own, with the project
installed (no egg) and the recorded remotewlb site behind the replay proxy. The coordinator is the
real `aggregator crawl` (or its Coordinator in this process, when a test must act while it runs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from scrapy.utils.sitemap import Sitemap

from aggregator.bases.shard import Shard
from aggregator.boards import check_arguments, check_configured_arguments, spider_classes
from aggregator.cluster import Coordinator
from aggregator.config import Config, ConfigError, load_config
from aggregator.db import make_engine, upgrade_to_head
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import REMOTEWLB_SITE, ROOT, SITE, fresh_database, load_expected, query, write_snapshot
from tests.scrapyd_nodes import Node, free_port, scrapyd_node_processes

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

# A part of the recorded remotewlb site, its pages as recorded, listed in one sitemap: enough
# postings for every part to have many, few enough to keep the crawls short.
SUBSET_SIZE = 48
# No waiting on loopback; a single miss closes a posting, so one wrong miss would show.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "CLOSE_AFTER_MISSED_RUNS": "1",
}


def _recorded_subset(folder: Path) -> tuple[Path, set[str], list[str]]:
    """The recording's robots.txt and sitemap index, one sitemap of SUBSET_SIZE recorded postings
    (their lastmods as recorded) and those postings' pages: ``(snapshot, item URLs, listing URLs)``."""
    recorded = Snapshot.load(REMOTEWLB_SITE)
    lastmods = {}
    for url, responses in recorded.pages.items():
        if "/sitemaps/jobs/" in url:
            for entry in Sitemap(Path(responses[0]["body_path"]).read_bytes()):
                lastmods[entry["loc"]] = entry.get("lastmod")
    items = [entry["url"] for entry in load_expected() if entry["expect"] == "item" and entry["url"] in lastmods]
    chosen = sorted(items)[:SUBSET_SIZE]
    index, shard = f"{SITE}/sitemap.xml", f"{SITE}/sitemaps/jobs/2024-05-1"
    urls = "".join(f"<url><loc>{url}</loc><lastmod>{lastmods[url]}</lastmod></url>" for url in chosen)
    pages = {
        f"{SITE}/robots.txt": [{"status": 200, "text": f"User-agent: *\nAllow: /\nSitemap: {index}\n"}],
        index: [{"status": 200, "text": f'<sitemapindex xmlns="{SITEMAP_NS}"><sitemap><loc>{shard}</loc></sitemap>'
                 "</sitemapindex>"}],
        shard: [{"status": 200, "text": f'<urlset xmlns="{SITEMAP_NS}">{urls}</urlset>'}],
    }  # fmt: skip
    for url in chosen:  # every recorded response, in order (a transient 503 first, then the page)
        pages[url] = []
        for response in map(dict, recorded.pages[url]):
            response.pop("body", None)
            if "body_path" in response:
                response["text"] = Path(response.pop("body_path")).read_bytes()
            pages[url].append(response)
    return write_snapshot(folder, pages), set(chosen), list(pages)[:3]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    snapshot, items, listing = _recorded_subset(tmp_path_factory.mktemp("remotewlb-subset"))
    with ReplayProxy(Snapshot.load(snapshot)) as proxy:
        proxy.item_urls, proxy.listing_urls = items, listing
        yield proxy


@pytest.fixture(scope="module")
def node_processes(site, tmp_path_factory):
    """Two scrapyd nodes set up as deploy/ sets one up, their crawls going to the recorded site (a
    test that kills one starts it again before it ends)."""
    with scrapyd_node_processes(tmp_path_factory.mktemp("scrapyd"), 2, site.url) as processes:
        yield processes


@pytest.fixture(scope="module")
def nodes(node_processes):
    return [node.url for node in node_processes]


@pytest.fixture
def postgres(tmp_path):
    with fresh_database("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def watched_postgres(postgres):
    """The database with its schema in place, so that a test can watch the runs from the start."""
    engine = make_engine(postgres)
    upgrade_to_head(engine)
    engine.dispose()
    return postgres


def _environment() -> dict[str, str]:
    """This process's environment without its database URL: the configuration names the database."""
    return {key: value for key, value in os.environ.items() if key != "AGGREGATOR_DATABASE_URL"}


def _command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "aggregator", "--config", str(config), *args]


@contextlib.contextmanager
def _aggregator(config: Path, *args: str, **popen) -> Iterator[subprocess.Popen]:
    """``aggregator --config <config> <args>`` running for the block, killed if it still runs after."""
    process = subprocess.Popen(_command(config, *args), cwd=ROOT, env=_environment(), text=True, **popen)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _config_file(folder: Path, database_url: str, nodes: list[str], shards: int, **settings: str) -> Path:
    board_settings = ", ".join(f'{key} = "{value}"' for key, value in {**FAST, **settings}.items())
    path = folder / f"aggregator-{shards}.toml"
    path.write_text(
        f'database_url = "{database_url}"\n\n'
        f"[cluster]\nscrapyd = [{', '.join(f'{node!r}' for node in nodes)}]\npoll_seconds = 0.3\n\n"
        f"[boards.remotewlb]\nshards = {shards}\nsettings = {{ {board_settings} }}\n",
        encoding="utf-8",
    )
    return path


def _crawl(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(config, "crawl", "remotewlb"),
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _assert_stored_once_each_in_a_job(database_url: str, item_urls: set[str]) -> None:
    stored = query(database_url, "SELECT source_key, url, job_id, close_reason FROM postings")
    assert len({row["source_key"] for row in stored}) == len(stored)
    assert {row["url"] for row in stored} == item_urls
    assert [row for row in stored if row["job_id"] is None] == []
    # (The recording is of 2024: postings past their validThrough are closed as expired.)
    assert [row for row in stored if row["close_reason"] == "missing"] == []
    empty_jobs = query(
        database_url, "SELECT id FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.job_id = j.id)"
    )
    assert empty_jobs == []


def _runs(database_url: str) -> list[dict]:
    return query(database_url, "SELECT * FROM crawl_runs ORDER BY id")


def test_a_crawl_split_in_2_then_3_parts_stores_everything_once_and_recrawls_cheaply(site, nodes, postgres, tmp_path):
    # A third node listed in the configuration is down: parts go to the two that answer.
    listed = [*nodes, f"http://127.0.0.1:{free_port()}"]
    first = _crawl(_config_file(tmp_path, postgres, listed, shards=2))
    assert first.returncode == 0, first.stderr[-3000:]
    _assert_stored_once_each_in_a_job(postgres, site.item_urls)
    runs = _runs(postgres)
    (whole,) = [run for run in runs if run["shard"] is None]
    parts = [run for run in runs if run["shard"] is not None]
    assert (whole["status"], whole["finish_reason"], whole["parent_run_id"]) == ("ok", "finished", None)
    assert sorted(run["shard"] for run in parts) == ["1/2", "2/2"]
    assert all(run["parent_run_id"] == whole["id"] and run["status"] == "ok" for run in parts)
    # The parts went to both nodes, and together fetched every posting once.
    assert {run["stats"]["aggregator/scrapyd_node"] for run in parts} == set(nodes)
    assert whole["items_scraped"] == whole["items_new"] == len(site.item_urls)
    assert sum(run["items_new"] for run in parts) == len(site.item_urls)

    # An incremental recrawl in 3 parts: each part reads the listing only, and none of the postings
    # another part saw is counted as missing (one miss would close it here).
    before = len(site.requests)
    second = _crawl(_config_file(tmp_path, postgres, listed, shards=3))
    assert second.returncode == 0, second.stderr[-3000:]
    _assert_stored_once_each_in_a_job(postgres, site.item_urls)
    runs = _runs(postgres)
    recrawl = [run for run in runs if run["shard"] is None][-1]
    recrawl_parts = [run for run in runs if run["parent_run_id"] == recrawl["id"]]
    assert recrawl["status"] == "ok", recrawl
    assert sorted(run["shard"] for run in recrawl_parts) == ["1/3", "2/3", "3/3"]
    # robots.txt (twice: Scrapy's robots middleware and the spider), the sitemap index and sitemap.
    listing = len(site.listing_urls) + 1
    for run in recrawl_parts:
        assert run["status"] == "ok" and run["requests"] <= listing, run
    recrawl_requests = site.requests[before:]
    assert [r["url"] for r in recrawl_requests if "/job/" in r["url"]] == []
    assert len(recrawl_requests) <= 3 * listing
    assert recrawl["items_unchanged"] == len(site.item_urls)
    assert query(postgres, "SELECT COUNT(*) AS n FROM postings WHERE missed_runs > 0") == [{"n": 0}]


def test_a_part_killed_mid_crawl_is_retried_and_nothing_is_lost(site, nodes, postgres, tmp_path):
    thread, outcome = _start_coordinator(_slow_split_config(tmp_path, postgres, nodes))
    try:
        victim = _part_storing(postgres, "1/2", thread.is_alive)
        os.kill(victim["stats"]["aggregator/pid"], signal.SIGKILL)
    finally:
        thread.join(timeout=180)
    # (Its reason is whichever noticed first: its node's liveness check or scrapyd's job list.)
    _assert_retried_elsewhere_and_healthy(site, postgres, victim, outcome)


def test_a_stopped_split_crawl_stops_its_parts_gracefully(site, nodes, watched_postgres, tmp_path):
    postgres = watched_postgres
    config = _config_file(tmp_path, postgres, nodes, shards=2, DOWNLOAD_DELAY="0.1", CONCURRENT_REQUESTS_PER_DOMAIN="1")
    with _aggregator(config, "crawl", "remotewlb", stdout=subprocess.PIPE, stderr=subprocess.PIPE) as coordinator:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            claimed = query(postgres, "SELECT stats FROM crawl_runs WHERE shard IS NOT NULL")
            if len(claimed) == 2 and all("aggregator/pid" in (run["stats"] or {}) for run in claimed):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the parts never started")
        coordinator.send_signal(signal.SIGTERM)
        out, err = coordinator.communicate(timeout=120)
    # A deliberate stop is no failure: exit 0, every run interrupted, every part ended.
    assert coordinator.returncode == 0, err[-3000:]
    runs = _runs(postgres)
    assert [(run["shard"], run["status"]) for run in runs if run["shard"] is None] == [(None, "interrupted")]
    parts = [run for run in runs if run["shard"] is not None]
    assert sorted((run["shard"], run["status"], run["finish_reason"]) for run in parts) == [
        ("1/2", "interrupted", "shutdown"),
        ("2/2", "interrupted", "shutdown"),
    ]
    assert all(run["finished_at"] is not None for run in runs)


# --- faults: a node that dies, a job that vanishes, a coordinator that dies, a lost lock --------------


# Slow enough to be caught mid-crawl, storing in small batches (a killed part had stored some).
SLOW = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "STORE_BATCH_SIZE": "4"}


def _slow_split_config(tmp_path: Path, database_url: str, nodes: list[str], **cluster) -> Config:
    """A split in 2 crawled SLOW, each part retried once."""
    config = load_config(_config_file(tmp_path, database_url, nodes, shards=2, **SLOW))
    config.cluster = dataclasses.replace(config.cluster, retries=1, **cluster)
    return config


def _start_coordinator(config: Config) -> tuple[threading.Thread, dict]:
    # Its own stop flag: this process's runner may have been told to stop by an earlier test.
    coordinator = Coordinator(config.board("remotewlb"), config, stop_requested=threading.Event().is_set)
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("result", coordinator.run()))
    thread.start()
    return thread, outcome


def _part_storing(database_url: str, shard: str, alive: Callable[[], bool] = lambda: True) -> dict:
    """The run of ``shard`` once its crawl process has claimed it and stored some postings."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and alive():
        stored = query(
            database_url,
            "SELECT r.id, r.stats FROM crawl_runs r WHERE r.shard = :shard AND r.finished_at IS NULL"
            " AND EXISTS (SELECT 1 FROM postings p WHERE p.crawl_run_id = r.id)",
            shard=shard,
        )
        if stored and "aggregator/pid" in stored[0]["stats"]:
            return stored[0]
        time.sleep(0.1)
    raise AssertionError(f"part {shard} never stored anything while running")


def _assert_retried_elsewhere_and_healthy(
    site, database_url: str, victim: dict, outcome: dict, reason: str | None = None
) -> None:
    result = outcome["result"]
    assert result.ok, result.summary()
    _assert_stored_once_each_in_a_job(database_url, site.item_urls)
    runs = _runs(database_url)
    dead = next(run for run in runs if run["id"] == victim["id"])
    assert (dead["status"], dead["finish_reason"]) == ("failed", "killed")
    assert reason is None or reason in dead["status_reason"], dead["status_reason"]
    retry = [run for run in runs if run["shard"] == "1/2" and run["id"] != victim["id"]]
    assert [run["status"] for run in retry] == ["ok"]
    assert retry[0]["stats"]["aggregator/scrapyd_node"] != dead["stats"]["aggregator/scrapyd_node"]
    (whole,) = [run for run in runs if run["shard"] is None]
    assert whole["status"] == "ok" and whole["items_scraped"] == len(site.item_urls)


@contextlib.contextmanager
def _frozen(pid: int, database_url: str, run_id: int) -> Iterator[None]:
    """The crawl process ``pid`` stopped (SIGSTOP) for the block and until its run was given up, then
    killed (its database session ends with it, and with that any lock it held)."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
        deadline = time.monotonic() + 60
        while query(database_url, "SELECT id FROM crawl_runs WHERE id = :id AND finished_at IS NULL", id=run_id):
            assert time.monotonic() < deadline, "the frozen part was never given up"
            time.sleep(0.1)
    finally:
        os.kill(pid, signal.SIGKILL)


def _node_of(node_processes: list[Node], run: dict) -> Node:
    return next(node for node in node_processes if node.url == run["stats"]["aggregator/scrapyd_node"])


def test_a_node_that_stops_answering_mid_crawl_has_its_part_retried_on_the_other(
    site, node_processes, postgres, tmp_path
):
    thread, outcome = _start_coordinator(_slow_split_config(tmp_path, postgres, [n.url for n in node_processes]))
    lost = None
    try:
        victim = _part_storing(postgres, "1/2", thread.is_alive)
        lost = _node_of(node_processes, victim)
        # The machine stops answering: its scrapyd is gone, its crawl frozen (still a live process
        # to this host's eyes, so only the node's silence tells).
        with _frozen(victim["stats"]["aggregator/pid"], postgres, victim["id"]):
            lost.kill()
    finally:
        thread.join(timeout=180)
        if lost is not None:  # back for the next tests
            lost.start()
            lost.wait_until_up()
    _assert_retried_elsewhere_and_healthy(site, postgres, victim, outcome, "stopped answering")


def test_a_job_that_vanishes_from_its_node_is_retried_on_the_other(site, node_processes, postgres, tmp_path):
    # Polls far enough apart that the node is back (answering, its lists empty) before it missed
    # enough of them to count as down.
    config = _slow_split_config(tmp_path, postgres, [n.url for n in node_processes], poll_seconds=2.0)
    thread, outcome = _start_coordinator(config)
    try:
        victim = _part_storing(postgres, "1/2", thread.is_alive)
        restarted = _node_of(node_processes, victim)
        # The node is started again at once (its crawl frozen, still a live process to this host's
        # eyes): it answers, and knows no job any more.
        with _frozen(victim["stats"]["aggregator/pid"], postgres, victim["id"]):
            restarted.kill()
            restarted.start()
            restarted.wait_until_up()
    finally:
        thread.join(timeout=180)
    _assert_retried_elsewhere_and_healthy(site, postgres, victim, outcome, "no longer known")


def test_a_coordinator_killed_mid_crawl_leaves_a_run_any_host_marks_failed_and_nothing_closed(
    site, nodes, watched_postgres, tmp_path
):
    postgres = watched_postgres
    config = _config_file(tmp_path, postgres, nodes, shards=2, **SLOW)
    with _aggregator(config, "crawl", "remotewlb", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as coordinator:
        _part_storing(postgres, "1/2", lambda: coordinator.poll() is None)
        coordinator.kill()  # SIGKILL: nothing of it runs any more
        coordinator.wait()
    (whole,) = query(postgres, "SELECT * FROM crawl_runs WHERE shard IS NULL")
    assert whole["status"] == "running" and whole["heartbeat_expires_at"] is not None
    # The parts run on without it and record themselves.
    deadline = time.monotonic() + 120
    while query(postgres, "SELECT id FROM crawl_runs WHERE shard IS NOT NULL AND finished_at IS NULL"):
        assert time.monotonic() < deadline, "the parts never finished"
        time.sleep(0.2)
    # Once its heartbeat expired (the database's clock), `aggregator runs` judges it — on any host:
    # the judgement is by the heartbeat, not by this host's processes.
    while query(postgres, "SELECT id FROM crawl_runs WHERE heartbeat_expires_at > now()"):
        assert time.monotonic() < deadline, "the heartbeat never expired"
        time.sleep(0.2)
    shown = subprocess.run(
        _command(config, "runs"), cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    line = next(line for line in shown.stdout.splitlines() if line.startswith(f"{whole['id']} "))
    assert "failed" in line and "its coordinator" in line and "stopped beating" in line, shown.stdout
    runs = _runs(postgres)
    (whole,) = [run for run in runs if run["shard"] is None]
    assert (whole["status"], whole["finish_reason"]) == ("failed", "coordinator_lost")
    assert sorted((run["shard"], run["status"]) for run in runs if run["shard"]) == [("1/2", "ok"), ("2/2", "ok")]
    # Everything the parts stored is there; the close/reopen rules were not applied for the crawl
    # (they would have closed the postings whose validThrough passed: the recording is of 2024).
    stored = query(postgres, "SELECT url, closed_at, valid_through FROM postings")
    assert {row["url"] for row in stored} == site.item_urls
    assert [row for row in stored if row["closed_at"] is not None] == []
    assert [row for row in stored if row["valid_through"] and row["valid_through"] < whole["finished_at"]] != []


def test_only_runs_whose_heartbeat_expired_are_failed_and_keep_that_verdict(database_url):
    from aggregator import liveness, repository
    from aggregator.db import database

    engine = database(database_url).engine
    beating = {**liveness.identity(), liveness.HEARTBEAT_SECONDS: 1.0}
    expired, beating_run, silent = (repository.start_run(engine, "remotewlb", stats=beating) for _ in range(3))
    # An allowance already past: the heartbeat expired (the database's clock), without waiting.
    assert repository.beat_run(engine, expired, alive_for_seconds=-1)
    assert repository.beat_run(engine, beating_run, alive_for_seconds=3600)
    # This very process ran them all: judged by their heartbeat, not by the PID.
    assert liveness.mark_dead_runs(engine) == 1
    runs = {run["id"]: run for run in query(database_url, "SELECT * FROM crawl_runs")}
    assert (runs[expired]["status"], runs[expired]["finish_reason"]) == ("failed", "coordinator_lost")
    assert f"pid {beating[liveness.PID]}" in runs[expired]["status_reason"]
    assert runs[beating_run]["status"] == runs[silent]["status"] == "running"  # silent: never beat
    # Its coordinator, come back, finds it judged: no beat, no verdict of its own.
    assert not repository.beat_run(engine, expired, alive_for_seconds=3600)
    assert not repository.finish_open_run(engine, expired, status="ok", finish_reason="finished")
    assert repository.get_run(engine, expired).status == "failed"
    assert repository.finish_open_run(engine, beating_run, status="ok", finish_reason="finished")


def _scheduler_config(tmp_path: Path, database_url: str) -> Path:
    """A configuration whose one board is scheduled nightly (no crawl starts while a test runs)."""
    config = tmp_path / "aggregator.toml"
    config.write_text(
        f'database_url = "{database_url}"\nboards_enabled_by_default = false\n\n'
        '[boards.remotewlb]\ncron = "0 2 * * *"\n',
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def _scheduler(config: Path, lines: list[str]) -> Iterator[subprocess.Popen]:
    """``aggregator schedule`` running for the block, its log lines gathered in ``lines``."""
    with _aggregator(config, "schedule", stderr=subprocess.PIPE) as scheduler:
        threading.Thread(target=lambda: lines.extend(scheduler.stderr), daemon=True).start()
        yield scheduler


def _wait_for(lines: list[str], text: str, count: int = 1, timeout: float = 60) -> None:
    """Until ``count`` of the ``lines`` read so far contain ``text``."""
    deadline = time.monotonic() + timeout
    while sum(text in line for line in lines) < count:
        assert time.monotonic() < deadline, "".join(lines)[-3000:]
        time.sleep(0.05)


def test_a_scheduler_whose_lock_session_ends_stops_scheduling_and_waits_for_the_lock_again(postgres, tmp_path):
    lines: list[str] = []
    advisory_locks = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with _scheduler(_scheduler_config(tmp_path, postgres), lines) as scheduler:
        _wait_for(lines, "scheduler running")
        (holder,) = query(postgres, advisory_locks)
        # The lock's session ends (a network cut, an administrator): the lock is gone with it.
        assert query(postgres, "SELECT pg_terminate_backend(:pid) AS ended", pid=holder["pid"]) == [{"ended": True}]
        _wait_for(lines, "lost the coordinator lock")
        _wait_for(lines, "scheduler running", count=2)  # the lock was free: taken again, on a new session
        (again,) = query(postgres, advisory_locks)
        assert again["pid"] != holder["pid"]
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=60) == 0


# --- without nodes: the argument, the configuration ------------------------------------------------


def test_every_url_belongs_to_exactly_one_part():
    urls = {entry["url"] for entry in load_expected()}
    for count in (1, 2, 3, 4):
        owners = [[index for index in range(1, count + 1) if Shard(index, count).owns(url)] for url in urls]
        assert all(len(found) == 1 for found in owners)
        sizes = [sum(1 for found in owners if found == [index]) for index in range(1, count + 1)]
        assert min(sizes) > len(urls) / count / 2  # roughly even


@pytest.mark.parametrize("value", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_bad_shard_is_refused(value):
    with pytest.raises(ValueError, match="shard must be I/N"):
        check_arguments("remotewlb", spider_classes()["remotewlb"], {"shard": value})


def test_a_board_whose_pages_depend_on_each_other_refuses_to_be_split(tmp_path):
    with pytest.raises(ValueError, match="cannot be split"):
        check_arguments("remoteok", spider_classes()["remoteok"], {"shard": "1/2"})
    path = tmp_path / "aggregator.toml"
    path.write_text('[cluster]\nscrapyd = ["http://127.0.0.1:6800"]\n\n[boards.remoteok]\nshards = 2\n')
    with pytest.raises(ConfigError, match=r"aggregator.toml:5: boards.remoteok.shards: remoteok cannot be split"):
        check_configured_arguments(load_config(path), spider_classes())


def test_an_ats_part_crawls_its_slice_of_the_companies():
    spider = spider_classes()["greenhouse"](boards="a,b,c,d,e", shard="2/2")
    assert spider.shard.slice(list("abcde")) == ["b", "d"]


def test_a_part_divides_the_request_rate():
    from scrapy.settings import Settings

    from aggregator.bases.shard import share_politeness

    settings = Settings({"DOWNLOAD_DELAY": 0.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "AUTOTHROTTLE_START_DELAY": 1.0})
    share_politeness(settings, 3)
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.5
    assert settings.getfloat("AUTOTHROTTLE_START_DELAY") == 3.0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1


def test_a_second_scheduler_waits_as_hot_standby_and_takes_over(postgres, tmp_path):
    config = _scheduler_config(tmp_path, postgres)
    logs: list[list[str]] = [[], []]
    with contextlib.ExitStack() as running:
        first = running.enter_context(_scheduler(config, logs[0]))
        _wait_for(logs[0], "scheduler running")
        second = running.enter_context(_scheduler(config, logs[1]))
        _wait_for(logs[1], "waiting as a hot standby")
        time.sleep(1.5)  # the standby keeps trying; it must not start while the first one runs
        assert not any("scheduler running" in line for line in logs[1])
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
        _wait_for(logs[1], "scheduler running")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0


def test_the_deploy_files_describe_a_node_and_a_coordinator_that_work():
    import configparser

    deploy = ROOT / "deploy"
    node = configparser.ConfigParser()
    node.read(deploy / "scrapyd.conf")
    assert dict(node["settings"]) == {"aggregator": "aggregator.settings"}
    assert "SCRAPY_SETTINGS_MODULE=aggregator.settings" in (deploy / "scrapyd.service").read_text()
    config = load_config(deploy / "compose-aggregator.toml")
    check_configured_arguments(config, spider_classes())
    assert config.cluster.scrapyd == ["http://node1:6800", "http://node2:6800"]
    assert config.boards["remotewlb"].shards == 2


def test_a_part_fetches_only_its_postings_and_closes_nothing_it_did_not_see(tmp_path, database_url):
    from aggregator import repository
    from aggregator.db import database
    from tests.conftest import posting_page, run_crawl, small_site

    urls = [f"{SITE}/job/posting-{number}" for number in range(8)]
    site = small_site(tmp_path / "site", {url: [{"status": 200, "text": posting_page(url[-9:])}] for url in urls})
    assert run_crawl("remotewlb", [site], database_url).returncode == 0

    strict = ("-s", "FULL_RECRAWL=True", "-s", "CLOSE_AFTER_MISSED_RUNS=1")  # one miss would close
    part = run_crawl("remotewlb", [site], database_url, "-a", "shard=1/2", *strict)
    assert part.returncode == 0, part.log[-3000:]
    mine = {url for url in urls if Shard(1, 2).owns(url)}
    assert 0 < len(mine) < len(urls)
    assert {r["url"] for r in part.requests if "/job/" in r["url"]} == mine
    stored = query(database_url, "SELECT url, missed_runs, closed_at FROM postings")
    assert {row["url"] for row in stored} == set(urls)
    assert all(row["missed_runs"] == 0 and row["closed_at"] is None for row in stored)
    runs = query(database_url, "SELECT shard, status, items_scraped FROM crawl_runs ORDER BY id")
    assert [(run["shard"], run["status"]) for run in runs] == [(None, "ok"), ("1/2", "ok")]
    # Only the whole crawl is history for health verdicts.
    engine = database(database_url).engine
    assert repository.recent_postings_seen(engine, "remotewlb", 7) == [len(urls)]


def test_a_part_that_finishes_after_its_run_was_given_up_leaves_that_verdict(tmp_path, database_url):
    """A part on a node that stopped answering (a network partition) was given up by the coordinator
    and started again elsewhere; the crawl itself went on, and ends later. Its run keeps the verdict
    the coordinator gave and acted on: the crawl records nothing over it, applies no lifecycle, and
    ends failed, saying why."""
    from aggregator import repository
    from aggregator.db import database
    from tests.conftest import posting_page, run_crawl, small_site

    urls = [f"{SITE}/job/posting-{number}" for number in range(4)]
    pages = {url: [{"status": 200, "text": posting_page(url[-9:])}] for url in urls}
    pages[urls[-1]][0]["delay"] = 3  # the crawl is still running when its run is given up
    site = small_site(tmp_path / "site", pages)
    engine = database(database_url).engine
    run_id = repository.start_run(engine, "remotewlb", shard="1/1")
    claimed = threading.Event()

    def give_up_once_claimed() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "aggregator/pid" in (repository.get_run(engine, run_id).stats or {}):
                repository.give_up_run(engine, run_id, reason="scrapyd node http://node-a stopped answering")
                claimed.set()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=give_up_once_claimed)
    watcher.start()
    crawl = run_crawl("remotewlb", [site], database_url, "-a", "shard=1/1", "-s", f"AGGREGATOR_RUN_ID={run_id}")
    watcher.join()
    assert claimed.is_set()
    assert crawl.returncode == 1, crawl.log[-3000:]
    assert f"run {run_id} was judged failed while this crawl ran (scrapyd node http://node-a" in crawl.log
    (run,) = query(database_url, "SELECT status, finish_reason, status_reason, items_scraped FROM crawl_runs")
    assert (run["status"], run["finish_reason"]) == ("failed", "killed")
    assert run["status_reason"] == "scrapyd node http://node-a stopped answering" and run["items_scraped"] == 0
    # What it stored is kept (the retried part stores the same postings again, once each).
    assert {row["url"] for row in query(database_url, "SELECT url FROM postings")} == set(urls)
