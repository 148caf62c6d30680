"""Every `-a NAME=…` a spider documents is an argument it accepts (unknown ones are refused)."""

import inspect
import re
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

LOADER = SpiderLoader.from_settings(get_project_settings())


@pytest.mark.parametrize("name", sorted(LOADER.list()))
def test_documented_arguments_are_accepted(name):
    spider = LOADER.load(name)
    documented = set(re.findall(r"-a (\w+)=", inspect.getsource(inspect.getmodule(spider))))
    assert documented <= set(spider.accepted_arguments())


def _readme_board_arguments() -> dict[str, set[str]]:
    """The README's board table: each spider and the argument names its `arguments` column shows."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Boards", 1)[1].split("\n\n", 3)[2]
    found = {}
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            names = {token.split("=", 1)[0] for token in re.findall(r"`([^`]+)`", cells[2])}
            found[cells[0].strip("`")] = {name for name in names if re.fullmatch(r"[a-z_]+", name)}
    return found


README_ARGUMENTS = _readme_board_arguments()


def test_the_readme_board_table_lists_every_spider():
    assert set(README_ARGUMENTS) == set(LOADER.list())


@pytest.mark.parametrize("name", sorted(README_ARGUMENTS))
def test_arguments_in_the_readme_are_accepted(name):
    assert README_ARGUMENTS[name] <= set(LOADER.load(name).accepted_arguments())
