"""`aggregator` CLI, the scheduler and crawl health, with real crawl processes against recordings."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text

from aggregator.config import ConfigError, HealthThresholds, load_config
from aggregator.cron import cron_trigger
from aggregator.health import judge
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import ROOT, SITE, posting_page, query, small_site

FAST_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


def write_config(path: Path, database_url: str, cron: str, grace: int = 3600, extra: str = "") -> Path:
    settings = ", ".join(f'{key} = "{value}"' for key, value in FAST_SETTINGS.items())
    path.write_text(
        f'database_url = "{database_url}"\ntimezone = "UTC"\nmisfire_grace_seconds = {grace}\n'
        f"boards_enabled_by_default = false\n{extra}\n"
        f'[boards.remotewlb]\ncron = "{cron}"\nsettings = {{ {settings} }}\n',
        encoding="utf-8",
    )
    return path


class Process(subprocess.Popen):
    """A child whose output is collected by a thread, so that tests can wait for a line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.stdout), daemon=True)
        self.reader.start()

    def communicate(self, timeout=None):
        self.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return "".join(self.lines), None

    def wait_for_line(self, fragment: str, timeout: float = 60) -> None:
        def printed():
            return any(fragment in line for line in list(self.lines))

        printed.__name__ = f"output {fragment!r}"
        wait_for(printed, timeout)


