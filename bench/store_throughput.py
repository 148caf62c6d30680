"""How fast the store path writes postings, against a plain executemany INSERT as the ceiling.

Usage::

    .venv/bin/python bench/store_throughput.py                      # 50,000 postings, SQLite and PostgreSQL
    .venv/bin/python bench/store_throughput.py -n 10000 --profile   # smaller, plus a profile of the store path
    .venv/bin/python bench/store_throughput.py --postgres postgresql+psycopg://user@host/db

The postings are the recorded remotewlb pages (tests/fixtures/remotewlb-site) read by the real
extractor and normaliser, repeated with varied ids, URLs and titles up to the count asked for.

For each backend, in one run, into fresh databases migrated to head:

* **write path**: what the store pipeline does per batch of 500 — the upsert and the job assignment
  (fingerprints, candidate lookups, jobs created or joined, job aggregates) in one transaction —
  then the end-of-run lifecycle (reopen/expire/missing, job status), as a crawl does.
* **store (upsert only)**: ``repository.upsert_postings`` in batches of 500 (with everything that
  comes with the postings table: its indexes, and the full-text index).
* **ceiling**: the same rows, already turned into driver values, written by the DB-API
  ``cursor.executemany("INSERT …")``, 500 per transaction, into an empty postings table — the
  table the store writes, with its unique key, indexes and full-text index (FTS5 triggers on
  SQLite, the generated tsvector column and its GIN index on PostgreSQL). This is the goal's
  ceiling: no store path can write these rows into this table faster.
* **bare copy**: the same plain INSERT into a copy of the table with no index and no trigger, to
  show how much of the time is the schema's indexes (mostly full-text indexing of descriptions)
  rather than the store code.

It prints postings/s for each and the ratio store/ceiling (goal on SQLite: at least 0.30).
PostgreSQL is skipped, with the reason, when the server cannot be reached; the SQLite file lives in
a temporary directory (``--sqlite-dir`` to choose one, e.g. a disk rather than tmpfs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "fixtures" / "remotewlb-site"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import JSON, Engine, create_engine, event, make_url  # noqa: E402

from aggregator import repository  # noqa: E402
from aggregator.db import make_engine, upgrade_to_head  # noqa: E402
from aggregator.extract import remotewlb  # noqa: E402
from aggregator.extract.context import Context  # noqa: E402
from aggregator.items import NormalisedPosting  # noqa: E402
from aggregator.models import Posting  # noqa: E402
from aggregator.normalise.posting import normalise_posting  # noqa: E402
from tests.conftest import postgres_unavailable  # noqa: E402

DEFAULT_POSTGRES = os.environ.get("AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
GOAL = 0.30
TITLE_VARIANTS = ("", "Senior ", "Junior ", "Lead ", "Staff ", "Principal ", "Remote ", "Contract ")
TEAMS = ("Payments", "Platform", "Growth", "Search", "Data", "Mobile", "Infra", "Security", "Billing", "Core")


# --- the postings ----------------------------------------------------------------------------


def recorded_postings() -> list[NormalisedPosting]:
    """Every posting page of the recorded site, through the real extractor and normaliser."""
    postings = []
    with open(SITE / "manifest.jsonl", encoding="utf-8") as manifest:
        for line in manifest:
            entry = json.loads(line)
            response = entry["responses"][-1]
            if "/job/" not in entry["url"] or response["status"] != 200 or "body" not in response:
                continue
            html = (SITE / response["body"]).read_text(encoding="utf-8")
            raw = remotewlb.extract(html, Context(url=entry["url"]))
            if raw is not None:
                postings.append(normalise_posting(raw))
    return postings


def synthesise(count: int) -> list[NormalisedPosting]:
    """``count`` distinct postings: the recorded ones again and again, each with its own id and title."""
    base = recorded_postings()
    postings = []
    for number in range(count):
        original = base[number % len(base)]
        round_ = number // len(base)
        title = f"{TITLE_VARIANTS[round_ % len(TITLE_VARIANTS)]}{original.title}"
        if round_ >= len(TITLE_VARIANTS):
            title += f" ({TEAMS[round_ % len(TEAMS)]} {round_})"
        key = f"{original.source_key}-b{number}"
        postings.append(
            dataclasses.replace(
                original,
                source_id=str(1_000_000 + number),
                source_key=key,
                url=f"https://remotewlb.com/job/{key}",
                title=title,
                raw=original.raw | {"title": title, "url": f"https://remotewlb.com/job/{key}"},
            )
        )
    return postings


def batches(postings: list, size: int) -> Iterator[list]:
    for start in range(0, len(postings), size):
        yield postings[start : start + size]


# --- the databases ---------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, folder: Path, postgres_url: str) -> Iterator[Engine]:
    """An empty database migrated to head: a new SQLite file, or a PostgreSQL database of its own."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}")
        upgrade_to_head(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    name = f"aggregator_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --- the three ways of writing ---------------------------------------------------------------


def store_path(engine: Engine, postings: list[NormalisedPosting], batch_size: int) -> float:
    run_id = repository.start_run(engine, "bench")
    started = time.perf_counter()
    for batch in batches(postings, batch_size):
        repository.upsert_postings(engine, batch, run_id)
    return time.perf_counter() - started


def write_batch_with_jobs(engine: Engine, batch: list[NormalisedPosting], run_id: int) -> None:
    """The store pipeline's transaction per batch (also on code from before job_assignment.py existed,
    for before/after figures: ``PYTHONPATH=<old checkout> python bench/store_throughput.py``)."""
    try:
        from aggregator.job_assignment import store_with_jobs
    except ImportError:
        from aggregator.jobs import assign_jobs_in

        from aggregator.db import run_in_transaction

        def work(connection):
            counts = repository.upsert_postings_in(connection, batch, run_id)
            assign_jobs_in(connection, counts.written_ids, source=batch[0].source)

        run_in_transaction(engine, work)
    else:
        store_with_jobs(engine, batch, run_id)


def write_path(engine: Engine, postings: list[NormalisedPosting], batch_size: int) -> float:
    """Upsert + job assignment per batch, then the lifecycle of the run: the whole write path."""
    run_id = repository.start_run(engine, "bench")
    started = time.perf_counter()
    for batch in batches(postings, batch_size):
        write_batch_with_jobs(engine, batch, run_id)
    repository.apply_lifecycle(engine, postings[0].source, run_id, healthy=True, close_after_missed=2)
    return time.perf_counter() - started


def driver_rows(engine: Engine, postings: list[NormalisedPosting]) -> tuple[list[str], list[tuple]]:
    """The rows the store writes for ``postings``, as DB-API parameters (JSON as text, UTC times)."""
    table_columns = {column.name: column for column in Posting.__table__.columns}
    seen_at = datetime.now(UTC)
    sqlite = engine.dialect.name == "sqlite"
    when = seen_at.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else seen_at
    values = []
    for posting in postings:
        row = posting.columns() | {"first_seen_at": when, "last_seen_at": when, "missed_runs": 0}
        values.append({name: value for name, value in row.items() if name in table_columns})
    names = list(values[0])
    json_columns = {name for name in names if isinstance(table_columns[name].type, JSON)}
    rows = [
        tuple(json.dumps(row[name]) if name in json_columns and row[name] is not None else row[name] for name in names)
        for row in values
    ]
    return names, rows


def plain_insert(engine: Engine, table: str, names: list[str], rows: list[tuple], batch_size: int) -> float:
    sqlite = engine.dialect.name == "sqlite"
    marks = ", ".join("?" if sqlite else "%s" for _ in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for batch in batches(rows, batch_size):
            if sqlite:  # the connection is in autocommit mode (aggregator.db): one transaction per batch
                cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(sql, batch)
                cursor.execute("COMMIT")
            else:
                cursor.executemany(sql, batch)
                connection.commit()
        elapsed = time.perf_counter() - started
        cursor.close()
    finally:
        connection.close()
    return elapsed


def make_bare_copy(engine: Engine) -> str:
    """An empty table with the columns of postings and nothing else (no key, index or trigger)."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("CREATE TABLE postings_ceiling AS SELECT * FROM postings WHERE 0")
        else:
            connection.exec_driver_sql("CREATE TABLE postings_ceiling (LIKE postings INCLUDING DEFAULTS)")
    return "postings_ceiling"


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()


# --- the run ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    backend: str
    postings: int
    write_path: float
    store: float
    ceiling: float
    ceiling_indexed: float  # scaled to all postings from the ones it wrote
    serialise: float
    indexed: int

    def rate(self, seconds: float) -> float:
        return self.postings / seconds

    def report(self) -> str:
        ratio = self.ceiling_indexed / self.store
        lines = [
            f"{self.backend}: {self.postings:,} postings, batches of {ARGS.batch}",
            f"  whole write path (upsert+jobs+lifecycle)    {self.rate(self.write_path):>9,.0f} postings/s"
            f"  ({self.write_path:.1f}s; {1e3 * self.write_path / self.postings:.2f} ms/posting)",
            f"  store path (upsert_postings)                {self.rate(self.store):>9,.0f} postings/s"
            f"  ({self.store:.1f}s)",
            f"  ceiling (executemany into empty postings)   {self.rate(self.ceiling_indexed):>9,.0f} postings/s  "
            f"(on {self.indexed:,}; + {self.serialise:.1f}s to build the rows first)",
            f"  bare copy (executemany, no index/full-text) {self.rate(self.ceiling):>9,.0f} postings/s"
            f"  ({self.ceiling:.1f}s)",
            f"  ratio store/ceiling                         {ratio:9.2f}" + (
                f"  (goal ≥ {GOAL:.2f}: {'met' if ratio >= GOAL else 'NOT met'})" if self.backend == "sqlite" else ""
            ),
            f"  ratio store/bare copy                       {self.ceiling / self.store:9.2f}",
            f"  ratio whole write path/ceiling              {self.ceiling_indexed / self.write_path:9.2f}",
        ]  # fmt: skip
        return "\n".join(lines)


def bench(backend: str, postings: list[NormalisedPosting], folder: Path) -> Result:
    with fresh_database(backend, folder, ARGS.postgres) as engine:
        whole = write_path(engine, postings, ARGS.batch)
        assert count(engine, "postings") == len(postings), "the write path lost postings"
        assert count(engine, "jobs") > 0
    with fresh_database(backend, folder, ARGS.postgres) as engine:
        store = store_path(engine, postings, ARGS.batch)
        assert count(engine, "postings") == len(postings), "the store path lost postings"
        started = time.perf_counter()
        names, rows = driver_rows(engine, postings)
        serialise = time.perf_counter() - started
        bare = make_bare_copy(engine)
        ceiling = plain_insert(engine, bare, names, rows, ARGS.batch)
        assert count(engine, bare) == len(postings)
    indexed = min(len(rows), ARGS.indexed_postings or len(rows))
    with fresh_database(backend, folder, ARGS.postgres) as engine:
        ceiling_indexed = plain_insert(engine, "postings", names, rows[:indexed], ARGS.batch)
        assert count(engine, "postings") == indexed
    return Result(
        backend, len(postings), whole, store, ceiling, ceiling_indexed * len(postings) / indexed, serialise, indexed
    )


def _drop_search_index(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for trigger in ("insert", "update", "delete"):
                connection.exec_driver_sql(f"DROP TRIGGER postings_fts_after_{trigger}")
        else:
            connection.exec_driver_sql("DROP INDEX ix_postings_search_vector")
            connection.exec_driver_sql("ALTER TABLE postings DROP COLUMN search_vector")


def profile_store(backend: str, postings: list[NormalisedPosting], folder: Path) -> str:
    """Where the store path's time goes, measured with clocks around its parts (cProfile's own cost
    on hundreds of thousands of small calls would distort the picture)."""
    spent: dict[str, float] = {}

    def add(part: str, seconds: float) -> None:
        spent[part] = spent.get(part, 0.0) + seconds

    original_columns = NormalisedPosting.columns
    original_hash = NormalisedPosting.content_hash

    def columns(self):
        started = time.perf_counter()
        try:
            return original_columns(self)
        finally:
            add("NormalisedPosting.columns() (dataclasses.asdict + content_hash)", time.perf_counter() - started)

    def content_hash(self):
        started = time.perf_counter()
        try:
            return original_hash(self)
        finally:
            add("  of which content_hash() (json.dumps + sha256)", time.perf_counter() - started)

    with fresh_database(backend, folder, ARGS.postgres) as engine:
        timers: dict[int, float] = {}

        def before(conn, cursor, statement, parameters, context, executemany):
            timers[id(cursor)] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            words = statement.lstrip().split(None, 1)[0].upper()
            kind = "INSERT … ON CONFLICT DO UPDATE" if "ON CONFLICT" in statement else words
            add(f"database: {kind}", time.perf_counter() - timers.pop(id(cursor)))

        dialect = engine.dialect
        original_commit = dialect.do_commit

        def do_commit(dbapi_connection):
            started = time.perf_counter()
            try:
                original_commit(dbapi_connection)
            finally:
                add("database: COMMIT", time.perf_counter() - started)

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        dialect.do_commit = do_commit
        NormalisedPosting.columns, NormalisedPosting.content_hash = columns, content_hash
        try:
            total = store_path(engine, postings, ARGS.batch)
        finally:
            NormalisedPosting.columns, NormalisedPosting.content_hash = original_columns, original_hash
            del dialect.do_commit
    with fresh_database(backend, folder, ARGS.postgres) as engine:
        _drop_search_index(engine)
        without_search = store_path(engine, postings, ARGS.batch)

    accounted = sum(seconds for part, seconds in spent.items() if not part.startswith("  "))
    spent["the rest: SQLAlchemy (compiling, binding, JSON and time types), loops"] = total - accounted
    lines = [f"{backend}: where the store path's time goes ({len(postings):,} postings, {total:.1f}s)"]
    top = sorted((part for part in spent if not part.startswith("  ")), key=lambda part: -spent[part])
    for part in top:
        for shown in [part, *(sub for sub in spent if sub.startswith("  ") and part.startswith("NormalisedPosting"))]:
            share, per_posting = 100 * spent[shown] / total, 1e3 * spent[shown] / len(postings)
            lines.append(f"  {shown:<72} {spent[shown]:6.2f}s {share:4.0f}%  {per_posting:.3f} ms/posting")
    lines.append(
        f"  store path without the full-text index: {len(postings) / without_search:,.0f} postings/s "
        f"(with it: {len(postings) / total:,.0f} postings/s)"
    )
    return "\n".join(lines)


def timed(label: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--postings", type=int, default=50_000, help="how many postings (default 50,000)")
    parser.add_argument("--batch", type=int, default=500, help="postings per transaction (default 500)")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help=f"PostgreSQL server URL (default {DEFAULT_POSTGRES})"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append", help="only this backend")
    parser.add_argument("--sqlite-dir", type=Path, help="where the SQLite files go (default: a temporary directory)")
    parser.add_argument(
        "--indexed-postings", type=int, help="write only this many into the ceiling table (default: all)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also break the store path's time down (10,000 postings)"
    )
    ARGS = parser.parse_args(argv)

    postings = timed(f"synthesised {ARGS.postings:,} postings", lambda: synthesise(ARGS.postings))
    backends = ARGS.backend or ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(dir=ARGS.sqlite_dir) as folder:
        for backend in backends:
            if backend == "postgresql" and (reason := postgres_unavailable(ARGS.postgres)):
                print(f"postgresql: skipped: {reason}")
                continue
            print(bench(backend, postings, Path(folder)).report(), flush=True)
            if ARGS.profile:
                print(profile_store(backend, postings[:10_000], Path(folder)), flush=True)
    return 0


ARGS: argparse.Namespace

if __name__ == "__main__":
    sys.exit(main())
