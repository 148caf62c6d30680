"""`aggregator`: thin commands over the modules (crawl now, schedule, see runs, migrate).

Every input mistake (an option, a board name, a spider argument, the configuration, a database URL)
is one line on stderr and exit code 2, never a traceback. Read-only commands (``runs``, ``search``,
``export``, ``boards``, ``serve``) never create or migrate a database.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import UTC, datetime

from aggregator.config import ConfigError, load_config
from aggregator.db import DatabaseUrlError

EPILOG = """configuration: aggregator.toml in the working directory (or --config / AGGREGATOR_CONFIG);
AGGREGATOR_DATABASE_URL overrides its database_url. See README.md."""


class UsageError(ValueError):
    """A mistake in what the user typed: shown as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (its default prints the whole usage first)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {number}")
    return number


def _search_filters(parser: argparse.ArgumentParser) -> None:
    """The search filters, shared by `search` and `export` (the web's URL parameters have the same names)."""
    parser.add_argument("--country", metavar="CC", help="only jobs open to this country (ISO code, e.g. DE)")
    parser.add_argument("--region", metavar="REGION", help="only jobs open to this region (EMEA, LATAM, EUROPE, …)")
    parser.add_argument("--remote-only", action="store_true", help="only fully remote jobs")
    parser.add_argument("--worldwide", action="store_true", help="only jobs open worldwide")
    parser.add_argument(
        "--min-salary", type=float, metavar="AMOUNT", help="the job's yearly pay at least this (needs --currency)"
    )
    parser.add_argument("--currency", metavar="CUR", help="only salaries in this currency (ISO code, e.g. EUR)")
    parser.add_argument(
        "--exclude-company", action="append", default=[], metavar="NAME",
        help="leave out this company (repeatable; adds to exclude_companies in aggregator.toml)",
    )  # fmt: skip
    parser.add_argument(
        "--timezone", metavar="TZ",
        help="remote jobs you can work from this offset or zone (UTC+2, +2, -5:30, Europe/Berlin, EST), "
        "and those that state no time zone",
    )  # fmt: skip
    parser.add_argument("--strict-timezone", action="store_true", help="with --timezone: only jobs that state one")
    parser.add_argument("--since", metavar="WHEN", help="first seen since: 7d, 24h, 2w or a date (2024-05-01)")
    parser.add_argument("--seniority", metavar="LEVEL", help="junior, mid, senior, staff, lead, …")
    parser.add_argument("--employment-type", metavar="TYPE", help="full_time, part_time, contract, internship, …")
    parser.add_argument("--sort", choices=("relevance", "newest"), help="default: best match with a query, else newest")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="aggregator",
        description="Crawl remote job boards into one deduplicated SQL database.",
        epilog=EPILOG,
    )
    parser.add_argument("--config", help="path of the TOML configuration file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser(
        "crawl",
        help="run crawls now, each in its own process",
        description="Run the named boards (or --all enabled boards) now, one subprocess each, in order. "
        "Exits non-zero when any crawl failed its health check.",
    )
    crawl.add_argument("boards", nargs="*", metavar="BOARD", help="spider names, e.g. remotewlb")
    crawl.add_argument("--all", action="store_true", help="every enabled board of the configuration")
    crawl.add_argument(
        "--full", action="store_true", help="download every listed posting again (default: only new or changed ones)"
    )
    crawl.add_argument(
        "-s", "--set", dest="settings", action="append", type=_setting, default=[], metavar="KEY=VALUE",
        help="a Scrapy setting for the crawls (repeatable)",
    )  # fmt: skip
    crawl.add_argument(
        "-a", "--argument", dest="arguments", action="append", type=_setting, default=[], metavar="NAME=VALUE",
        help="a spider argument, e.g. -a max_pages=3 (repeatable; over the configuration's arguments)",
    )  # fmt: skip

    schedule = commands.add_parser(
        "schedule",
        help="run the scheduler until stopped",
        description="Run every enabled board on its cron schedule until SIGTERM/SIGINT. Jobs are kept in "
        "the database; a run missed while the machine was down starts once on start-up, within the grace. "
        "A stop lets running crawls store what they scraped and records their runs as interrupted.",
    )
    schedule.add_argument(
        "--list", action="store_true", help="show each board's schedule and next run, then exit (writes nothing)"
    )

    runs = commands.add_parser("runs", help="show recent crawl runs", description="Show recent crawl runs.")
    runs.add_argument("-n", "--limit", type=_positive, default=20, help="how many runs (default 20)")
    runs.add_argument("--board", help="only this board's runs")

    found = commands.add_parser(
        "search",
        help="full-text search over open jobs (one row per job, however many boards list it)",
        description="Ranked full-text search over title, company and description of open postings, answered "
        'with jobs. Words are ANDed; also OR, NOT (or -word), "exact phrase", prefix* and parentheses, e.g. '
        "'python AND (django OR flask) NOT java'. No query lists every open job, newest first.",
    )
    found.add_argument("query", nargs="?", default="", help="what to look for (quote it for the shell)")
    _search_filters(found)
    found.add_argument("-n", "--limit", type=_positive, default=20, help="jobs per page (default 20, at most 100)")
    found.add_argument("--page", type=_positive, default=1, help="which page (default 1)")
    found.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (default table)")

    exported = commands.add_parser(
        "export",
        help="every job a search finds, as CSV, NDJSON or schema.org JSON-LD",
        description="Write every open job matching the query and filters to stdout (or --output), streamed.",
    )
    exported.add_argument("query", nargs="?", default="", help="what to look for (empty: every open job)")
    _search_filters(exported)
    exported.add_argument("--format", choices=("csv", "ndjson", "jsonld"), default="csv", help="(default csv)")
    exported.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    commands.add_parser(
        "boards",
        help="each board: enabled, schedule, last run, postings",
        description="Each configured board (and any other in the database): enabled, schedule, last run, postings.",
    )

    alerts = commands.add_parser(
        "alerts",
        help="saved searches ([alerts.NAME] in aggregator.toml): send their new jobs, or list them",
        description="Each saved search sends the jobs that newly match it, once (deliveries are recorded).",
    )
    alert_commands = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    send = alert_commands.add_parser("send", help="send each saved search's new jobs now")
    send.add_argument("names", nargs="*", metavar="NAME", help="only these saved searches")
    alert_commands.add_parser("list", help="each saved search: destination, last delivery, pending jobs")

    serve = commands.add_parser(
        "serve",
        help="the read-only web front door: search page, JSON API, feeds, exports",
        description="Serve the search page, job pages, /api/jobs, /feed.atom, /export.csv, /export.ndjson and "
        "/runs over the configured database, opened read-only.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    discover = commands.add_parser(
        "discover",
        help="company ATS boards the stored postings link to, not configured yet",
        description="Read the apply URLs in the database, recognise ATS boards (Greenhouse, Lever, Ashby, Workable, "
        "SmartRecruiters, Recruitee, Personio, Teamtailor, BambooHR, Workday) and list those not in the config.",
    )
    discover.add_argument("--add", action="store_true", help="write them into the config file (comments kept)")
    discover.add_argument("--min-postings", type=int, default=1, metavar="N", help="only boards linked N+ times")

    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the configured database to the newest schema")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"aggregator: configuration error: {exc}", file=sys.stderr)
    except DatabaseUrlError as exc:
        print(f"aggregator: database: {exc}", file=sys.stderr)
    except UsageError as exc:
        print(f"aggregator: {exc}", file=sys.stderr)
    except KeyboardInterrupt:  # Ctrl-C before any crawl started (crawls handle their own stop)
        print("aggregator: interrupted", file=sys.stderr)
        return 130
    return 2


