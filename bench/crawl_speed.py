"""Does the network or the pipeline set a crawl's pace? Full crawls against the same crawl with no
item pipelines, on loopback replays with politeness off, side by side in one run.

Usage::

    .venv/bin/python bench/crawl_speed.py                       # ~1k and ~6k postings, SQLite and PostgreSQL
    .venv/bin/python bench/crawl_speed.py --copies 1 --backend sqlite
    .venv/bin/python bench/crawl_speed.py --repeat 3            # each way 3 times: the fastest counts

The site is the recorded June 2024 month of remotewlb (tests/fixtures/dedup/remotewlb-2024-06: 1,009
postings with the board's faults: 404s, 503s, redirects, invalid JSON-LD), and for the larger size
the same month again under new URLs (each copy a sitemap shard of its own, every page's slug
rewritten, so each copy is a new posting — and a repost of the original for job assignment).

Each crawl is the real ``scrapy crawl remotewlb`` in a subprocess into a fresh database, timed from
start to exit (so the end of the crawl, where the store drains, is counted), with its peak RSS
sampled (the crawl's process and its writer process, summed), and the CPU seconds of each process
involved (the crawl's, its writer's, the replay proxy's and a local PostgreSQL server's). Printed
per size: seconds with pipelines, without (``-s ITEM_PIPELINES={}``), the ratio (goal ≥ 0.9), peak
RSS (goal ≤ 300 MB for ~6k), and PostgreSQL's time against SQLite's (goal ≥ 0.9). Beside them, the
least wall time each crawl's CPU seconds allow on this machine, and the ratios those would give:
no crawl is faster than its own process's CPU time, nor than the sum of all / the cores (the
replay proxy and a local PostgreSQL server share them). A measured ratio below its "at best" one
is time lost waiting; an "at best" below the goal is work that has to go.
For before/after figures run the same file from an older checkout (the crawl runs that checkout's code).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aggregator.replay import ReplayProxy, Snapshot  # noqa: E402
from tests.conftest import FAST, backends_to_run, fresh_database  # noqa: E402

MONTH = ROOT / "tests" / "fixtures" / "dedup" / "remotewlb-2024-06"
SITE = "https://remotewlb.com"
GOAL_RATIO, GOAL_RSS_MB = 0.9, 300


def copied_site(folder: Path, copies: int) -> Path:
    """The recorded month plus ``copies - 1`` copies of it under new URLs, as one snapshot."""
    entries = [json.loads(line) for line in (MONTH / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    (folder / "body").mkdir(parents=True)
    manifest, shards = [], []
    original_shard = next(e for e in entries if e["url"].startswith(f"{SITE}/sitemaps/jobs/"))
    shard_xml = (MONTH / original_shard["responses"][0]["body"]).read_text(encoding="utf-8")
    for copy in range(copies):
        suffix = "" if copy == 0 else f"-x{copy}"
        shard_url = f"{SITE}/sitemaps/jobs/2024-06-1{suffix}"
        shards.append(shard_url)
        body = folder / "body" / f"shard{copy}"
        body.write_text(re.sub(r"(<loc>[^<]*/job/[^<]*?)(/?</loc>)", rf"\1{suffix}\2", shard_xml), encoding="utf-8")
        manifest.append({"url": shard_url, "responses": [{"status": 200, "headers": {"Content-Type": "application/xml"},
                                                          "body": str(body)}]})  # fmt: skip
        for entry in entries:
            if "/job/" not in entry["url"]:
                continue
            slug = entry["url"].rstrip("/").rsplit("/", 1)[1]
            responses = []
            for number, response in enumerate(entry["responses"]):
                response = dict(response, headers=dict(response.get("headers", {})))
                if "Location" in response["headers"]:
                    response["headers"]["Location"] += suffix
                if "body" in response:
                    if copy:
                        page = (MONTH / response["body"]).read_text(encoding="utf-8")
                        target = folder / "body" / f"{Path(response['body']).name}-{copy}-{number}"
                        target.write_text(page.replace(slug, slug + suffix), encoding="utf-8")
                        response["body"] = str(target)
                    else:
                        response["body"] = str(MONTH / response["body"])
                responses.append(response)
            manifest.append({"url": entry["url"] + suffix, "responses": responses})
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             + "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in shards) + "</sitemapindex>")  # fmt: skip
    (folder / "body" / "index").write_text(index, encoding="utf-8")
    robots = f"User-agent: *\nAllow: /\nSitemap: {SITE}/sitemap.xml\n"
    (folder / "body" / "robots").write_text(robots, encoding="utf-8")
    manifest.append({"url": f"{SITE}/sitemap.xml", "responses": [{"status": 200, "body": str(folder / "body" / "index"),
                     "headers": {"Content-Type": "application/xml"}}]})  # fmt: skip
    manifest.append({"url": f"{SITE}/robots.txt", "responses": [{"status": 200, "body": str(folder / "body" / "robots"),
                     "headers": {"Content-Type": "text/plain"}}]})  # fmt: skip
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as out:
        for entry in manifest:
            out.write(json.dumps(entry) + "\n")
    return folder


@dataclass
class Crawl:
    seconds: float
    peak_rss_mb: float
    log: str
    # CPU seconds of the crawl's process, its writer process(es), and this process (the replay
    # proxy's thread): with two cores, wall time cannot fall below their sum / 2.
    cpu_crawl: float
    cpu_writer: float
    cpu_proxy: float
    cpu_database: float | None  # the PostgreSQL server's, on this machine (None: SQLite, in the writer)

    def cpu(self) -> str:
        line = f"CPU s: crawl {self.cpu_crawl:.1f} + writer {self.cpu_writer:.1f} + replay proxy {self.cpu_proxy:.1f}"
        return line if self.cpu_database is None else line + f" + database server {self.cpu_database:.1f}"

    def cpu_floor(self) -> float:
        """The least wall time these CPU seconds allow here: the crawl's process is one thread of
        work (it cannot go faster than its own CPU time), and all of them share this machine's cores."""
        total = self.cpu_crawl + self.cpu_writer + self.cpu_proxy + (self.cpu_database or 0.0)
        return max(self.cpu_crawl, total / (os.cpu_count() or 1))


