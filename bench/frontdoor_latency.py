"""Latency of the web front door: p50 and p95 of the search page and /api/jobs at 1k, 10k and 100k postings.

Usage::

    .venv/bin/python bench/frontdoor_latency.py                    # 1k and 10k, SQLite and PostgreSQL
    .venv/bin/python bench/frontdoor_latency.py --sizes 1000 10000 100000 --backends sqlite

The postings are synthetic variants of the recorded remotewlb postings (bench/store_throughput.py),
stored through the repository; every third one joins the job of the posting before it (a job on two
boards), the others start a job of their own. Requests go through the whole ASGI app in process
(Starlette's TestClient, so HTTP parsing on a socket is not counted), over a read-only engine, as
``aggregator serve`` runs it. Each search is asked ``--repeat`` times after one warm-up request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from aggregator import repository  # noqa: E402
from aggregator.db import read_only_engine, run_in_transaction  # noqa: E402
from aggregator.web import create_app  # noqa: E402
from bench.store_throughput import DEFAULT_POSTGRES, fresh_database, postgres_unavailable, synthesise  # noqa: E402

SEARCHES = {
    "everything, newest": "",
    "q=developer": "q=developer",
    "q=python OR react": "q=python+OR+react",
    "country=US": "country=US",
    "timezone=UTC+1, remote": "timezone=UTC%2B1&remote_only=1",
    "q=engineer, page 5": "q=engineer&page=5",
}


def fill(engine, count: int) -> None:
    postings = synthesise(count)
    ids: list[int] = []
    for start in range(0, count, 1000):
        ids += repository.upsert_postings(engine, postings[start : start + 1000], None).written_ids
    ids.sort()

    def attach(connection, chunk: list[tuple[int, int]]) -> None:
        jobs, previous = [], None
        for number, posting_id in chunk:
            if number % 3 == 2 and previous is not None:
                job_id = previous
                reason = "bench_same_job"
            else:
                job_id = repository.create_job(connection, "bench", None, repository.utcnow())
                reason = "new_job"
            repository.assign_posting(connection, posting_id, job_id, reason, None, {})
            jobs.append(job_id)
            previous = job_id
        repository.refresh_jobs(connection, jobs)

    numbered = list(enumerate(ids))
    for start in range(0, len(numbered), 3000):  # chunks of whole triples: a job never spans two
        run_in_transaction(engine, lambda connection, chunk=numbered[start : start + 3000]: attach(connection, chunk))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(url: str, repeat: int) -> list[tuple[str, str, float, float]]:
    engine = read_only_engine(url)
    rows = []
    with TestClient(create_app(engine)) as client:
        for label, params in SEARCHES.items():
            for path in ("/", "/api/jobs"):
                target = f"{path}?{params}" if params else path
                assert client.get(target).status_code == 200, target
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    answer = client.get(target)
                    times.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200
                rows.append((label, path, statistics.median(times), percentile(times, 0.95)))
    engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends:
            if backend == "postgresql" and (reason := postgres_unavailable(args.postgres)):
                print(f"postgresql: skipped ({reason})")
                continue
            for size in args.sizes:
                with fresh_database(backend, Path(folder), args.postgres) as engine:
                    started = time.perf_counter()
                    fill(engine, size)
                    url = engine.url.render_as_string(hide_password=False)
                    print(f"\n{backend}, {size:,} postings (filled in {time.perf_counter() - started:.0f}s)")
                    print(f"  {'search':<26}{'path':<11}{'p50 ms':>8}{'p95 ms':>8}")
                    for label, path, p50, p95 in measure(url, args.repeat):
                        print(f"  {label:<26}{path:<11}{p50:>8.1f}{p95:>8.1f}")
                    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
