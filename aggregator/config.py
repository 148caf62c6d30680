"""Runtime configuration in one place: one TOML file, environment overrides, checked at start.

Precedence for the database URL: an explicit value (Scrapy's ``-s DATABASE_URL=…`` or a CLI flag),
then ``AGGREGATOR_DATABASE_URL``, then the config file, then the embedded SQLite default.
The config file is ``aggregator.toml`` in the working directory, or the path in ``AGGREGATOR_CONFIG``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    cron: str = DEFAULT_CRON
    # Passed to the spider as `-a key=value` (e.g. boards = "gitlab,canonical" for greenhouse).
    arguments: dict[str, str] = field(default_factory=dict)
    # Scrapy settings for this board's crawls, passed as `-s KEY=VALUE` (politeness, timeouts…).
    settings: dict[str, str] = field(default_factory=dict)
    health: HealthThresholds = field(default_factory=HealthThresholds)


@dataclass
class Config:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    # Seconds a missed run may be late and still run (a machine asleep at 02:00).
    misfire_grace_seconds: int = 6 * 3600
    # Crawls the scheduler may run at once.
    max_parallel_crawls: int = 2
    # Run with the run summary on stdin (and AGGREGATOR_RUN_* variables) after a failed crawl.
    notify_command: str | None = None
    notify_on: str = "failure"  # failure | always
    boards: dict[str, BoardConfig] = field(default_factory=dict)
    # Companies `aggregator search` never shows (compared case-insensitively).
    exclude_companies: list[str] = field(default_factory=list)
    # Whether boards without a [boards.NAME] table run at their spider's default schedule.
    boards_enabled_by_default: bool = True
    health: HealthThresholds = field(default_factory=HealthThresholds)
    path: Path | None = None

    def board(self, name: str) -> BoardConfig:
        return self.boards.get(name) or BoardConfig(name=name, health=self.health)

    def enabled_boards(self) -> list[BoardConfig]:
        return [board for board in self.boards.values() if board.enabled]


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    try:
        return load_config().database_url
    except ConfigError:
        return DEFAULT_DATABASE_URL


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.exists() else None


def _line_of(text: str, *needles: str) -> int | None:
    """The 1-based line where the needles first appear in order (a section, then a key in it)."""
    lines = text.splitlines()
    start = 0
    for needle in needles:
        for number in range(start, len(lines)):
            if needle in lines[number]:
                start = number
                break
        else:
            return None
    return start + 1


def check_cron(expression: str) -> None:
    """Five fields (minute hour day month weekday) or six with seconds first."""
    from aggregator.scheduler import cron_trigger  # the scheduler owns how cron is read

    cron_trigger(expression, "UTC")


def _thresholds(table: dict[str, Any], base: HealthThresholds) -> HealthThresholds:
    return HealthThresholds(
        max_reject_share=float(table.get("max_reject_share", base.max_reject_share)),
        min_share_of_median=float(table.get("min_share_of_median", base.min_share_of_median)),
        recent_runs=int(table.get("recent_runs", base.recent_runs)),
    )


def load_config(path: str | os.PathLike | None = None, known_boards: set[str] | None = None) -> Config:
    """Read and check the configuration; any mistake raises ConfigError naming file and line."""
    found = config_path(path)
    text, data = "", {}
    if found is not None:
        try:
            text = found.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError as exc:
            raise ConfigError(f"{found}: no such configuration file") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: {exc}") from exc

    def fail(message: str, *needles: str) -> ConfigError:
        line = _line_of(text, *needles) if needles else None
        where = f"{found}:{line}" if line else str(found or "configuration")
        return ConfigError(f"{where}: {message}")

    health = _thresholds(data.get("health", {}), HealthThresholds())
    config = Config(
        database_url=data.get("database_url", DEFAULT_DATABASE_URL),
        timezone=os.environ.get(TIMEZONE_ENV) or data.get("timezone", "UTC"),
        misfire_grace_seconds=int(data.get("misfire_grace_seconds", Config.misfire_grace_seconds)),
        max_parallel_crawls=int(data.get("max_parallel_crawls", Config.max_parallel_crawls)),
        notify_command=data.get("notify_command"),
        notify_on=data.get("notify_on", "failure"),
        boards_enabled_by_default=bool(data.get("boards_enabled_by_default", True)),
        health=health,
        path=found,
    )
    excluded = data.get("exclude_companies", [])
    if not isinstance(excluded, list) or not all(isinstance(name, str) for name in excluded):
        raise fail("exclude_companies must be a list of company names", "exclude_companies")
    config.exclude_companies = list(excluded)
    if os.environ.get(DATABASE_URL_ENV):
        config.database_url = os.environ[DATABASE_URL_ENV]
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(f"unknown time zone {config.timezone!r}", "timezone") from exc
    if config.notify_on not in ("failure", "always"):
        raise fail("notify_on must be 'failure' or 'always'", "notify_on")
    default_cron = data.get("cron", DEFAULT_CRON)
    for name, table in data.get("boards", {}).items():
        if known_boards is not None and name not in known_boards:
            raise fail(f"unknown board {name!r} (known: {', '.join(sorted(known_boards))})", f"[boards.{name}]")
        if not isinstance(table, dict):
            raise fail(f"boards.{name} must be a table", f"boards.{name}")
        board = BoardConfig(
            name=name,
            enabled=bool(table.get("enabled", True)),
            cron=str(table.get("cron", default_cron)),
            arguments={key: str(value) for key, value in table.get("arguments", {}).items()},
            settings={key: str(value) for key, value in table.get("settings", {}).items()},
            health=_thresholds(table, health),
        )
        try:
            check_cron(board.cron)
        except ValueError as exc:
            raise fail(f"bad cron {board.cron!r} for board {name}: {exc}", f"[boards.{name}]", "cron") from exc
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise fail(f"bad board name {name!r}", f"[boards.{name}]")
        config.boards[name] = board
    return config
