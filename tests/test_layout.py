"""The design card's layout, and imports that resolve to this repository, not to PyPI namesakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pipelines
import spiders
from tests.conftest import ROOT


def test_top_level_layout():
    for name in (
        "scrapy.cfg",
        "aggregator",
        "spiders",
        "pipelines",
        "tests",
        "alembic.ini",
        "pyproject.toml",
    ):
        assert (ROOT / name).exists(), name


def test_packages_are_ours():
    for module in (spiders, pipelines):
        assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__


def test_scrapy_list_shows_remotewlb():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "remotewlb" in listed
