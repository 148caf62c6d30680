"""Latency of the web front door: p50 and p95 of the search page and /api/jobs at 1k, 10k and 100k postings.

Usage::

    .venv/bin/python bench/frontdoor_latency.py                    # 1k, 10k and 100k, SQLite and PostgreSQL
    .venv/bin/python bench/frontdoor_latency.py --sizes 1000 10000 --backends sqlite
    .venv/bin/python bench/frontdoor_latency.py --keep /var/tmp/frontdoor   # keep (and reuse) the filled databases

The postings are synthetic variants of the recorded remotewlb postings (bench/store_throughput.py),
stored through the repository; every third one joins the job of the posting before it (a job on two
boards), the others start a job of their own. Requests go through the whole ASGI app in process
(Starlette's TestClient, so HTTP parsing on a socket is not counted), over a read-only engine, as
``aggregator serve`` runs it. Each search is asked ``--repeat`` times after one warm-up request.
PostgreSQL's statistics are gathered (ANALYZE) after the fill, as autovacuum would; SQLite runs no
ANALYZE (neither does the application).

It prints one table, side by side: each search's p50/p95 in ms at every size on both backends, then
p95 at the largest size against the goal's ceiling of 100 ms (``p95/ceiling``: at most 1.00 meets it)
and how p95 grew from the smallest size to the largest (``growth``; the sizes grow 100×).

Filling 100k postings through the repository takes 10–20 minutes here: ``--keep DIR`` keeps the
filled databases (SQLite files in DIR, PostgreSQL databases named ``frontdoor_bench_<size>``) and
reuses them in later runs, migrated to the current head.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from aggregator import repository  # noqa: E402
from aggregator.db import make_engine, read_only_engine, run_in_transaction, upgrade_to_head  # noqa: E402
from aggregator.models import Posting  # noqa: E402
from aggregator.web import create_app  # noqa: E402
from bench.store_throughput import DEFAULT_POSTGRES, fresh_database, synthesise  # noqa: E402
from tests.conftest import postgres_unavailable  # noqa: E402

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


CEILING_MS = 100.0


@contextlib.contextmanager
def kept_database(backend: str, size: int, folder: Path, postgres_url: str):
    """The database of ``size`` postings kept from an earlier run (migrated to head), else a new one filled."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'frontdoor-{size}.db'}"
    else:
        name = f"frontdoor_bench_{size}"
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(Posting)).scalar_one()
    if stored not in (0, size):
        raise SystemExit(f"{url} holds {stored} postings, not {size}: remove it")
    try:
        yield engine, stored == 0
    finally:
        engine.dispose()


@contextlib.contextmanager
def new_database(backend: str, size: int, folder: Path, postgres_url: str):
    with fresh_database(backend, folder, postgres_url) as engine:
        yield engine, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--keep", type=Path, help="keep the filled databases here and reuse them")
    args = parser.parse_args(argv)
    results: dict[tuple[str, int], dict[tuple[str, str], tuple[float, float]]] = {}
    backends = []
    with tempfile.TemporaryDirectory() as scratch:
        for backend in args.backends:
            if backend == "postgresql" and (reason := postgres_unavailable(args.postgres)):
                print(f"postgresql: skipped: {reason}")
                continue
            backends.append(backend)
            for size in args.sizes:
                database = kept_database if args.keep else new_database
                with database(backend, size, args.keep or Path(scratch), args.postgres) as (engine, empty):
                    started = time.perf_counter()
                    if empty:
                        fill(engine, size)
                        if backend == "postgresql":
                            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                                connection.exec_driver_sql("ANALYZE")
                    url = engine.url.render_as_string(hide_password=False)
                    filled = f"filled in {time.perf_counter() - started:.0f}s" if empty else "kept from an earlier run"
                    print(f"{backend}, {size:,} postings ({filled}): measuring", flush=True)
                    results[backend, size] = {
                        (label, path): (p50, p95) for label, path, p50, p95 in measure(url, args.repeat)
                    }
    report(results, backends, args.sizes)
    return 0


def _size(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def report(results, backends: list[str], sizes: list[int]) -> None:
    """One table: p50/p95 per size and backend, then p95 at the largest size over the ceiling, and its growth."""
    smallest, largest = min(sizes), max(sizes)
    header = f"{'search':<24}{'path':<10}"
    for backend in backends:
        header += "".join(f"{backend[:6] + ' ' + _size(size):>14}" for size in sorted(sizes))
        header += f"{'p95/ceiling':>12}{'growth':>8}"
    ceiling = f"ceiling {CEILING_MS:.0f} ms for p95 at {largest:,} postings"
    print(f"\np50/p95 in ms; {ceiling}; growth = p95 at {_size(largest)} / p95 at {_size(smallest)}")
    print(header)
    worst = {backend: 0.0 for backend in backends}
    for label in SEARCHES:
        for path in ("/", "/api/jobs"):
            line = f"{label:<24}{path:<10}"
            for backend in backends:
                for size in sorted(sizes):
                    p50, p95 = results[backend, size][label, path]
                    line += f"{f'{p50:.0f}/{p95:.0f}':>14}"
                top = results[backend, largest][label, path][1]
                low = results[backend, smallest][label, path][1]
                worst[backend] = max(worst[backend], top / CEILING_MS)
                line += f"{top / CEILING_MS:>12.2f}{top / low:>8.1f}"
            print(line)
    for backend in backends:
        verdict = "meets" if worst[backend] <= 1 else "misses"
        print(
            f"{backend}: slowest p95 at {largest:,} postings is {worst[backend]:.2f}× the ceiling ({verdict} the goal)"
        )


if __name__ == "__main__":
    sys.exit(main())