def database_server_cpu() -> float | None:
    """CPU seconds of the local PostgreSQL server so far, its ended connections' included (the
    postmaster reaps them), or None when none runs here or it cannot be read."""
    total, found = 0.0, False
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "postgres":
            continue
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        found = True
        total += times.user + times.system + times.children_user + times.children_system
    return total if found else None


def crawl(site: Path, database_url: str, *settings: str, must_pass: bool = True) -> Crawl:
    """One ``scrapy crawl remotewlb``: time, peak RSS, CPU and log."""
    proxy_cpu_before = time.process_time()
    database_cpu_before = database_server_cpu() if database_url.startswith("postgresql") else None
    with ReplayProxy(Snapshot.load(site)) as proxy:
        environment = {**os.environ, "https_proxy": proxy.url, "http_proxy": proxy.url,
                       "AGGREGATOR_DATABASE_URL": database_url}  # fmt: skip
        environment.pop("no_proxy", None)
        environment.pop("NO_PROXY", None)
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "remotewlb", *FAST, "-s", "LOG_LEVEL=INFO", *settings],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        peak = [0]
        cpu: dict[int, float] = {}  # the last reading of each process of the crawl

        def sample() -> None:
            # The crawl and its writer process together: what the crawl costs the machine.
            watched = psutil.Process(process.pid)
            while process.poll() is None:
                try:
                    tree = [watched, *watched.children(recursive=True)]
                    peak[0] = max(peak[0], sum(member.memory_info().rss for member in tree))
                    for member in tree:
                        times = member.cpu_times()
                        cpu[member.pid] = times.user + times.system
                except psutil.Error:
                    pass
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, log = process.communicate(timeout=3600)
        elapsed = time.perf_counter() - started
        sampler.join()
    if (process.returncode != 0 and must_pass) or not scraped(log):
        raise SystemExit(f"the crawl failed ({process.returncode}):\n{log[-3000:]}")
    crawl_cpu = cpu.pop(process.pid, 0.0)
    database_cpu = None
    if database_cpu_before is not None and (database_cpu_after := database_server_cpu()) is not None:
        database_cpu = database_cpu_after - database_cpu_before
    proxy_cpu = time.process_time() - proxy_cpu_before
    return Crawl(elapsed, peak[0] / 2**20, log, crawl_cpu, sum(cpu.values()), proxy_cpu, database_cpu)


