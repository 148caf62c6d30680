"""Runtime configuration in one place: one TOML file, environment overrides, checked at start.

Precedence for the database URL: an explicit value (Scrapy's ``-s DATABASE_URL=…`` or a CLI flag),
then ``AGGREGATOR_DATABASE_URL``, then the config file, then the embedded SQLite default.
The config file is ``aggregator.toml`` in the working directory, or the path in ``AGGREGATOR_CONFIG``.

The file is validated into typed values (``aggregator.config_file``: pydantic, strict: ``enabled =
"no"`` is an error, not a truthy string); every mistake is one ``ConfigError`` line naming the file,
the line and the key. Without a file the defaults need no checking, and the schema is not imported:
every crawl's process reads the configuration, and the schema's models are ~5 MB there (pydantic
itself ~5 MB more where nothing else imports it; in a crawl, Scrapy's itemadapter does).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from aggregator.query import JobFilters

DEFAULT_DATABASE_URL = "sqlite:///jobs.db"
DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"
CONFIG_ENV = "AGGREGATOR_CONFIG"
TIMEZONE_ENV = "AGGREGATOR_TIMEZONE"
DEFAULT_CONFIG_FILE = "aggregator.toml"
DEFAULT_CRON = "0 2 * * *"


class ConfigError(ValueError):
    """A configuration mistake, reported at start with the file and line it is on."""


@dataclass
class HealthThresholds:
    # A run fails when more than this share of its items were rejected…
    max_reject_share: float = 0.2
    # …or when it scraped fewer than this share of the median of its recent successful runs.
    min_share_of_median: float = 0.5
    # How many recent successful runs make the median.
    recent_runs: int = 7


@dataclass
class BoardConfig:
    name: str
    enabled: bool = True
    # None: the top-level ``cron``, else the spider's own schedule (see boards.planned_boards).
    cron: str | None = None
    # Passed to the spider as `-a key=value` (e.g. boards = "gitlab,canonical" for greenhouse).
    arguments: dict[str, str] = field(default_factory=dict)
    # Scrapy settings for this board's crawls, passed as `-s KEY=VALUE` (politeness, timeouts…).
    settings: dict[str, str] = field(default_factory=dict)
    health: HealthThresholds = field(default_factory=HealthThresholds)
    # Parts the crawl is split into over the [cluster]'s scrapyd nodes (1: not split).
    shards: int = 1


@dataclass
class ClusterConfig:
    """Scrapyd nodes that run the parts of split crawls ([cluster]; see aggregator.cluster)."""

    scrapyd: list[str]
    # The scrapyd project the nodes know this project as (deploy/scrapyd.conf's [settings]).
    project: str = "aggregator"
    # Seconds between two looks at the nodes' jobs.
    poll_seconds: float = 2.0
    # How many times a part whose job died is started again (on another node when there is one).
    retries: int = 2


@dataclass
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    sender: str = "aggregator@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    # The certificate authorities the server's STARTTLS certificate is checked against (PEM file);
    # None: the system's. A server that cannot prove its name is never sent the password.
    ca_file: str | None = None


@dataclass
class AlertConfig:
    """A saved search ([alerts.NAME]) and the one place its new jobs go."""

    name: str
    filters: JobFilters
    email: str | None = None
    webhook: str | None = None
    file: str | None = None

    @property
    def destination(self) -> str:
        return (
            f"email:{self.email}" if self.email else f"webhook:{self.webhook}" if self.webhook else f"file:{self.file}"
        )


@dataclass
class Config:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    # Default schedule of every board without its own ``cron`` (None: each spider's own default).
    cron: str | None = None
    # Seconds a missed run may be late and still run (a machine asleep at 02:00).
    misfire_grace_seconds: int = 6 * 3600
    # Crawls the scheduler may run at once.
    max_parallel_crawls: int = 2
    # Seconds a stopping scheduler waits for running crawls to flush and record, before killing them
    # (keep the service manager's stop timeout above it: deploy/aggregator-scheduler.service).
    stop_timeout_seconds: int = 300
    # Run with the run summary on stdin (and AGGREGATOR_RUN_* variables) after a failed crawl.
    notify_command: str | None = None
    notify_on: str = "failure"  # failure | always
    boards: dict[str, BoardConfig] = field(default_factory=dict)
    # Companies `aggregator search` never shows (compared case-insensitively).
    exclude_companies: list[str] = field(default_factory=list)
    # Whether boards without a [boards.NAME] table run at their spider's default schedule.
    boards_enabled_by_default: bool = True
    health: HealthThresholds = field(default_factory=HealthThresholds)
    alerts: dict[str, AlertConfig] = field(default_factory=dict)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    # None: every crawl runs on this machine.
    cluster: ClusterConfig | None = None
    path: Path | None = None
    # Line of each key in the file, so that later checks (spider arguments) can name it too.
    key_lines: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)

    def board(self, name: str) -> BoardConfig:
        return self.boards.get(name) or BoardConfig(name=name, health=self.health)

    def enabled_boards(self) -> list[BoardConfig]:
        return [board for board in self.boards.values() if board.enabled]

    def error(self, key: tuple[str, ...], message: str) -> ConfigError:
        """A ConfigError for ``key`` (a path such as ``("boards", "remoteok", "arguments")``)."""
        return ConfigError(f"{_where(self.path, self.key_lines, key)}: {message}")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')") from None
    return name


# --- where a key is in the file ------------------------------------------------------------------------

_KEY = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*")
_HEADER = re.compile(rf"^\s*\[\[?({_KEY}(?:\s*\.\s*{_KEY})*)\]\]?")
_ASSIGNMENT = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=\s*(.*)$")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(_KEY, dotted))


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every table and key of a TOML text (tomllib does not give positions).

    Tables (``[boards.x]``), keys, dotted keys and the keys of one-line inline tables are found;
    good enough to point at a mistake, and only used for that.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            table = _parts(header.group(1))
            lines.setdefault(table, number)
        elif assignment := _ASSIGNMENT.match(line):
            key = table + _parts(assignment.group(1))
            lines.setdefault(key, number)
            value = assignment.group(2)
            if value.lstrip().startswith("{"):
                for inner in _INLINE_KEY.finditer(value):
                    lines.setdefault(key + _parts(inner.group(1)), number)
    return lines


def _at(path: Path | None, lines: dict[tuple[str, ...], int], key: tuple) -> str:
    """``file:line`` of ``key``, or of its nearest enclosing table found in the file."""
    key = tuple(str(part) for part in key)
    for length in range(len(key), 0, -1):
        if key[:length] in lines:
            return f"{path}:{lines[key[:length]]}"
    return str(path or "configuration")


def _where(path: Path | None, lines: dict[tuple[str, ...], int], key: tuple) -> str:
    """``file:line: dotted.key``."""
    location = _at(path, lines, key)
    return f"{location}: {'.'.join(str(part) for part in key)}" if key else location


# --- loading ---------------------------------------------------------------------------------------


def database_url(explicit: str | None = None) -> str:
    """The database URL; a configuration file with a mistake raises ConfigError rather than letting
    a crawl write to the default database instead of the configured one."""
    if explicit:
        return explicit
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    return load_config().database_url


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.exists() else None


def load_config(path: str | os.PathLike | None = None, known_boards: set[str] | None = None) -> Config:
    """Read and check the configuration; any mistake raises one ConfigError naming file, line and key."""
    found = config_path(path)
    if found is None:
        config = Config()
    else:
        text = _read(found)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib says "(at line N, column M)" at the end: put the line where every error has it.
            at = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
            where = f"{found}:{at.group(1)}" if at else str(found)
            problem = str(exc).removesuffix(at.group(0) if at else "").strip()
            raise ConfigError(f"{where}: not valid TOML: {problem}") from None
        lines = key_lines(text)
        _check_board_names(data, found, lines, known_boards)
        from aggregator.config_file import checked_config

        config = checked_config(data, found, lines)
    config.database_url = os.environ.get(DATABASE_URL_ENV) or config.database_url
    if zone := os.environ.get(TIMEZONE_ENV):
        try:
            config.timezone = _zone(zone)
        except ValueError as exc:
            raise ConfigError(f"{TIMEZONE_ENV}: {exc}") from None
    return config


def _read(found: Path) -> str:
    try:
        return found.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{found}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{found}: cannot read it: {exc}") from None


def _check_board_names(data: dict, found: Path, lines: dict, known_boards: set[str] | None) -> None:
    boards = data.get("boards", {})
    for name in boards if isinstance(boards, dict) else ():
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ConfigError(f"{_at(found, lines, ('boards', name))}: bad board name {name!r}")
        if known_boards is not None and name not in known_boards:
            near = difflib.get_close_matches(name, known_boards, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise ConfigError(
                f"{_at(found, lines, ('boards', name))}: unknown board {name!r} "
                f"({hint}known: {', '.join(sorted(known_boards))})"
            )
