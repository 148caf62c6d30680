"""`aggregator`: thin commands over the modules (crawl now, schedule, see runs, migrate)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

from aggregator.config import ConfigError, load_config

EPILOG = """configuration: aggregator.toml in the working directory (or --config / AGGREGATOR_CONFIG);
AGGREGATOR_DATABASE_URL overrides its database_url. See README.md."""


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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

    commands.add_parser(
        "schedule",
        help="run the scheduler until stopped",
        description="Run every enabled board on its cron schedule until SIGTERM/SIGINT. Jobs are kept in "
        "the database; a run missed while the machine was down starts once on start-up, within the grace.",
    )

    runs = commands.add_parser("runs", help="show recent crawl runs", description="Show recent crawl runs.")
    runs.add_argument("-n", "--limit", type=int, default=20, help="how many runs (default 20)")
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
    found.add_argument("--since", metavar="WHEN", help="first seen since: 7d, 24h, 2w or a date (2024-05-01)")
    found.add_argument("-n", "--limit", type=int, default=20, help="how many postings (default 20)")

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
        return 2


def _config(args):
    from aggregator.boards import spider_classes

    spiders = spider_classes()
    return load_config(args.config, known_boards=set(spiders)), spiders


def cmd_crawl(args) -> int:
    from aggregator.boards import planned_boards
    from aggregator.runner import run_board

    config, spiders = _config(args)
    if args.all:
        boards = planned_boards(config, spiders)
    else:
        unknown = [name for name in args.boards if name not in spiders]
        if unknown or not args.boards:
            print(
                f"aggregator: name boards to crawl ({', '.join(sorted(spiders))}) or use --all",
                file=sys.stderr,
            )
            return 2
        boards = [config.board(name) for name in args.boards]
    settings = dict(args.settings) | ({"FULL_RECRAWL": "True"} if args.full else {})
    outcomes = [run_board(board, config, settings) for board in boards]
    for outcome in outcomes:
        print(outcome.summary())
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def cmd_schedule(args) -> int:
    from aggregator.boards import planned_boards
    from aggregator.scheduler import run_scheduler

    config, spiders = _config(args)
    boards = planned_boards(config, spiders)
    if not boards:
        print("aggregator: no enabled boards to schedule", file=sys.stderr)
        return 2
    run_scheduler(config, boards)
    return 0


def _duration(run) -> str:
    if run.finished_at is None:
        return "running"
    seconds = int((run.finished_at - run.started_at).total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s"


def cmd_runs(args) -> int:
    from aggregator import repository
    from aggregator.db import database

    config = load_config(args.config)
    runs = repository.recent_runs(database(config.database_url).engine, args.limit, args.board)
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
    from aggregator.db import current_revision, make_engine, upgrade_to_head

    config = load_config(args.config)
    engine = make_engine(config.database_url)
    upgrade_to_head(engine)
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
    from aggregator.db import database
    from aggregator.search import QueryError, search

    config = load_config(args.config)
    try:
        hits = search(
            database(config.database_url).engine, args.query, country=args.country, remote_only=args.remote_only,
            worldwide=args.worldwide, min_salary=args.min_salary, currency=args.currency, since=args.since,
            limit=args.limit,
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


COMMANDS = {"crawl": cmd_crawl, "schedule": cmd_schedule, "runs": cmd_runs, "db": cmd_db, "search": cmd_search}