def _config(args):
    from aggregator.boards import check_configured_arguments, spider_classes

    spiders = spider_classes()
    config = load_config(args.config, known_boards=set(spiders))
    check_configured_arguments(config, spiders)
    return config, spiders


def _crawl_boards(args, config, spiders) -> list:
    """The boards to crawl, with ``-a`` arguments over the configured ones, checked before any starts."""
    import dataclasses

    from aggregator.boards import UnknownBoard, check_arguments, check_board_name, planned_boards

    if args.all and args.boards:
        raise UsageError("name boards to crawl or use --all, not both")
    if not args.all and not args.boards:
        raise UsageError(f"name the boards to crawl ({', '.join(sorted(spiders))}) or use --all")
    try:
        for name in args.boards:
            check_board_name(name, spiders)
    except UnknownBoard as exc:
        raise UsageError(str(exc)) from None
    boards = planned_boards(config, spiders) if args.all else [config.board(name) for name in args.boards]
    if not boards:
        raise UsageError("no enabled boards to crawl (see the configuration's [boards.NAME] tables)")
    if args.arguments:
        boards = [dataclasses.replace(board, arguments=board.arguments | dict(args.arguments)) for board in boards]
        for board in boards:
            try:
                check_arguments(board.name, spiders[board.name], board.arguments)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
    return boards


