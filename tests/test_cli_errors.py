"""Input mistakes are one line and exit code 2, never a traceback: configuration, command line, spider
arguments and database URLs. Read-only commands never create or migrate a database."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from aggregator import cli
from aggregator.boards import planned_boards, spider_classes
from aggregator.config import ConfigError, load_config
from tests.conftest import POSTGRES_SERVER_URL, ROOT, postgres_unavailable, query


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """The real `aggregator` entry point, in-process (argparse's own errors exit through SystemExit)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# --- configuration ---------------------------------------------------------------------------------

CONFIG_CASES = {
    "a quoted boolean is not truthy": (
        '[boards.remotewlb]\nenabled = "no"\n', 2, "boards.remotewlb.enabled", "true or false"),
    "a duration string is not seconds": (
        'timezone = "UTC"\nmisfire_grace_seconds = "6h"\n', 2, "misfire_grace_seconds", "whole number of seconds"),
    "arguments must be a table": (
        '\n[boards.greenhouse]\narguments = "gitlab"\n', 3, "boards.greenhouse.arguments", "must be a table"),
    "a bad top-level cron": ('cron = "0 25 * * *"\n', 1, "cron", "bad cron"),
    "a bad board cron": (
        '[boards.remotewlb]\n# nightly\ncron = "61 2 * * *"\n', 3, "boards.remotewlb.cron", "bad cron"),
    "a cron with too few fields": (
        '[boards.remotewlb]\ncron = "0 2 * *"\n', 2, "boards.remotewlb.cron", "5 cron fields"),
    "a misspelt key": ('[boards.remotewlb]\ncorn = "0 2 * * *"\n', 2, "boards.remotewlb.corn", "unknown key"),
    "a misspelt top-level key": ('misfire_grace = 600\n', 1, "misfire_grace", "misfire_grace_seconds"),
    "a share above 1": ('[health]\nmax_reject_share = 20\n', 2, "health.max_reject_share", "less than or equal to 1"),
    "a list as an argument": (
        '[boards.greenhouse]\narguments = { boards = ["gitlab"] }\n', 2, "boards.greenhouse.arguments.boards",
        "string, a number or true/false"),
    "an unknown notify_on": ('notify_on = "sometimes"\n', 1, "notify_on", "'failure' or 'always'"),
    "an unknown time zone": ('timezone = "Mars/Olympus"\n', 1, "timezone", "unknown time zone"),
    "a fractional count": ('max_parallel_crawls = 1.5\n', 1, "max_parallel_crawls", "whole number"),
    "an unknown board": (
        '\n\n[boards.remotewbl]\ncron = "0 2 * * *"\n', 3, "unknown board 'remotewbl'", "did you mean 'remotewlb'?"),
    "not TOML": ('cron = \n', 1, "not valid TOML", ""),
    "an unknown spider argument": (
        '[boards.remoteok]\ncron = "0 3 * * *"\narguments = { maxpages = 3 }\n', 3, "boards.remoteok.arguments",
        "it takes: max_pages, tag, url"),
    "a bad spider argument value": (
        '[boards.remoteok]\narguments = { max_pages = "all" }\n', 2, "boards.remoteok.arguments",
        "max_pages must be a whole number"),
}  # fmt: skip


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_configuration_mistakes_are_one_line_naming_file_line_and_key(case, tmp_path, capsys):
    text, line, key, words = CONFIG_CASES[case]
    config = tmp_path / "aggregator.toml"
    config.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, "--config", str(config), "schedule", "--list")
    assert_one_line_error(code, err, f"configuration error: {config}:{line}: ", key, words)


