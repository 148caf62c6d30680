"""A board's crawl split into 1, 2 and 4 parts over two real scrapyd nodes into one PostgreSQL database.

Usage::

    .venv/bin/python bench/scaleout.py                 # 1, 2 and 4 parts
    .venv/bin/python bench/scaleout.py --parts 1 2     # fewer

The recorded remotewlb site (tests/fixtures/remotewlb-site) is served by the replay proxy on
loopback with politeness off (as in the tests); two scrapyd nodes are started as deploy/ sets one
up, and the real coordinator (aggregator.cluster) runs each crawl into a fresh PostgreSQL database.

For each number of parts, side by side in the same run:

* **crawl**: the full crawl — download, extraction, normalisation, deduplication, store and job
  assignment.
* **ceiling**: the same split crawl with ``ITEM_PIPELINES={}``: the same downloads and extraction,
  nothing validated, normalised or stored. No split crawl can be faster than this.
* **no store**: the same split crawl with the pipelines before the store (validate, normalise,
  deduplicate within the crawl) and no store: the crawl minus this is the store and job assignment.

It prints, for both: the total time (coordinator start to verdict), the download span (first to
last request the site saw) and the parts' own process time; then where the crawl's time goes,
from the slowest part of each: download-bound time (the ceiling), item processing (validate,
normalise, dedup: no store minus ceiling), store and job assignment in the database (crawl minus
no store), and the coordinator's share (scheduling, process start-up, polling, judging: total
minus the slowest part). The ratio crawl/ceiling says how much the write
path serialises the parts (1.0: not at all).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aggregator.cluster import Coordinator  # noqa: E402
from aggregator.config import BoardConfig, ClusterConfig, Config  # noqa: E402
from aggregator.replay import ReplayProxy, Snapshot  # noqa: E402
from tests.conftest import REMOTEWLB_SITE, fresh_database, query  # noqa: E402
from tests.scrapyd_nodes import scrapyd_nodes  # noqa: E402

# The pipelines before the store (aggregator/settings.py's ITEM_PIPELINES without store and export).
NO_STORE = json.dumps(
    {
        "pipelines.validate.ValidatePipeline": 100,
        "pipelines.normalise.NormalisePipeline": 200,
        "pipelines.deduplicate.DeduplicatePipeline": 300,
    }
)
FAST = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


@dataclasses.dataclass
class Measured:
    status: str
    total: float
    download_span: float
    slowest_part: float
    part_seconds: float
    postings: int


class TimedProxy(ReplayProxy):
    """The replay proxy, noting when each request came (the download span)."""

    def __init__(self, snapshot: Snapshot):
        super().__init__(snapshot)
        self.times: list[float] = []
        answer = self.replay.answer

        def timed(*args, **kwargs):
            self.times.append(time.monotonic())
            return answer(*args, **kwargs)

        self.replay.answer = timed


def crawl(nodes: list[str], proxy: TimedProxy, folder: Path, parts: int, settings: dict[str, str]) -> Measured:
    with fresh_database("postgresql", folder) as url:
        config = Config(database_url=url, cluster=ClusterConfig(scrapyd=nodes, poll_seconds=0.2))
        board = BoardConfig(name="remotewlb", shards=parts, settings={**FAST, **settings})
        first_request = len(proxy.times)
        started = time.monotonic()
        outcome = Coordinator(board, config, stop_requested=threading.Event().is_set).run()
        total = time.monotonic() - started
        times = proxy.times[first_request:]
        part_runs = query(url, "SELECT stats FROM crawl_runs WHERE shard IS NOT NULL AND status = 'ok'")
        elapsed = [float(run["stats"].get("elapsed_time_seconds", 0)) for run in part_runs]
        stored = query(url, "SELECT COUNT(*) AS n FROM postings")[0]["n"]
    return Measured(
        status=outcome.status,
        total=total,
        download_span=(times[-1] - times[0]) if times else 0.0,
        slowest_part=max(elapsed, default=0.0),
        part_seconds=sum(elapsed),
        postings=stored,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="bench-scaleout-") as folder,
        TimedProxy(Snapshot.load(REMOTEWLB_SITE)) as proxy,
        scrapyd_nodes(Path(folder), 2, proxy.url) as nodes,
    ):
        print(f"remotewlb recording, {len(nodes)} scrapyd nodes on loopback, PostgreSQL; seconds")
        header = (
            f"{'parts':>5} {'run':<8} {'status':<7} {'total':>7} {'download span':>14} {'slowest part':>13}"
            f" {'all parts':>10} {'postings':>9}"
        )
        print(header)
        for parts in args.parts:
            results = {}
            for name, settings in (
                ("ceiling", {"ITEM_PIPELINES": "{}"}),
                ("no store", {"ITEM_PIPELINES": NO_STORE}),
                ("crawl", {}),
            ):
                measured = crawl(nodes, proxy, Path(folder), parts, settings)
                results[name] = measured
                print(
                    f"{parts:>5} {name:<8} {measured.status:<7} {measured.total:>7.1f} {measured.download_span:>14.1f}"
                    f" {measured.slowest_part:>13.1f} {measured.part_seconds:>10.1f} {measured.postings:>9}",
                    flush=True,
                )
            crawl_, no_store, ceiling = results["crawl"], results["no store"], results["ceiling"]
            processing = max(0.0, no_store.slowest_part - ceiling.slowest_part)
            store = max(0.0, crawl_.slowest_part - no_store.slowest_part)
            coordinator = max(0.0, crawl_.total - crawl_.slowest_part)
            print(
                f"      where the crawl's {crawl_.total:.1f}s go: download-bound {ceiling.slowest_part:.1f}s, "
                f"validate/normalise/dedup {processing:.1f}s, store and job assignment {store:.1f}s, "
                f"coordinator and start-up {coordinator:.1f}s; crawl/ceiling {crawl_.total / ceiling.total:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
