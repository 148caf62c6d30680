"""Real scrapyd nodes on loopback for tests and benches: each from a directory and configuration of
its own, set up as deploy/ sets up a node (scrapyd.conf's [settings] names the project, and
SCRAPY_SETTINGS_MODULE points at the installed project's settings: no egg)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

NODE_CONFIG = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
poll_interval = 0.2
max_proc = 4
logs_dir = {folder}/logs
eggs_dir = {folder}/eggs
dbs_dir = {folder}/dbs

[settings]
aggregator = aggregator.settings
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"scrapyd at {url} exited with code {process.returncode}"
        try:
            if httpx.get(f"{url}/daemonstatus.json", timeout=1).json()["status"] == "ok":
                return
        except (httpx.HTTPError, ValueError):
            time.sleep(0.2)
    raise AssertionError(f"scrapyd at {url} did not start in {timeout}s")


class Node:
    """One scrapyd node's process, which a test may kill (SIGKILL, by its PID) and start again on the
    same port (its job lists then start empty, as after a crash and a restart)."""

    def __init__(self, home: Path, environment: dict[str, str]):
        self.home = home
        self.environment = environment
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        (home / "scrapyd.conf").write_text(NODE_CONFIG.format(port=self.port, folder=home), encoding="utf-8")
        self.log = open(home / "scrapyd.log", "a", encoding="utf-8")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scrapyd"], cwd=self.home, env=self.environment, stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_until_up(self) -> None:
        _wait_until_up(self.url, self.process)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def scrapyd_node_processes(folder: Path, count: int, proxy_url: str) -> Iterator[list[Node]]:
    """``count`` scrapyd nodes whose crawls go through the proxy at ``proxy_url``. Stopped at the end."""
    environment = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "aggregator.settings",
        "https_proxy": proxy_url,
        "http_proxy": proxy_url,
    }
    for name in ("no_proxy", "NO_PROXY", "AGGREGATOR_DATABASE_URL"):
        environment.pop(name, None)
    nodes: list[Node] = []
    try:
        for number in range(1, count + 1):
            nodes.append(Node(folder / f"scrapyd-node{number}", environment))
            nodes[-1].start()
        for node in nodes:
            node.wait_until_up()
        yield nodes
    finally:
        for node in nodes:
            node.stop()
            node.log.close()


@contextmanager
def scrapyd_nodes(folder: Path, count: int, proxy_url: str) -> Iterator[list[str]]:
    """``count`` scrapyd nodes whose crawls go through the proxy at ``proxy_url``; their URLs.
    Stopped (SIGTERM, then SIGKILL after 20 s) at the end."""
    with scrapyd_node_processes(folder, count, proxy_url) as nodes:
        yield [node.url for node in nodes]