_spawned: list[Process] = []


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """A failing test must not leave a scheduler running on the machine."""
    yield
    while _spawned:
        process = _spawned.pop()
        if process.poll() is None:
            try:  # crawls run in sessions of their own: kill them by their parent
                children = psutil.Process(process.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            os.killpg(process.pid, signal.SIGKILL)
            for child in children:
                child.kill()
            process.wait(timeout=10)


def aggregator(*args: str, proxy: ReplayProxy | None = None, **popen) -> Process:
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.pop("AGGREGATOR_DATABASE_URL", None)
    if proxy:
        environment |= {"https_proxy": proxy.url, "http_proxy": proxy.url}
    process = Process(
        [sys.executable, "-m", "aggregator", *args], cwd=ROOT, env=environment, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, **popen,
    )  # fmt: skip
    _spawned.append(process)
    return process


def wait_for(condition, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {condition.__name__}")


def runs(database_url: str) -> list[dict]:
    try:
        return query(database_url, "SELECT * FROM crawl_runs ORDER BY id")
    except Exception:  # the database is created by the first crawl
        return []


def stop(process: Process) -> str:
    process.wait_for_line("scheduler running")
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=90)
    assert process.returncode == 0, output[-3000:]
    return output


@pytest.fixture
def site(tmp_path):
    return small_site(
        tmp_path / "site", {f"{SITE}/job/good-posting-1": [{"status": 200, "text": posting_page("Good")}]}
    )


@pytest.fixture
def slow_site(tmp_path):
    page = [{"status": 200, "delay": 3, "text": posting_page("Slow")}]
    return small_site(tmp_path / "slow", {f"{SITE}/job/slow-posting-1": page})


# --- cron and configuration -------------------------------------------------------------------


def test_cron_weekdays_count_from_sunday_and_seconds_are_optional():
    assert "day_of_week='sun'" in str(cron_trigger("0 2 * * 0", "UTC"))
    assert "day_of_week='mon-fri'" in str(cron_trigger("30 6 * * 1-5", "UTC"))
    assert "second='*/5'" in str(cron_trigger("*/5 * * * * *", "UTC"))
    with pytest.raises(ValueError):
        cron_trigger("0 2 * *", "UTC")
    with pytest.raises(ValueError):
        cron_trigger("0 25 * * *", "UTC")


def test_bad_cron_fails_at_start_naming_the_line(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text('timezone = "UTC"\n\n[boards.remotewlb]\nenabled = true\ncron = "0 99 * * *"\n')
    with pytest.raises(ConfigError, match=rf"{config}:5: boards.remotewlb.cron: bad cron"):
        load_config(config, known_boards={"remotewlb"})
    process = aggregator("--config", str(config), "schedule")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"{config}:5: boards.remotewlb.cron: bad cron" in output


def test_unknown_board_and_time_zone_are_refused(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text('\n[boards.nosuchboard]\ncron = "0 2 * * *"\n')
    with pytest.raises(ConfigError, match=rf"{config}:2: unknown board 'nosuchboard'"):
        load_config(config, known_boards={"remotewlb"})
    config.write_text('timezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_config(config)


def test_environment_overrides_the_database_url(tmp_path, monkeypatch):
    config = tmp_path / "aggregator.toml"
    config.write_text('database_url = "sqlite:///from-file.db"\n')
    assert load_config(config).database_url == "sqlite:///from-file.db"
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", "sqlite:///from-env.db")
    assert load_config(config).database_url == "sqlite:///from-env.db"


def test_cli_help_is_there_for_every_command():
    for command in ([], ["crawl"], ["schedule"], ["runs"], ["db"], ["db", "upgrade"]):
        completed = subprocess.run(
            [sys.executable, "-m", "aggregator", *command, "--help"], cwd=ROOT, capture_output=True, text=True
        )
        assert completed.returncode == 0 and "usage: aggregator" in completed.stdout


# --- health ------------------------------------------------------------------------------------


def test_health_verdicts():
    limits = HealthThresholds(max_reject_share=0.2, min_share_of_median=0.5)
    assert judge("finished", 100, 0, [100, 90, 110], limits) == ("ok", None)
    assert judge("shutdown", 100, 0, [], limits)[0] == "interrupted"
    assert judge("cancelled", 100, 0, [], limits)[0] == "failed"
    assert judge("finished", 0, 0, [], limits) == ("failed", "no postings were scraped")
    assert "rejected" in judge("finished", 70, 30, [], limits)[1]
    assert "median" in judge("finished", 40, 0, [100, 90, 110], limits)[1]
    assert judge("finished", 60, 0, [100, 90, 110], limits)[0] == "ok"


# --- crawls and the scheduler, as processes ------------------------------------------------------


def test_crawl_command_records_a_run_and_exits_by_its_health(tmp_path, database_url, site):
    config = write_config(tmp_path / "aggregator.toml", database_url, "0 2 * * *")
    with ReplayProxy(Snapshot.load(site)) as proxy:
        ok = aggregator("--config", str(config), "crawl", "remotewlb", proxy=proxy)
        output, _ = ok.communicate(timeout=120)
    assert ok.returncode == 0, output[-3000:]
    empty = small_site(tmp_path / "empty", {f"{SITE}/job/x-1": [{"status": 200, "text": "<html>moved on</html>"}]})
    with ReplayProxy(Snapshot.load(empty)) as proxy:
        failed = aggregator("--config", str(config), "crawl", "remotewlb", proxy=proxy)
        output, _ = failed.communicate(timeout=120)
    assert failed.returncode == 1
    assert "CRAWL FAILED" in output and "no postings were scraped" in output
    recorded = runs(database_url)
    assert [run["status"] for run in recorded] == ["ok", "failed"]
    shown = aggregator("--config", str(config), "runs").communicate(timeout=60)[0]
    assert "remotewlb" in shown and "no postings were scraped" in shown


def test_a_failing_board_does_not_stop_the_others_and_notifies(tmp_path, database_url, site):
    notes = tmp_path / "notes.txt"
    extra = f'notify_command = "cat >> {notes}; echo \\"$AGGREGATOR_RUN_BOARD $AGGREGATOR_RUN_STATUS\\" >> {notes}"'
    config = write_config(tmp_path / "aggregator.toml", database_url, "0 2 * * *", extra=extra)
    # Only remotewlb is recorded: remoteok's host answers 502 through the replay, as a dead site would.
    with ReplayProxy(Snapshot.load(site)) as proxy:
        crawl = aggregator(
            "--config", str(config), "crawl", "remoteok", "remotewlb", "-s", "RETRY_TIMES=0", proxy=proxy
        )
        output, _ = crawl.communicate(timeout=180)
    assert crawl.returncode == 1, output[-3000:]
    recorded = {run["spider"]: run for run in runs(database_url)}
    assert recorded["remoteok"]["status"] == "failed" and recorded["remoteok"]["status_reason"]
    assert recorded["remotewlb"]["status"] == "ok"
    assert all(run["finished_at"] is not None for run in recorded.values())
    sent = notes.read_text()
    assert "crawl of remoteok: failed" in sent and "remoteok failed" in sent
    assert "remotewlb" not in sent  # notify_on = failure


def test_scheduler_fires_on_time_and_records_the_run(tmp_path, database_url, site):
    config = write_config(tmp_path / "aggregator.toml", database_url, "*/2 * * * * *")
    with ReplayProxy(Snapshot.load(site)) as proxy:
        scheduler = aggregator("--config", str(config), "schedule", proxy=proxy)
        try:
            wait_for(lambda: any(run["status"] == "ok" for run in runs(database_url)))
        finally:
            stop(scheduler)
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings")[0]["n"] == 1


def test_a_crawl_slower_than_its_interval_never_overlaps(tmp_path, database_url, slow_site):
    config = write_config(tmp_path / "aggregator.toml", database_url, "* * * * * *")
    with ReplayProxy(Snapshot.load(slow_site)) as proxy:
        scheduler = aggregator("--config", str(config), "schedule", proxy=proxy)
        try:
            wait_for(lambda: len([r for r in runs(database_url) if r["finished_at"]]) >= 2, timeout=90)
        finally:
            output = stop(scheduler)
    recorded = runs(database_url)
    for earlier, later in zip(recorded, recorded[1:], strict=False):
        assert later["started_at"] >= earlier["finished_at"], "two crawls of one board ran at once"
    assert "maximum number of running instances reached" in output


def test_sigterm_during_a_crawl_leaves_no_run_unfinished(tmp_path, database_url, slow_site):
    config = write_config(tmp_path / "aggregator.toml", database_url, "*/2 * * * * *")
    with ReplayProxy(Snapshot.load(slow_site)) as proxy:
        scheduler = aggregator("--config", str(config), "schedule", proxy=proxy)
        try:
            wait_for(lambda: any(run["finished_at"] is None for run in runs(database_url)))
        finally:
            stop(scheduler)
    recorded = runs(database_url)
    assert recorded and all(run["finished_at"] is not None for run in recorded)
    assert recorded[-1]["status"] == "interrupted"


def _job_rows(database_url: str) -> list[dict]:
    try:
        return query(database_url, "SELECT id, next_run_time, job_state FROM apscheduler_jobs")
    except Exception:  # not migrated yet
        return []


def test_restart_keeps_one_job_and_runs_a_missed_crawl_once(tmp_path, database_url, site):
    config = write_config(tmp_path / "aggregator.toml", database_url, "0 2 * * *", grace=3600)
    for _ in range(2):  # start and stop twice: still one job
        scheduler = aggregator("--config", str(config), "schedule")
        stop(scheduler)
    (job,) = _job_rows(database_url)
    assert job["id"] == "crawl:remotewlb"

    # Pretend the machine slept through the last 02:00: the job was due ten minutes ago.
    missed = time.time() - 600
    state = pickle.loads(job["job_state"])
    state["next_run_time"] = datetime.fromtimestamp(missed, UTC)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE apscheduler_jobs SET next_run_time = :t, job_state = :s"),
            {"t": missed, "s": pickle.dumps(state, pickle.HIGHEST_PROTOCOL)},
        )
    engine.dispose()
    with ReplayProxy(Snapshot.load(site)) as proxy:
        scheduler = aggregator("--config", str(config), "schedule", proxy=proxy)
        try:
            wait_for(lambda: any(run["finished_at"] for run in runs(database_url)))
            time.sleep(3)  # a coalesced job would have started again by now
        finally:
            stop(scheduler)
    assert len(runs(database_url)) == 1
    assert len(_job_rows(database_url)) == 1
    assert _job_rows(database_url)[0]["next_run_time"] > time.time()
