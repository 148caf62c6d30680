"""Clean stops and liveness: a stopped crawl stores what it scraped and is `interrupted`; a killed
crawl's run is found by the next command that looks (host + PID + process start time)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest

from aggregator import liveness, repository
from aggregator.config import Config
from aggregator.db import database
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import ROOT, SITE, posting_page, query, small_site
from tests.test_scheduler import aggregator, no_process_left_behind, runs, stop, wait_for  # noqa: F401 (fixture)

SLOW = f"{SITE}/job/slow-posting-3"
# Fetched newest first (small_site gives later entries later lastmods): 5, 4, then the slow 3, then 2, 1.
FETCHED_BEFORE_THE_STOP = [f"{SITE}/job/fast-posting-5", f"{SITE}/job/fast-posting-4"]
NEVER_FETCHED = [f"{SITE}/job/late-posting-1", f"{SITE}/job/late-posting-2"]


@pytest.fixture
def stoppable_site(tmp_path):
    pages = {url: [{"status": 200, "text": posting_page(url.rsplit("/", 1)[1])}] for url in NEVER_FETCHED}
    # Long enough that the signal lands while the page is downloading; the stop waits for it.
    pages[SLOW] = [{"status": 200, "delay": 4, "text": posting_page("Slow posting")}]
    pages |= {
        url: [{"status": 200, "text": posting_page(url.rsplit("/", 1)[1])}] for url in reversed(FETCHED_BEFORE_THE_STOP)
    }
    return small_site(tmp_path / "site", pages)


def _config(tmp_path, database_url, notes):
    # One posting at a time, so that the slow page holds the queue: the postings listed after it are
    # still waiting when the stop comes, and must simply not be fetched.
    config = tmp_path / "aggregator.toml"
    config.write_text(
        f'database_url = "{database_url}"\ntimezone = "UTC"\nboards_enabled_by_default = false\n'
        f'notify_command = "cat >> {notes}"\n\n[boards.remotewlb]\ncron = "*/2 * * * * *"\n'
        "settings = { AUTOTHROTTLE_ENABLED = false, DOWNLOAD_DELAY = 0, CONCURRENT_REQUESTS = 1 }\n",
        encoding="utf-8",
    )
    return config


def _stop_mid_crawl(process, proxy, signum):
    """Signal the whole process group (as systemd or a terminal does) while the slow page downloads."""
    wait_for(lambda: any(request["url"] == SLOW for request in list(proxy.requests)), timeout=120)
    os.killpg(process.pid, signum)
    output, _ = process.communicate(timeout=120)
    return output


def _assert_interrupted_and_stored(database_url, proxy, output, notes):
    fetched = {request["url"] for request in proxy.requests if "/job/" in request["url"]}
    assert fetched == {*FETCHED_BEFORE_THE_STOP, SLOW}, fetched  # the queued postings were not fetched
    stored = {row["listed_url"] for row in query(database_url, "SELECT listed_url FROM postings")}
    assert stored == fetched, "every posting page fetched before the stop is stored"
    (run,) = runs(database_url)
    assert run["status"] == "interrupted", run["status_reason"]
    assert run["finish_reason"] == "shutdown" and run["finished_at"] is not None
    assert run["items_new"] == len(stored)
    assert "forcing unclean shutdown" not in output and "twice" not in output
    assert "CRAWL FAILED" not in output and "Traceback" not in output
    assert not notes.exists(), "a deliberate stop sends no failure notification"


def test_sigterm_to_the_schedulers_process_group_stores_the_crawl_and_exits_0(tmp_path, database_url, stoppable_site):
    notes = tmp_path / "notes.txt"
    config = _config(tmp_path, database_url, notes)
    with ReplayProxy(Snapshot.load(stoppable_site)) as proxy:
        scheduler = aggregator("--config", str(config), "schedule", proxy=proxy)
        output = _stop_mid_crawl(scheduler, proxy, signal.SIGTERM)
        assert scheduler.returncode == 0, output[-3000:]
        _assert_interrupted_and_stored(database_url, proxy, output, notes)
    assert "scheduler stopped" in output


def test_ctrl_c_to_aggregator_crawl_stores_the_crawl_and_exits_0(tmp_path, database_url, stoppable_site):
    notes = tmp_path / "notes.txt"
    config = _config(tmp_path, database_url, notes)
    with ReplayProxy(Snapshot.load(stoppable_site)) as proxy:
        crawl = aggregator("--config", str(config), "crawl", "remotewlb", proxy=proxy)
        output = _stop_mid_crawl(crawl, proxy, signal.SIGINT)
        assert crawl.returncode == 0, output[-3000:]
        _assert_interrupted_and_stored(database_url, proxy, output, notes)
    assert "crawl of remotewlb: interrupted" in output


# --- liveness ------------------------------------------------------------------------------------


def _running_run(engine, recorded: dict) -> int:
    return repository.start_run(engine, "remotewlb", stats=recorded)


def test_a_killed_crawls_run_is_interrupted_by_the_next_command_that_looks(tmp_path, database_url):
    engine = database(database_url).engine
    # A crawl process that was killed with SIGKILL: its PID is gone.
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    killed = _running_run(engine, liveness.identity(victim.pid))
    victim.kill()
    victim.wait(timeout=10)
    # Its PID reused by another process: same host and PID, a different start time.
    me = liveness.identity()
    reused = _running_run(engine, {**me, liveness.STARTED: me[liveness.STARTED] - 3600})
    # A live crawl (this very process) and one on another host stay running.
    alive = _running_run(engine, me)
    elsewhere = _running_run(engine, {**me, liveness.HOST: "some-other-host"})

    config = tmp_path / "aggregator.toml"
    config.write_text(f'database_url = "{database_url}"\n')
    listing = aggregator("--config", str(config), "runs")
    output, _ = listing.communicate(timeout=120)
    assert listing.returncode == 0, output

    status = {row["id"]: row for row in query(database_url, "SELECT * FROM crawl_runs")}
    for run_id in (killed, reused):
        assert status[run_id]["status"] == "interrupted"
        assert status[run_id]["finish_reason"] == "killed" and status[run_id]["finished_at"] is not None
    for run_id in (alive, elsewhere):
        assert status[run_id]["status"] == "running" and status[run_id]["finished_at"] is None
    assert output.count("interrupted") == 2
    engine.dispose()


def test_liveness_tells_a_reused_pid_from_the_same_process():
    me = liveness.identity()
    assert me[liveness.PID] == os.getpid()
    assert liveness.is_alive(me)
    assert not liveness.is_alive({**me, liveness.STARTED: me[liveness.STARTED] + 60})
    assert not liveness.is_alive({**me, liveness.STARTED: psutil.boot_time() - 1})
    # A run recorded before start times were recorded: the PID is all there is.
    assert liveness.is_alive({liveness.HOST: me[liveness.HOST], liveness.PID: os.getpid()})


def test_the_scheduler_start_marks_killed_crawls_interrupted(tmp_path, database_url):
    engine = database(database_url).engine
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    killed = _running_run(engine, liveness.identity(victim.pid))
    victim.kill()
    victim.wait(timeout=10)
    engine.dispose()
    config = _config(tmp_path, database_url, tmp_path / "notes.txt")
    config.write_text(config.read_text().replace('cron = "*/2 * * * * *"', 'cron = "0 2 * * *"'))
    stop(aggregator("--config", str(config), "schedule"))
    (run,) = query(database_url, "SELECT * FROM crawl_runs WHERE id = :id", id=killed)
    assert (run["status"], run["finish_reason"]) == ("interrupted", "killed")


def test_the_systemd_unit_stops_the_scheduler_only_and_waits_longer_than_the_crawls_may_take():
    unit = (ROOT / "deploy" / "aggregator-scheduler.service").read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["KillMode"] == "mixed"  # SIGTERM to the scheduler alone; it forwards one to each crawl
    assert settings["KillSignal"] == "SIGTERM"
    assert int(settings["TimeoutStopSec"]) > Config.stop_timeout_seconds
