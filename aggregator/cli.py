"""`aggregator`: thin commands over the modules (crawl now, schedule, see runs, migrate).

Every input mistake (an option, a board name, a spider argument, the configuration, a database URL)
is one line on stderr and exit code 2, never a traceback. Read-only commands (``runs``, ``search``)
never create or migrate a database.
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
        help="full-text search over open postings",
        description="Ranked full-text search over title, company and description of open postings. Words are "
        'ANDed; also OR, NOT (or -word), "exact phrase", prefix* and parentheses, e.g. '
        "'python AND (django OR flask) NOT java'.",
    )
    found.add_argument("query", help="what to look for (quote it for the shell)")
    found.add_argument("--country", metavar="CC", help="only postings open to this country (ISO code, e.g. DE)")
    found.add_argument("--remote-only", action="store_true", help="only fully remote postings")
    found.add_argument("--worldwide", action="store_true", help="only postings open worldwide")
    found.add_argument("--min-salary", type=float, metavar="AMOUNT", help="yearly pay at least this (needs --currency)")
    found.add_argument("--currency", metavar="CUR", help="only salaries in this currency (ISO code, e.g. EUR)")
    found.add_argument("--region", metavar="REGION", help="only postings open to this region (EMEA, LATAM, EUROPE, …)")
    found.add_argument(
        "--exclude-company",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out this company (repeatable; adds to exclude_companies in aggregator.toml)",
    )
    found.add_argument(
        "--timezone",
        metavar="TZ",
        help="remote postings you can work from this offset or zone "
        "(UTC+2, +2, -5:30, Europe/Berlin, EST), and those that state no time zone",
    )
    found.add_argument("--strict-timezone", action="store_true", help="with --timezone: only postings that state one")
    found.add_argument("--since", metavar="WHEN", help="first seen since: 7d, 24h, 2w or a date (2024-05-01)")
    found.add_argument("-n", "--limit", type=_positive, default=20, help="how many postings (default 20)")

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
        rows.append(
            (str(run.id), run.spider, started, _duration(run), *map(str, counts), run.status, run.status_reason or "")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    if len(rows) == 1:
        print(f"(no crawl runs yet in {config.database_url}; checked {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0


def cmd_db(args) -> int:
    from aggregator.db import current_revision, database

    config = load_config(args.config)
    engine = database(config.database_url).engine  # migrated to head
    print(f"{engine.url.render_as_string(hide_password=True)} is at revision {current_revision(engine)}")
    return 0


_PERIODS = {"year": "/yr", "month": "/mo", "week": "/wk", "day": "/day", "hour": "/hr"}


def _amount(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f}".removesuffix(".0") + "k"
    return f"{value:.2f}".removesuffix(".00")


def _salary(hit) -> str:
    amounts = [value for value in (hit.salary_min, hit.salary_max) if value is not None]
    if not amounts:
        return ""
    span = "–".join(dict.fromkeys(_amount(value) for value in amounts))
    return f"{hit.salary_currency or ''} {span}{_PERIODS.get(hit.salary_period or '', '')}".strip()


def _where(hit) -> str:
    place = "worldwide" if hit.worldwide else ", ".join(hit.countries[:4]) + ("…" if len(hit.countries) > 4 else "")
    return " · ".join(part for part in (hit.workplace if hit.workplace != "unknown" else "", place) if part)


def _cut(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_search(args) -> int:
    from aggregator.db import existing_database
    from aggregator.search import QueryError, search

    config = load_config(args.config)
    engine = existing_database(config.database_url).engine
    try:
        hits = search(
            engine, args.query, country=args.country, remote_only=args.remote_only,
            worldwide=args.worldwide, min_salary=args.min_salary, currency=args.currency, since=args.since,
            limit=args.limit, region=args.region, exclude_companies=[*config.exclude_companies, *args.exclude_company],
            timezone=args.timezone, strict_timezone=args.strict_timezone,
        )  # fmt: skip
    except QueryError as exc:
        print(f"aggregator: {exc}", file=sys.stderr)
        return 2
    if not hits:
        print(f"(no open postings match {args.query!r})")
        return 0
    rows = [("#", "title", "company", "where", "salary", "posted", "url")]
    for number, hit in enumerate(hits, 1):
        posted = f"{hit.date_posted or hit.first_seen_at:%Y-%m-%d}"
        rows.append((str(number), _cut(hit.title, 48), _cut(hit.company, 24), _cut(_where(hit), 24), _salary(hit),
                     posted, hit.url))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    rows.insert(1, tuple("-" * width for width in widths) + ("---",))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
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
            "discover": cmd_discover}  # fmt: skip
