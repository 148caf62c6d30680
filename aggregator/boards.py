"""The boards this installation can crawl: the project's Scrapy spiders."""

from __future__ import annotations

import dataclasses
import difflib
import os

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from aggregator.config import DEFAULT_CRON, BoardConfig, Config

SETTINGS_MODULE = "aggregator.settings"


class UnknownBoard(LookupError):
    """A board name no spider has; the message suggests the nearest names."""


def spider_classes() -> dict[str, type]:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def check_board_name(name: str, spiders: dict[str, type]) -> None:
    if name in spiders:
        return
    near = difflib.get_close_matches(name, spiders, n=1)
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise UnknownBoard(f"unknown board {name!r} ({hint}boards: {', '.join(sorted(spiders))})")


def check_arguments(name: str, spider: type, arguments: dict[str, str]) -> None:
    """Raise ValueError when the spider would refuse these ``-a`` arguments (unknown or bad values).

    Builds the spider the way Scrapy does (``Spider(**arguments)``, no crawler needed), so the check
    is the spider's own, made before a crawl process starts.
    """
    from aggregator.bases.base import SpiderArgumentError

    try:
        spider(**arguments)
    except SpiderArgumentError:
        raise
    except Exception as exc:  # a spider's __init__ may raise ValueError, re.error, TypeError…
        raise ValueError(f"{name}: {exc}") from None


def check_configured_arguments(config: Config, spiders: dict[str, type]) -> None:
    """Spider arguments in the configuration are checked at start, naming the file and line."""
    for name, board in config.boards.items():
        if name in spiders:
            try:
                check_arguments(name, spiders[name], board.arguments)
            except ValueError as exc:
                raise config.error(("boards", name, "arguments"), str(exc)) from None
            if board.shards > 1 and "shard" not in spiders[name].accepted_arguments():
                raise config.error(
                    ("boards", name, "shards"),
                    f"{name} cannot be split into parts: only sitemap and ATS boards divide",
                )


def planned_boards(config: Config, spiders: dict[str, type]) -> list[BoardConfig]:
    """Every board that should run on a schedule: configured ones, plus each spider that needs no
    arguments (``enabled_by_default``), unless the config turns it off. A board's schedule is its own
    ``cron``, else the configuration's top-level ``cron``, else the spider's default."""
    boards = []
    for name, spider in sorted(spiders.items()):
        if name in config.boards:
            board = config.boards[name]
        elif config.boards_enabled_by_default and getattr(spider, "enabled_by_default", True):
            board = BoardConfig(name=name, health=config.health)
        else:
            continue
        if board.enabled:
            cron = board.cron or config.cron or getattr(spider, "schedule", None) or DEFAULT_CRON
            boards.append(dataclasses.replace(board, cron=cron))
    return boards