def scraped(log: str) -> int:
    found = re.search(r"'item_scraped_count': (\d+)", log)
    return int(found.group(1)) if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, action="append", help="copies of the month (default: 1 and 6)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--pipelines-only", action="store_true", help="skip the crawls without pipelines")
    parser.add_argument(
        "--repeat", type=int, default=1, help="crawl each way this many times, interleaved, and keep the fastest"
    )
    args = parser.parse_args(argv)
    backends = backends_to_run(args.backend)
    with tempfile.TemporaryDirectory() as folder:
        for copies in args.copies or [1, 6]:
            site = copied_site(Path(folder) / f"site-{copies}", copies)
            timings: dict[str, float] = {}
            floors: dict[str, float] = {}
            for backend in backends:
                fulls, bares = [], []
                for _ in range(args.repeat):  # interleaved: a slow spell of the machine slows both ways
                    with fresh_database(backend, Path(tempfile.mkdtemp(dir=folder))) as url:
                        fulls.append(crawl(site, url))
                    if not args.pipelines_only:
                        # Nothing stored, so the run's verdict is "failed": only the timing counts here.
                        with fresh_database(backend, Path(tempfile.mkdtemp(dir=folder))) as url:
                            bares.append(crawl(site, url, "-s", "ITEM_PIPELINES={}", must_pass=False))
                # The fastest run is the least disturbed; memory's goal is for every run: the largest.
                full = min(fulls, key=lambda run: run.seconds)
                peak_rss_mb = max(run.peak_rss_mb for run in fulls)
                items = scraped(full.log)
                timings[backend] = full.seconds
                floors[backend] = full.cpu_floor()
                line = f"{copies} month copies, {backend}: {items:,} postings; with pipelines {full.seconds:6.1f}s"
                if args.repeat > 1:
                    line += f" (fastest of {args.repeat}, slowest {max(run.seconds for run in fulls):.1f}s)"
                line += f", peak RSS {peak_rss_mb:5.0f} MB"
                if peak_rss_mb and copies >= 6:
                    met = peak_rss_mb <= GOAL_RSS_MB
                    line += f" (goal ≤ {GOAL_RSS_MB}: {'met' if met else 'NOT met'})"
                line += f"\n    {full.cpu()}"
                if bares:
                    bare = min(bares, key=lambda run: run.seconds)
                    fastest = f" (fastest of {args.repeat})" if args.repeat > 1 else ""
                    ratio = bare.seconds / full.seconds
                    verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
                    line += (f"\n    without {bare.seconds:6.1f}s{fastest}"
                             f" (peak RSS {bare.peak_rss_mb:.0f} MB; {bare.cpu()});"
                             f" ratio {ratio:.2f} (goal ≥ {GOAL_RATIO}: {verdict})"
                             f"\n    at best, for these CPU seconds on {os.cpu_count()} cores: with pipelines"
                             f" {full.cpu_floor():.1f}s, without {bare.cpu_floor():.1f}s,"
                             f" ratio {bare.cpu_floor() / full.cpu_floor():.2f}")  # fmt: skip
                print(line, flush=True)
            if len(timings) == 2:
                ratio = timings["sqlite"] / timings["postgresql"]
                print(f"{copies} month copies: PostgreSQL at {ratio:.2f}× SQLite's speed "
                      f"(goal ≥ {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'}); at best, for their"
                      f" CPU seconds, {floors['sqlite'] / floors['postgresql']:.2f}×", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