def _stop_on_signals() -> None:
    """SIGTERM/Ctrl-C: the running crawl flushes and records itself interrupted; a second one forces it."""
    from aggregator.runner import request_stop, stopping

    def on_signal(signum, _frame):
        request_stop(force=stopping())

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)


def cmd_crawl(args) -> int:
    from aggregator.db import database
    from aggregator.runner import run_board

    config, spiders = _config(args)
    boards = _crawl_boards(args, config, spiders)
    database(config.database_url)  # a database URL that cannot work is one line here, before any crawl
    settings = dict(args.settings) | ({"FULL_RECRAWL": "True"} if args.full else {})
    _stop_on_signals()
    outcomes = []
    for board in boards:
        outcome = run_board(board, config, settings)
        if outcome is None:  # stopped before this board's turn
            print(f"crawl of {board.name}: not started (stopped)")
            continue
        outcomes.append(outcome)
        print(outcome.summary())
    # A deliberate stop is not a failure: only a failed crawl makes the exit code non-zero.
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def cmd_schedule(args) -> int:
    from aggregator.boards import planned_boards
    from aggregator.scheduler import run_scheduler, upcoming_runs

    config, spiders = _config(args)
    boards = planned_boards(config, spiders)
    if args.list:
        rows = [("board", "cron", f"next run ({config.timezone})", "next run (UTC)")]
        for board, next_run in upcoming_runs(boards, config):
            rows.append(
                (board.name, board.cron, f"{next_run:%Y-%m-%d %H:%M %Z}", f"{next_run.astimezone(UTC):%Y-%m-%d %H:%M}")
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if len(rows) == 1:
            print("(no enabled boards)")
        return 0
    if not boards:
        raise UsageError("no enabled boards to schedule")
    from aggregator.db import database

    database(config.database_url)  # a database URL that cannot work is one line here
    run_scheduler(config, boards)
    return 0


def _duration(run) -> str:
    if run.finished_at is None:
        return "running"
    seconds = int((run.finished_at - run.started_at).total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s"


def _board_cell(run) -> str:
    """The board; for a part of a split crawl, which part of which whole-crawl run."""
    if run.shard is None:
        return run.spider
    return f"{run.spider} part {run.shard}" + (f" of {run.parent_run_id}" if run.parent_run_id else "")


def cmd_runs(args) -> int:
    from aggregator import liveness, repository
    from aggregator.db import existing_database

    config = load_config(args.config)
    engine = existing_database(config.database_url).engine
    liveness.mark_dead_runs(engine)  # a killed crawl's run shows as interrupted, not running forever
    runs = repository.recent_runs(engine, args.limit, args.board)
    rows = [("run", "board", "started (UTC)", "took", "new", "upd", "same", "rej", "status", "reason")]
    for run in runs:
        started = run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        counts = (run.items_new, run.items_updated, run.items_unchanged, run.items_rejected)
        reason = run.status_reason or ""
        rows.append((str(run.id), _board_cell(run), started, _duration(run), *map(str, counts), run.status, reason))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    if len(rows) == 1:
        print(f"(no crawl runs yet in {config.database_url}; checked {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0


def cmd_db(args) -> int:
    from aggregator.db import current_revision, database
    from aggregator.job_assignment import renew_stale_fingerprints

    config = load_config(args.config)
    engine = database(config.database_url).engine  # migrated to head
    print(f"{engine.url.render_as_string(hide_password=True)} is at revision {current_revision(engine)}")
    # Postings fingerprinted by an older dedup are matched by their board id and URLs only, until renewed.
    if renewed := renew_stale_fingerprints(engine):
        print(f"renewed the dedup fingerprints of {renewed} postings stored by an older version")
    return 0


def _filters(args, config):
    from aggregator.query import JobFilters

    return JobFilters(
        q=args.query, country=args.country, region=args.region, timezone=args.timezone,
        strict_timezone=args.strict_timezone, remote_only=args.remote_only, worldwide=args.worldwide,
        min_salary=args.min_salary, currency=args.currency, since=args.since, seniority=args.seniority,
        employment_type=args.employment_type, exclude_company=(*config.exclude_companies, *args.exclude_company),
        sort=args.sort,
    ).checked()  # fmt: skip


def cmd_search(args) -> int:
    import json

    from aggregator.db import read_only_engine
    from aggregator.present import api_job, csv_lines, cut, salary_text, where_text
    from aggregator.query import MAX_LIMIT, QueryError, search_jobs

    config = load_config(args.config)
    if args.limit > MAX_LIMIT:
        raise UsageError(f"--limit: at most {MAX_LIMIT} jobs a page (use --page, or `aggregator export` for all)")
    engine = read_only_engine(config.database_url)
    try:
        found = search_jobs(engine, _filters(args, config), page=args.page, limit=args.limit)
    except QueryError as exc:
        print(f"aggregator: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if args.format == "json":
        print(json.dumps({"total": found.total, "total_capped": found.total_capped, "page": found.page,
                          "jobs": [api_job(job) for job in found.jobs]},
                         ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    if args.format == "csv":
        sys.stdout.write("".join(csv_lines(found.jobs)))
        return 0
    if not found.jobs:
        print(f"(no open jobs match {args.query!r})" if args.query else "(no open jobs match)")
        return 0
    rows = [("#", "title", "company", "where", "salary", "boards", "first seen", "url")]
    for number, job in enumerate(found.jobs, (found.page - 1) * found.limit + 1):
        first_seen = f"{job['first_seen_at']:%Y-%m-%d}"
        rows.append((str(number), cut(job["title"], 48), cut(job["company"], 24), cut(where_text(job), 32),
                     salary_text(job), str(job["boards"]), first_seen, job["url"] or ""))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    rows.insert(1, tuple("-" * width for width in widths) + ("---",))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    shown = f"{rows[2][0]}–{rows[-1][0]}"
    print(f"({shown} of {found.total:,}{'+' if found.total_capped else ''} jobs)")
    return 0


def cmd_export(args) -> int:
    import contextlib

    from aggregator.db import read_only_engine
    from aggregator.present import csv_lines, jsonld_lines, ndjson_lines
    from aggregator.query import QueryError, iter_jobs

    config = load_config(args.config)
    engine = read_only_engine(config.database_url)
    writers = {"csv": csv_lines, "ndjson": ndjson_lines, "jsonld": jsonld_lines}
    try:
        filters = _filters(args, config)
        with contextlib.ExitStack() as stack:
            out = (
                stack.enter_context(open(args.output, "w", encoding="utf-8", newline="")) if args.output else sys.stdout
            )
            for line in writers[args.format](iter_jobs(engine, filters)):
                out.write(line)
    except QueryError as exc:
        print(f"aggregator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        raise UsageError(f"--output: {exc}") from None
    finally:
        engine.dispose()
    return 0


def cmd_boards(args) -> int:
    from aggregator.boards import planned_boards
    from aggregator.db import read_only_engine
    from aggregator.query import board_summaries

    config, spiders = _config(args)
    engine = read_only_engine(config.database_url)
    try:
        stored = board_summaries(engine)
    finally:
        engine.dispose()
    schedules = {board.name: board.cron for board in planned_boards(config, spiders)}
    names = sorted(set(spiders) | set(stored))
    rows = [("board", "enabled", "schedule", "last run (UTC)", "status", "open", "postings", "reason")]
    for name in names:
        enabled = name in schedules
        seen = stored.get(name, {})
        started = seen.get("last_run_started_at")
        rows.append((name, "yes" if enabled else "no", schedules.get(name) or "-",
                     f"{started:%Y-%m-%d %H:%M}" if started else "never", seen.get("last_run_status") or "-",
                     str(seen.get("open_postings", 0)), str(seen.get("postings", 0)),
                     seen.get("last_run_reason") or ""))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            ("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]).rstrip()
        )
    return 0


def cmd_alerts(args) -> int:
    from aggregator.alerts import pending_jobs, send_alerts

    config = load_config(args.config)
    if not config.alerts:
        raise UsageError("no saved searches: add an [alerts.NAME] table to the configuration (see README.md)")
    if args.alerts_command == "send":
        from aggregator.db import database

        unknown = [name for name in args.names if name not in config.alerts]
        if unknown:
            raise UsageError(f"no saved search {unknown[0]!r} (saved: {', '.join(sorted(config.alerts))})")
        outcomes = send_alerts(database(config.database_url).engine, config, args.names or None)
        for outcome in outcomes:
            print(outcome.summary())
        return 1 if any(outcome.error for outcome in outcomes) else 0
    from aggregator.db import existing_database
    from aggregator.query import last_deliveries

    engine = existing_database(config.database_url).engine
    deliveries = last_deliveries(engine)
    rows = [("alert", "destination", "last delivery (UTC)", "status", "last sent (UTC)", "pending")]
    for name, alert in sorted(config.alerts.items()):
        seen = deliveries.get(name, {})
        last, sent = seen.get("last"), seen.get("last_sent")
        rows.append((name, alert.destination, f"{last['attempted_at']:%Y-%m-%d %H:%M}" if last else "never",
                     (last["status"] + (f" ({last['error']})" if last["error"] else "")) if last else "-",
                     f"{sent['attempted_at']:%Y-%m-%d %H:%M}" if sent else "never",
                     str(len(pending_jobs(engine, alert, config.exclude_companies)))))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from aggregator.db import read_only_engine
    from aggregator.web import create_app

    config = load_config(args.config)
    engine = read_only_engine(config.database_url)
    uvicorn.run(create_app(engine, exclude_companies=config.exclude_companies), host=args.host, port=args.port)
    return 0


def cmd_discover(args) -> int:
    from pathlib import Path

    from aggregator.config import config_path
    from aggregator.db import database
    from aggregator.discover import add_boards, configured_boards, count_boards, stored_urls

    config, _ = _config(args)
    configured = configured_boards({name: board.arguments for name, board in config.boards.items()})
    found = count_boards(stored_urls(database(config.database_url).engine), configured)
    boards = [(board, count) for board, count in found.most_common() if count >= args.min_postings]
    if not boards:
        print("(no unconfigured ATS boards in the stored postings)")
        return 0
    width = max(len(board.token) for board, _ in boards)
    print(f"{'ats':<16}{'board':<{width + 2}}postings")
    for board, count in boards:
        print(f"{board.ats:<16}{board.token:<{width + 2}}{count}")
    if args.add:
        path = config_path(args.config) or Path("aggregator.toml")
        added = add_boards(path, [board for board, _ in boards])
        print(f"added {added} board(s) to {path}")
    return 0


COMMANDS = {"crawl": cmd_crawl, "schedule": cmd_schedule, "runs": cmd_runs, "db": cmd_db, "search": cmd_search,
            "discover": cmd_discover, "export": cmd_export, "boards": cmd_boards, "serve": cmd_serve,
            "alerts": cmd_alerts}  # fmt: skip
