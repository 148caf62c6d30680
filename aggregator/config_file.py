"""The configuration file's schema (pydantic, strict) and the plain sentence of each mistake.

Imported only when there is a file to check (aggregator.config.load_config): these models are
~5 MB in a process (pydantic ~5 MB more), and every crawl's process reads the configuration.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from aggregator.config import (
    DEFAULT_DATABASE_URL,
    AlertConfig,
    BoardConfig,
    ClusterConfig,
    Config,
    ConfigError,
    HealthThresholds,
    SmtpConfig,
    _where,
    _zone,
)
from aggregator.cron import check_cron
from aggregator.query import FilterError, JobFilters


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
    host: str = SmtpConfig.host
    port: Annotated[int, Field(ge=1, le=65535)] = SmtpConfig.port
    sender: str = SmtpConfig.sender
    username: str | None = None
    password: str | None = None
    starttls: bool = SmtpConfig.starttls
    ca_file: str | None = None


class _File(_Table):
    database_url: str = DEFAULT_DATABASE_URL
    timezone: Annotated[str, AfterValidator(_zone)] = Config.timezone
    cron: Cron | None = None
    misfire_grace_seconds: Annotated[int, Field(ge=1)] = Config.misfire_grace_seconds
    max_parallel_crawls: Annotated[int, Field(ge=1)] = Config.max_parallel_crawls
    stop_timeout_seconds: Annotated[int, Field(ge=1)] = Config.stop_timeout_seconds
    notify_command: str | None = None
    notify_on: Literal["failure", "always"] = Config.notify_on
    boards_enabled_by_default: bool = Config.boards_enabled_by_default
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


def _thresholds(table: _HealthTable, base: HealthThresholds) -> HealthThresholds:
    return HealthThresholds(
        max_reject_share=table.max_reject_share if table.max_reject_share is not None else base.max_reject_share,
        min_share_of_median=(
            table.min_share_of_median if table.min_share_of_median is not None else base.min_share_of_median
        ),
        recent_runs=table.recent_runs if table.recent_runs is not None else base.recent_runs,
    )


def checked_config(data: dict, found: Path, lines: dict[tuple[str, ...], int]) -> Config:
    """The file's values (``data``, read from ``found``) checked and turned into a Config; the first
    mistake raises a ConfigError naming the file, the line and the key."""
    try:
        checked = _File.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{_where(found, lines, first['loc'])}: {_message(first)}{more}") from None

    health = _thresholds(checked.health, HealthThresholds())
    config = Config(
        database_url=checked.database_url,
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
