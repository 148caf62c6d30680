"""Runtime configuration in one place: one TOML file, environment overrides, checked at start.

Precedence for the database URL: an explicit value (Scrapy's ``-s DATABASE_URL=…`` or a CLI flag),
then ``AGGREGATOR_DATABASE_URL``, then the config file, then the embedded SQLite default.
The config file is ``aggregator.toml`` in the working directory, or the path in ``AGGREGATOR_CONFIG``.

The file is validated into typed values (pydantic, strict: ``enabled = "no"`` is an error, not a
truthy string); every mistake is one ``ConfigError`` line naming the file, the line and the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from aggregator.cron import check_cron
from aggregator.query import FilterError, JobFilters

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


# --- the file's schema ------------------------------------------------------------------------------


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')") from None
    return name


def _cron(expression: str) -> str:
    try:
        check_cron(expression)
    except ValueError as exc:
        raise ValueError(f"bad cron {expression!r}: {exc}") from None
    return expression


def _scalar(value: Any) -> Any:
    if not isinstance(value, str | int | float | bool):
        raise ValueError(f"must be a string, a number or true/false, not {type(value).__name__}")
    return value


Cron = Annotated[str, AfterValidator(_cron)]
Scalar = Annotated[Any, AfterValidator(_scalar)]
Share = Annotated[float, Field(ge=0, le=1)]


class _Table(BaseModel):
    # strict: no "yes" for true, no "6h" for a number; forbid: a misspelt key is an error, not ignored.
    model_config = ConfigDict(extra="forbid", strict=True)


class _HealthTable(_Table):
    max_reject_share: Share | None = None
    min_share_of_median: Share | None = None
    recent_runs: Annotated[int, Field(ge=1)] | None = None


class _BoardTable(_HealthTable):
    enabled: bool = True
    cron: Cron | None = None
    arguments: dict[str, Scalar] = {}
    settings: dict[str, Scalar] = {}
    shards: Annotated[int, Field(ge=1, le=64)] = 1


def _node_url(url: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+/?", url):
        raise ValueError(f"a scrapyd node is its http(s)://host:port URL, not {url!r}")
    return url.rstrip("/")


class _ClusterTable(_Table):
    scrapyd: Annotated[list[Annotated[str, AfterValidator(_node_url)]], Field(min_length=1)]
    project: str = ClusterConfig.project
    poll_seconds: Annotated[float, Field(gt=0)] = ClusterConfig.poll_seconds
    retries: Annotated[int, Field(ge=0)] = ClusterConfig.retries

    @model_validator(mode="after")
    def _distinct(self):
        if len(set(self.scrapyd)) != len(self.scrapyd):
            raise ValueError("a scrapyd node is listed twice")
        return self


class _AlertDestination(_Table):
    # Where a saved search's new jobs go: exactly one.
    email: str | None = None
    webhook: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_destination(self):
        given = [name for name in ("email", "webhook", "file") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of email, webhook or file" + (f" (not {' and '.join(given)})" if given else "")
            )
        if self.webhook and not re.match(r"https?://", self.webhook):
            raise ValueError(f"webhook must be an http(s):// URL, not {self.webhook!r}")
        if self.email and "@" not in self.email:
            raise ValueError(f"email must be an address, not {self.email!r}")
        return self


# An alert's search keys are JobFilters' fields (the one list of what a search asks for), so a new
# search filter is an alert key too. TOML spells two differently: the text is `query` (JobFilters'
# `q`), a list is a list; the order of results (`sort`) means nothing to an alert.
_ALERT_KEY = {"q": "query"}
_NOT_ALERT_KEYS = {"sort"}


def _alert_search_fields() -> dict[str, Any]:
    hints = get_type_hints(JobFilters)
    found: dict[str, Any] = {}
    for search_field in dataclasses.fields(JobFilters):
        if search_field.name in _NOT_ALERT_KEYS:
            continue
        annotation = hints[search_field.name]
        default = search_field.default
        if get_origin(annotation) is tuple:
            annotation, default = list[get_args(annotation)[0]], list(default)
        found[_ALERT_KEY.get(search_field.name, search_field.name)] = (annotation, default)
    return found


_AlertTable = create_model("_AlertTable", __base__=_AlertDestination, **_alert_search_fields())


class _SmtpTable(_Table):
    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    sender: str = "aggregator@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    ca_file: str | None = None


class _File(_Table):
    database_url: str = DEFAULT_DATABASE_URL
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    cron: Cron | None = None
    misfire_grace_seconds: Annotated[int, Field(ge=1)] = Config.misfire_grace_seconds
    max_parallel_crawls: Annotated[int, Field(ge=1)] = Config.max_parallel_crawls
    stop_timeout_seconds: Annotated[int, Field(ge=1)] = Config.stop_timeout_seconds
    notify_command: str | None = None
    notify_on: Literal["failure", "always"] = "failure"
    boards_enabled_by_default: bool = True
    exclude_companies: list[str] = []
    health: _HealthTable = _HealthTable()
    boards: dict[str, _BoardTable] = {}
    alerts: dict[str, _AlertTable] = {}
    smtp: _SmtpTable = _SmtpTable()
    cluster: _ClusterTable | None = None


_EXAMPLES = {
    "arguments": 'a table, e.g. arguments = { boards = "gitlab" }',
    "settings": "a table, e.g. settings = { DOWNLOAD_DELAY = 2 }",
    "misfire_grace_seconds": "a whole number of seconds, e.g. 21600 for 6 hours",
    "stop_timeout_seconds": "a whole number of seconds, e.g. 300",
}


def _table_keys(path: tuple) -> list[str]:
    model = _File
    if path[:1] == ("health",):
        model = _HealthTable
    elif path[:1] == ("boards",) and len(path) >= 2:
        model = _BoardTable
    elif path[:1] == ("alerts",) and len(path) >= 2:
        model = _AlertTable
    elif path[:1] == ("smtp",):
        model = _SmtpTable
    elif path[:1] == ("cluster",):
        model = _ClusterTable
    return sorted(model.model_fields)


def _message(error: dict) -> str:
    """One plain sentence for a pydantic error."""
    kind, key, value = error["type"], str(error["loc"][-1]), error.get("input")
    if kind == "extra_forbidden":
        return f"unknown key {key!r} (known: {', '.join(_table_keys(error['loc'][:-1]))})"
    if kind == "bool_type":
        return f"must be true or false (no quotes), not {value!r}"
    if kind in ("int_type", "int_from_float", "float_type") or kind.endswith("_parsing"):
        expected = _EXAMPLES.get(key, "a whole number" if kind.startswith("int") else "a number")
        return f"must be {expected}, not {value!r}"
    if kind in ("dict_type", "model_type"):
        return f"must be {_EXAMPLES.get(key, 'a table')}, not {value!r}"
    if kind == "string_type":
        return f"must be a string in quotes, not {value!r}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, not {value!r}"


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


def _thresholds(table: _HealthTable, base: HealthThresholds) -> HealthThresholds:
    return HealthThresholds(
        max_reject_share=table.max_reject_share if table.max_reject_share is not None else base.max_reject_share,
        min_share_of_median=(
            table.min_share_of_median if table.min_share_of_median is not None else base.min_share_of_median
        ),
        recent_runs=table.recent_runs if table.recent_runs is not None else base.recent_runs,
    )


def load_config(path: str | os.PathLike | None = None, known_boards: set[str] | None = None) -> Config:
    """Read and check the configuration; any mistake raises one ConfigError naming file, line and key."""
    found = config_path(path)
    text, data = "", {}
    if found is not None:
        try:
            text = found.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError(f"{found}: no such configuration file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{found}: cannot read it: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            # tomllib says "(at line N, column M)" at the end: put the line where every error has it.
            at = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
            where = f"{found}:{at.group(1)}" if at else str(found)
            problem = str(exc).removesuffix(at.group(0) if at else "").strip()
            raise ConfigError(f"{where}: not valid TOML: {problem}") from None
    lines = key_lines(text)

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
    try:
        checked = _File.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{_where(found, lines, first['loc'])}: {_message(first)}{more}") from None

    health = _thresholds(checked.health, HealthThresholds())
    config = Config(
        database_url=os.environ.get(DATABASE_URL_ENV) or checked.database_url,
        timezone=checked.timezone,
        cron=checked.cron,
        misfire_grace_seconds=checked.misfire_grace_seconds,
        max_parallel_crawls=checked.max_parallel_crawls,
        stop_timeout_seconds=checked.stop_timeout_seconds,
        notify_command=checked.notify_command,
        notify_on=checked.notify_on,
        boards_enabled_by_default=checked.boards_enabled_by_default,
        exclude_companies=list(checked.exclude_companies),
        health=health,
        path=found,
        key_lines=lines,
    )
    if zone := os.environ.get(TIMEZONE_ENV):
        try:
            config.timezone = _zone(zone)
        except ValueError as exc:
            raise ConfigError(f"{TIMEZONE_ENV}: {exc}") from None
    for name, table in checked.boards.items():
        config.boards[name] = BoardConfig(
            name=name,
            enabled=table.enabled,
            cron=table.cron or checked.cron,
            arguments={key: str(value) for key, value in table.arguments.items()},
            settings={key: str(value) for key, value in table.settings.items()},
            health=_thresholds(table, health),
            shards=table.shards,
        )
    for name, table in checked.alerts.items():
        config.alerts[name] = _alert(name, table, found, lines)
    config.smtp = SmtpConfig(**checked.smtp.model_dump())
    if checked.cluster is not None:
        config.cluster = ClusterConfig(**checked.cluster.model_dump())
    return config


def _alert(name: str, table: _AlertDestination, found: Path | None, lines: dict) -> AlertConfig:
    """A saved search, its filters checked like `aggregator search` checks them."""
    keys = {key: search for search, key in _ALERT_KEY.items()}
    values = table.model_dump(exclude={"email", "webhook", "file"})
    search = {keys.get(key, key): tuple(value) if isinstance(value, list) else value for key, value in values.items()}
    try:
        filters = JobFilters(**search).checked()
    except FilterError as exc:
        key = _ALERT_KEY.get(exc.parameter, exc.parameter)
        raise ConfigError(f"{_where(found, lines, ('alerts', name, key))}: {exc}") from None
    return AlertConfig(name=name, filters=filters, email=table.email, webhook=table.webhook, file=table.file)