def test_a_good_configuration_is_typed_and_the_top_level_cron_is_every_boards_default(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text(
        'cron = "30 4 * * *"\nmisfire_grace_seconds = 600\n[health]\nmax_reject_share = 0\n'
        '[boards.remotive]\ncron = "15 6 * * *"\n[boards.remotewlb]\nenabled = false\n'
        '[boards.greenhouse]\narguments = { boards = "gitlab", full = true }\nmin_share_of_median = 0.25\n'
    )  # fmt: skip
    loaded = load_config(config)
    assert loaded.misfire_grace_seconds == 600 and loaded.health.max_reject_share == 0.0
    assert loaded.boards["greenhouse"].arguments == {"boards": "gitlab", "full": "True"}
    assert loaded.boards["greenhouse"].health.min_share_of_median == 0.25
    assert loaded.boards["greenhouse"].health.max_reject_share == 0.0  # the global threshold
    planned = {board.name: board.cron for board in planned_boards(loaded, spider_classes())}
    assert planned["remotive"] == "15 6 * * *"  # its own
    assert planned["remoteok"] == "30 4 * * *"  # the top-level default, not the spider's
    assert planned["greenhouse"] == "30 4 * * *"
    assert "remotewlb" not in planned


def test_config_errors_name_the_file_for_the_library_too(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text('[boards.remotewlb]\nenabled = "no"\n')
    with pytest.raises(ConfigError, match=rf"^{config}:2: boards.remotewlb.enabled: must be true or false"):
        load_config(config)


# --- the command line ------------------------------------------------------------------------------

CLI_CASES = {
    "a misspelt board": (("crawl", "remotwlb"), "unknown board 'remotwlb'", "did you mean 'remotewlb'"),
    "no board": (("crawl",), "name the boards to crawl", "--all"),
    "boards and --all": (("crawl", "--all", "remotewlb"), "not both", ""),
    "a spider argument that is not a number": (
        ("crawl", "remoteok", "-a", "max_pages=abc"), "max_pages must be a whole number", "'abc'"),
    "an unknown spider argument": (
        ("crawl", "remoteok", "-a", "maxpages=3"), "unknown spider argument maxpages", "it takes: max_pages, tag, url"),
    "an argument without a value": (("crawl", "remoteok", "-a", "max_pages"), "expected KEY=VALUE", ""),
    "a bad setting": (("crawl", "remotewlb", "-s", "NOPE"), "expected KEY=VALUE", ""),
    "a bad limit": (("runs", "-n", "many"), "expected a whole number", ""),
    "a negative limit": (("runs", "-n", "-3"), "expected at least 1", ""),
    "an unknown command": (("crawlz",), "invalid choice: 'crawlz'", ""),
    "a bad output format": (("search", "--format", "xml"), "invalid choice: 'xml'", ""),
}  # fmt: skip


def test_crawl_all_with_nothing_enabled_says_so(tmp_path, capsys):
    config = tmp_path / "aggregator.toml"
    config.write_text("boards_enabled_by_default = false\n[boards.remotewlb]\nenabled = false\n")
    code, _, err = run_cli(capsys, "--config", str(config), "crawl", "--all")
    assert_one_line_error(code, err, "no enabled boards to crawl")


@pytest.mark.parametrize("case", CLI_CASES)
def test_command_line_mistakes_are_one_line_and_exit_2(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no aggregator.toml, no jobs.db
    argv, *fragments = CLI_CASES[case]
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "jobs.db").exists()


def test_plain_scrapy_crawl_refuses_unknown_spider_arguments_naming_the_ones_it_takes(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "remotewlb", "-a", "fulll=true",
         "-s", f"DATABASE_URL=sqlite:///{tmp_path / 'jobs.db'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "unknown spider argument fulll for remotewlb (it takes: full, shard)" in completed.stderr
    assert not (tmp_path / "jobs.db").exists()


# --- database URLs ---------------------------------------------------------------------------------

URL_CASES = {
    "postgres:// scheme": ("postgres://me@localhost/jobs", "write postgresql+psycopg://"),
    "no such directory": ("sqlite:////nonexistent/folder/jobs.db", "no such directory: /nonexistent/folder"),
    "connection refused": ("postgresql+psycopg://postgres@127.0.0.1:1/jobs", "Connection refused"),
    "not a URL": ("jobs.db", "not a database URL"),
    "a driver that is not installed": ("mysql://me@localhost/jobs", "driver is not installed"),
}


@pytest.mark.parametrize("command", [("runs",), ("db", "upgrade"), ("crawl", "remotewlb"), ("search", "python")])
@pytest.mark.parametrize("case", URL_CASES)
def test_bad_database_urls_are_one_line(case, command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url, words = URL_CASES[case]
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url)
    code, _, err = run_cli(capsys, *command)
    assert_one_line_error(code, err, "aggregator: database: ", words)


def test_a_file_that_is_not_a_database_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jobs.db").write_text("notes, not a database " * 20)
    for command in (("runs",), ("db", "upgrade"), ("search", "python")):
        code, _, err = run_cli(capsys, *command)
        assert_one_line_error(code, err, "sqlite:///jobs.db: file is not a database")


def test_a_postgresql_database_that_does_not_exist_is_named(capsys, monkeypatch):
    if reason := postgres_unavailable():
        pytest.skip(reason)
    url = POSTGRES_SERVER_URL.rsplit("/", 1)[0] + "/no_such_aggregator_db"
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url)
    for command in (("runs",), ("db", "upgrade")):
        code, _, err = run_cli(capsys, *command)
        assert_one_line_error(code, err, "no such database 'no_such_aggregator_db'", "createdb")


# --- read-only commands ----------------------------------------------------------------------------


def _tables(database_url: str) -> list[str]:
    if database_url.startswith("sqlite"):
        return [row["name"] for row in query(database_url, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        row["tablename"] for row in query(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]


@pytest.mark.parametrize(
    "command, answer",
    [(("runs",), "no crawl runs yet"), (("search", "python"), "no open jobs match"),
     (("export", "--format", "ndjson"), ""), (("boards",), "never")],
)  # fmt: skip
def test_read_only_commands_never_create_or_migrate_a_database(
    command, answer, database_url, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_url)
    code, _, err = run_cli(capsys, *command)
    if database_url.startswith("sqlite"):
        assert_one_line_error(code, err, "no database at", "aggregator db upgrade")
        assert not (tmp_path / "jobs.db").exists()
    else:  # the server has the (empty) database: it is not migrated behind the user's back
        assert_one_line_error(code, err, "has no aggregator tables", "aggregator db upgrade")
        assert _tables(database_url) == []
    code, out, _ = run_cli(capsys, "db", "upgrade")
    assert code == 0 and "is at revision" in out
    code, out, err = run_cli(capsys, *command)
    assert code == 0, err
    assert answer in out if answer else out == ""


# --- the schedule, without the scheduler -------------------------------------------------------------


def test_schedule_list_shows_next_runs_and_writes_nothing(tmp_path, capsys):
    config = tmp_path / "aggregator.toml"
    database = tmp_path / "jobs.db"
    config.write_text(
        f'database_url = "sqlite:///{database}"\ntimezone = "Europe/Berlin"\ncron = "30 4 * * *"\n'
        '[boards.remotive]\ncron = "15 6 * * 1"\n[boards.remotewlb]\nenabled = false\n'
    )
    code, out, err = run_cli(capsys, "--config", str(config), "schedule", "--list")
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.strip().splitlines()[1:]}
    assert "remotewlb" not in rows and "greenhouse" not in rows  # disabled; needs arguments
    assert "15 6 * * 1" in rows["remotive"] and "30 4 * * *" in rows["remoteok"]
    next_remoteok = datetime.strptime(
        rows["remoteok"].split()[-2] + " " + rows["remoteok"].split()[-1], "%Y-%m-%d %H:%M"
    )
    assert next_remoteok.replace(tzinfo=UTC) > datetime.now(UTC)
    assert " CET " in rows["remoteok"] or " CEST " in rows["remoteok"]
    assert not database.exists()


def test_the_example_configuration_is_valid():
    from aggregator.boards import check_configured_arguments

    spiders = spider_classes()
    example = load_config(ROOT / "aggregator.toml.example", known_boards=set(spiders))
    check_configured_arguments(example, spiders)
    assert example.cron == "0 2 * * *" and example.boards["greenhouse"].arguments == {"boards": "gitlab,canonical"}


def test_the_configuration_does_not_import_the_scheduler(tmp_path):
    """Cron parsing lives in aggregator.cron, which config and scheduler both use (no import circle)."""
    config = tmp_path / "aggregator.toml"
    config.write_text('cron = "0 3 * * *"\n[boards.remotewlb]\ncron = "*/5 * * * *"\n')
    check = (
        "import sys; from aggregator.config import load_config; "
        f"assert load_config({str(config)!r}).boards['remotewlb'].cron == '*/5 * * * *'; "
        "assert 'aggregator.scheduler' not in sys.modules"
    )
    completed = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_without_a_file_the_configuration_is_the_empty_files_and_loads_no_pydantic(tmp_path, monkeypatch):
    """No file needs no schema: every process reads the configuration, and the file's models are
    ~5 MB (pydantic ~5 MB more). The defaults must be exactly what an empty file gives."""
    monkeypatch.chdir(tmp_path)  # no aggregator.toml here
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.setenv("AGGREGATOR_TIMEZONE", "Europe/Berlin")
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing set\n")
    assert dataclasses.replace(load_config(empty), path=None) == load_config()
    assert load_config().timezone == "Europe/Berlin"
    check = (
        "import sys; from aggregator.config import load_config, database_url; load_config(); database_url(); "
        "assert 'aggregator.config_file' not in sys.modules and 'pydantic' not in sys.modules"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("AGGREGATOR_CONFIG", "AGGREGATOR_DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    completed = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-2000:]


# --- plain `scrapy crawl` (make crawl) --------------------------------------------------------------

PLAIN_CRAWL_CASES = {
    "a misspelt spider": (["remotewlbb"], "did you mean 'remotewlb'"),
    "an unknown argument": (["remoteok", "-a", "maxpages=3"], "it takes: max_pages, tag, url"),
    "a bad argument value": (["remoteok", "-a", "max_pages=abc"], "max_pages must be a whole number"),
}


@pytest.mark.parametrize("case", PLAIN_CRAWL_CASES)
def test_plain_scrapy_crawl_input_errors_are_one_line_and_exit_2(case, tmp_path):
    argv, fragment = PLAIN_CRAWL_CASES[case]
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *argv, "-s", f"DATABASE_URL=sqlite:///{tmp_path / 'jobs.db'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    errors = [line for line in completed.stderr.splitlines() if line.startswith("scrapy crawl: error:")]
    assert len(errors) == 1 and fragment in errors[0], completed.stderr
    assert not (tmp_path / "jobs.db").exists()  # refused before anything was opened
