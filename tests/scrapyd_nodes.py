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


@contextmanager
def scrapyd_nodes(folder: Path, count: int, proxy_url: str) -> Iterator[list[str]]:
    """``count`` scrapyd nodes whose crawls go through the proxy at ``proxy_url``; their URLs.
    Stopped (SIGTERM, then SIGKILL after 20 s) at the end."""
    environment = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "aggregator.settings",
        "https_proxy": proxy_url,
        "http_proxy": proxy_url,
    }
    for name in ("no_proxy", "NO_PROXY", "AGGREGATOR_DATABASE_URL"):
        environment.pop(name, None)
    started = []
    try:
        for number in range(1, count + 1):
            home = folder / f"scrapyd-node{number}"
            home.mkdir(parents=True, exist_ok=True)
            port = free_port()
            (home / "scrapyd.conf").write_text(NODE_CONFIG.format(port=port, folder=home), encoding="utf-8")
            log = open(home / "scrapyd.log", "w", encoding="utf-8")
            process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd"], cwd=home, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
            started.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, _ in started:
            _wait_until_up(url, process)
        yield [url for url, _, _ in started]
    finally:
        for _, process, _ in started:
            process.terminate()
        for _, process, log in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
