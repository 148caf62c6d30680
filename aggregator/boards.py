"""The boards this installation can crawl: the project's Scrapy spiders."""

from __future__ import annotations

import os

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from aggregator.config import DEFAULT_CRON, BoardConfig, Config

SETTINGS_MODULE = "aggregator.settings"


def spider_classes() -> dict[str, type]:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def planned_boards(config: Config, spiders: dict[str, type]) -> list[BoardConfig]:
    """Every board that should run on a schedule: configured ones, plus each spider that needs no
    arguments (``enabled_by_default``) at its own default cron, unless the config turns it off."""
    boards = []
    for name, spider in sorted(spiders.items()):
        if name in config.boards:
            board = config.boards[name]
        elif config.boards_enabled_by_default and getattr(spider, "enabled_by_default", True):
            board = BoardConfig(name=name, cron=getattr(spider, "schedule", DEFAULT_CRON), health=config.health)
        else:
            continue
        if board.enabled:
            boards.append(board)
    return boards
