"""Reliability table: for each fault, what a real crawl stored, rejected and lost, per backend.

Usage::

    .venv/bin/python bench/reliability.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/reliability.py --backend sqlite
    .venv/bin/python bench/reliability.py --case poisoned-values --case refused-posting

Each case is a small recorded site (served by the replay proxy, as in the tests) crawled by the
real ``scrapy crawl`` into a fresh database, optionally prepared to fail first. Afterwards it counts
the posting pages (or API records) the crawl fetched, the postings stored and the rejects (with
their stage and reason), and prints ``lost = fetched − stored − rejected``, which must be 0, beside
the run's status and the command's exit code.

Adding a case: write a function that builds the site and returns a :class:`Case`, and decorate it
with ``@case("name")``. ``prepare(database_url, backend)`` runs on the migrated, empty database
before the crawl (install a trigger, make it read-only: return the URL to crawl into).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from aggregator.db import make_engine, upgrade_to_head  # noqa: E402
from tests.conftest import SITE, fresh_database, posting_page, run_crawl, small_site, write_snapshot  # noqa: E402
from tests.faults import crawl_broken_listing_nights, crawl_posting_page_faults, refusing_run_rows  # noqa: E402

POSTGRES_SERVER_URL = os.environ.get(
    "AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Case:
    site: Path
    # postings a perfect crawl stores (the rest of the pages are expected rejects)
    expected_postings: int
    spider: str = "remotewlb"
    # which fetched URLs are posting pages / records (the rest is robots.txt, sitemaps, API pages)
    is_posting: Callable[[str], bool] = lambda url: "/job/" in url
    # posting records inside an API response, when the crawl fetches one page for all of them
    records: int | None = None
    prepare: Callable[[str, str], str] | None = None
    args: tuple[str, ...] = ()
    note: str = ""


CASES: dict[str, Callable[[Path], Case]] = {}


def case(name: str):
    def register(build: Callable[[Path], Case]) -> Callable[[Path], Case]:
        CASES[name] = build
        return build

    return register


# --- pages ---------------------------------------------------------------------------------------


def ld_page(title: str, heading: str | None = None, **fields) -> str:
    ld = {"@context": "https://schema.org", "@type": "JobPosting", "title": title, "datePosted": "2024-05-01",
          "description": "<p>Build things.</p>", "hiringOrganization": {"@type": "Organization", "name": "Acme"},
          **fields}  # fmt: skip
    return posting_page(heading or title, ld=json.dumps(ld))


def pages(titles: dict[str, str]) -> dict[str, list[dict]]:
    return {f"{SITE}/job/{slug}": [{"status": 200, "text": html}] for slug, html in titles.items()}


def plain(count: int) -> dict[str, list[dict]]:
    return pages({f"posting-{n}": posting_page(f"Posting {n} engineer", f"Firm {n}") for n in range(count)})


# --- cases ---------------------------------------------------------------------------------------


@case("clean-site")
def clean_site(folder: Path) -> Case:
    return Case(small_site(folder, plain(5)), 5, note="control: nothing wrong")


@case("poisoned-values")
def poisoned_values(folder: Path) -> Case:
    value = {"@type": "QuantitativeValue", "minValue": math.nan, "maxValue": math.inf, "unitText": "YEAR"}
    salary = {"@type": "MonetaryAmount", "currency": "USD", "value": value}
    site = pages({
        "nul-bytes-1": ld_page("Nul\u0000 Byte\u0007 Posting", description="<p>a\u0000b\u001bc</p>"),
        "nan-salary-2": ld_page("NaN Salary", baseSalary=salary),
        "infinity-in-raw-3": ld_page("Infinity", employmentType=[math.inf, "FULL_TIME"]),
        "lone-surrogate-4": ld_page("Lone \ud800 Surrogate", heading="Lone Surrogate"),
        "long-slug-" + "x" * 300 + "-5": posting_page("Long Slug"),
    })  # fmt: skip
    site[f"{SITE}/job/long-etag-6"] = [{"status": 200, "text": posting_page("Long ETag"),
        "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": '"' + "e" * 400 + '"'}}]  # fmt: skip
    return Case(small_site(folder, site), 6, note="NUL/control chars, NaN/inf, over-long ids")


@case("invalid-data")
def invalid_data(folder: Path) -> Case:
    huge = {"@type": "MonetaryAmount", "currency": "USD", "value": {"value": 1e15, "unitText": "YEAR"}}
    site = pages({
        "invalid-date-1": ld_page("Invalid Date", datePosted="2025-13-45", validThrough="20991231"),
        "out-of-range-2": ld_page("Out Of Range", datePosted="0001-01-01", validThrough="9999-12-31"),
        "javascript-apply-3": posting_page("Javascript Apply").replace(
            "</article>", '<a class="btn-apply" href="javascript:apply()">Apply</a></article>'),
        "negative-salary-4": posting_page("Negative Salary").replace(
            "</article>", '<span class="tag-salary">-$90,000</span></article>'),
        "huge-salary-5": ld_page("Huge Salary", baseSalary=huge),
    })  # fmt: skip
    return Case(small_site(folder, site), 5, note="bad dates, apply URL, salaries: nulled, counted")


@case("bad-posting-urls")
def bad_posting_urls(folder: Path) -> Case:
    api = "https://www.workingnomads.com/api/exposed_jobs/"
    records = [
        {"url": "https://www.workingnomads.com/job/go/1/", "title": "Good", "company_name": "Acme"},
        {"url": "javascript:alert(1)", "title": "Script", "company_name": "Acme"},
        {"url": "data:text/html,hi", "title": "Data", "company_name": "Acme"},
        {"url": "/job/go/4/", "title": "Relative", "company_name": "Acme"},
    ]
    site = write_snapshot(folder, {api: [{"status": 200, "headers": {"Content-Type": "application/json"},
                                          "text": json.dumps(records)}]})  # fmt: skip
    return Case(site, 1, spider="workingnomads", is_posting=lambda url: url == api, records=len(records),
                note="posting URLs that are no web page: rejected")  # fmt: skip


def refusing(condition: str, errcode: str) -> Callable[[str, str], str]:
    def prepare(url: str, backend: str) -> str:
        engine = make_engine(url)
        with engine.begin() as connection:
            if backend == "sqlite":
                connection.execute(text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON postings WHEN {condition} "
                    "BEGIN SELECT RAISE(ABORT, 'posting refused by the database'); END"))  # fmt: skip
            else:
                connection.execute(text(
                    f"CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF {condition} THEN RAISE EXCEPTION "
                    f"'posting refused by the database' USING ERRCODE = '{errcode}'; END IF; RETURN new; END $$ "
                    "LANGUAGE plpgsql"))  # fmt: skip
                connection.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON postings "
                                        "FOR EACH ROW EXECUTE FUNCTION refuse()"))  # fmt: skip
        engine.dispose()
        return url

    return prepare


@case("refused-posting")
def refused_posting(folder: Path) -> Case:
    site = plain(9) | pages({"refused-9": posting_page("Refused Posting")})
    return Case(small_site(folder, site), 9, prepare=refusing("new.title = 'Refused Posting'", "check_violation"),
                args=("-s", "STORE_BATCH_SIZE=500"), note="one posting the database refuses, batch of 10")  # fmt: skip


@case("database-refuses-all")
def database_refuses_all(folder: Path) -> Case:
    return Case(small_site(folder, plain(5)), 0, prepare=refusing("1 = 1", "disk_full"),
                note="every posting insert fails (PostgreSQL: SQLSTATE 53100 disk full)")  # fmt: skip


@case("run-row-unwritable")
def run_row_unwritable(folder: Path) -> Case:
    def prepare(url: str, backend: str) -> str:
        refusing_run_rows(url, backend)
        return url

    return Case(small_site(folder, plain(3)), 0, prepare=prepare, note="crawl stops before fetching; exit 1")


@case("read-only-database")
def read_only_database(folder: Path) -> Case:
    def prepare(url: str, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///file:{make_url(url).database}?mode=ro&uri=true"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{make_url(url).database}" SET default_transaction_read_only = on'
            )
        engine.dispose()
        return url

    return Case(small_site(folder, plain(3)), 0, prepare=prepare,
                note="SQLite file opened read-only; PostgreSQL database read-only by default")  # fmt: skip


# --- running -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    expected: int
    fetched: int
    stored: int
    rejects: Counter = field(default_factory=Counter)
    status: str = "-"
    exit_code: int = 0
    note: str = ""

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    @property
    def lost(self) -> int:
        return self.fetched - self.stored - self.rejected


def rows(url: str, sql: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def run_case(name: str, backend: str, folder: Path) -> Outcome:
    built = CASES[name](folder / "site")
    with fresh_database(backend, folder) as url:
        upgrade_to_head(make_engine(url))
        crawl_url = built.prepare(url, backend) if built.prepare else url
        result = run_crawl(built.spider, [built.site], crawl_url, *built.args)
        pages = [r["url"] for r in result.requests if built.is_posting(r["url"])]
        fetched = built.records if built.records is not None and pages else len(pages)
        stored = rows(url, "SELECT COUNT(*) AS n FROM postings")[0]["n"]
        rejects = Counter(f"{r['stage']}: {r['reason'][:100]}" for r in rows(url, "SELECT stage, reason FROM rejects"))
        runs = rows(url, "SELECT status FROM crawl_runs ORDER BY id")
        status = runs[-1]["status"] if runs else "(no run row)"
        return Outcome(name, built.expected_postings, fetched, stored, rejects, status, result.returncode, built.note)


def print_table(backend: str, outcomes: list[Outcome]) -> None:
    header = ("case", "expected", "fetched", "stored", "rejected", "lost", "status", "exit")
    table = [header] + [
        (o.name, str(o.expected), str(o.fetched), str(o.stored), str(o.rejected), str(o.lost), o.status,
         str(o.exit_code))
        for o in outcomes
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print(f"\n{backend}")
    for row in table:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)))
    print("rejected with reason:")
    for o in outcomes:
        for reason, count in sorted(o.rejects.items()):
            print(f"  {o.name}: {count} × {reason}")
    total_lost = sum(o.lost for o in outcomes)
    print(f"lost in total: {total_lost}" + ("" if total_lost == 0 else "  <-- MUST BE 0"))


def postgres_reachable() -> str | None:
    engine = create_engine(POSTGRES_SERVER_URL)
    try:
        with engine.connect():
            return None
    except OperationalError as error:
        return str(error.orig).splitlines()[0]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    parser.add_argument(
        "--no-crawl-faults", action="store_true", help="leave out the crawl-level fault crawls (tests/faults.py)"
    )
    args = parser.parse_args(argv)
    backends = args.backend or ["sqlite", "postgresql"]
    names = args.case or list(CASES)
    lost = 0
    for backend in backends:
        if backend == "postgresql" and (reason := postgres_reachable()):
            print(f"\npostgresql: skipped ({reason})")
            continue
        outcomes = []
        for name in names:
            with tempfile.TemporaryDirectory(prefix=f"reliability-{name}-") as folder:
                outcomes.append(run_case(name, backend, Path(folder)))
        print_table(backend, outcomes)
        lost += sum(o.lost for o in outcomes)
        if not (args.case or args.no_crawl_faults):
            lost += print_crawl_faults(backend)
    return 1 if lost else 0


def print_crawl_faults(backend: str) -> int:
    """The crawl-level faults of tests/faults.py: posting pages that are no posting, redirect loops,
    off-site redirects, oversized or undecodable bodies…, and broken listing nights. Returns the
    number of pages lost or postings wrongly closed (both must be 0)."""
    with tempfile.TemporaryDirectory(prefix="reliability-pages-") as folder:
        with fresh_database(backend, Path(folder)) as url:
            pages = crawl_posting_page_faults(Path(folder), url)
    with tempfile.TemporaryDirectory(prefix="reliability-nights-") as folder:
        with fresh_database(backend, Path(folder)) as url:
            nights = crawl_broken_listing_nights(Path(folder), url)
    print(f"\n{backend}: crawl-level faults (one crawl of {pages['pages']} posting pages, each a fault or a control)")
    for key, value in pages.items():
        print(f"  {key}: {value}")
    print(f"{backend}: broken listings (a healthy night, then one night per kind of broken sitemap shard)")
    for key, value in nights.items():
        print(f"  {key}: {value}")
    bad = pages["lost"] + pages["wrong outcome"] + nights["postings wrongly closed"]
    print(f"lost, wrong or wrongly closed: {bad}" + ("" if bad == 0 else "  <-- MUST BE 0"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
