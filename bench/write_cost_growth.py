"""Does a crawl's write cost grow with the database? One 404 and one recrawl batch, at 1k and at
100k stored postings, side by side in one run.

Usage::

    .venv/bin/python bench/write_cost_growth.py                      # 1,000 and 100,000, SQLite and PostgreSQL
    .venv/bin/python bench/write_cost_growth.py --large 20000 --backend sqlite

The stored postings are synthetic (bench/store_throughput.py's: the recorded remotewlb pages
repeated with their own ids, URLs and titles), each in a job of its own, all of one board. Then:

* **a 404**: ``repository.close_gone`` of one posting's listed URL, as a crawl does when a page
  answers 404 (median of 21, each on a different posting);
* **a recrawl batch**: what an incremental recrawl writes per 500 pages — ``touch_listed`` for 500
  pages seen unchanged, and 500 fetched postings of which 50 changed, upserted with their job
  assignment in one transaction (median of 5 batches).

Printed: milliseconds at each size and the ratio large/small (goal: flat, about 1×). For
before/after figures run the same file from an older checkout.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from sqlalchemy import insert, select, text, update  # noqa: E402
from store_throughput import synthesise, write_batch_with_jobs  # noqa: E402

from aggregator import repository  # noqa: E402
from aggregator.db import make_engine, upgrade_to_head  # noqa: E402
from aggregator.models import Job, Posting  # noqa: E402
from tests.conftest import backends_to_run, fresh_database  # noqa: E402

BATCH = 500
GOAL = 1.5  # "flat": 100× the postings may cost at most this much more per write


def grown(engine, postings) -> None:
    """Store ``postings`` fast (plain upserts), then give each a job of its own."""
    run_id = repository.start_run(engine, "remotewlb")
    for start in range(0, len(postings), 5000):
        repository.upsert_postings(engine, postings[start : start + 5000], run_id)
    with engine.begin() as connection:
        connection.execute(
            insert(Job).from_select(
                ["id", "title", "company", "first_seen_at", "last_seen_at", "status", "postings_count"],
                select(Posting.id, Posting.title, Posting.company, Posting.first_seen_at, Posting.last_seen_at,
                       text("'open'"), text("1")),
            )
        )  # fmt: skip
        connection.execute(update(Posting).values(job_id=Posting.id, dedup_reason="new_job"))
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('jobs_id_seq', (SELECT MAX(id) FROM jobs))"))
            connection.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        # The bulk load's write-ahead log, copied back now rather than by the first writes measured.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def measure(backend: str, size: int, folder: Path) -> tuple[float, float]:
    postings = [dataclasses.replace(p, listed_url=p.url) for p in synthesise(size)]
    rng = random.Random(size)
    folder.mkdir(parents=True, exist_ok=True)
    with fresh_database(backend, folder) as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        grown(engine, postings)
        run_id = repository.start_run(engine, "remotewlb")
        gone = []
        for posting in rng.sample(postings, 21):
            started = time.perf_counter()
            closed = repository.close_gone(engine, posting.source, posting.listed_url)
            gone.append(time.perf_counter() - started)
            assert closed == 1
        batches = []
        for _ in range(5):
            seen = rng.sample(postings, BATCH)
            fetched = rng.sample(postings, BATCH)
            fetched = [dataclasses.replace(p, title=p.title + " (updated)") if n < 50 else p
                       for n, p in enumerate(fetched)]  # fmt: skip
            started = time.perf_counter()
            repository.touch_listed(engine, "remotewlb", [p.listed_url for p in seen], run_id)
            write_batch_with_jobs(engine, fetched, run_id)
            batches.append(time.perf_counter() - started)
        engine.dispose()
    return 1e3 * statistics.median(gone), 1e3 * statistics.median(batches)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    args = parser.parse_args(argv)
    backends = backends_to_run(args.backend)
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            small = measure(backend, args.small, Path(folder) / f"{backend}-small")
            large = measure(backend, args.large, Path(folder) / f"{backend}-large")
            for what, at_small, at_large in zip(("one 404", f"a recrawl batch of {BATCH}"), small, large, strict=True):
                ratio = at_large / at_small
                print(f"{backend}: {what}: {at_small:8.1f} ms at {args.small:,} postings, {at_large:8.1f} ms at "
                      f"{args.large:,}; ratio {ratio:.2f} (goal ≤ {GOAL}: {'met' if ratio <= GOAL else 'NOT met'})",
                      flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
