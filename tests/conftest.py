"""Shared test support: crawls run as real `scrapy crawl` processes behind the replay proxy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from aggregator.replay import ReplayProxy, Snapshot

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REMOTEWLB_SITE = FIXTURES / "remotewlb-site"

# Politeness off for recordings on loopback: the same spider code, just no waiting.
FAST = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]


@dataclass
class CrawlResult:
    returncode: int
    log: str
    requests: list[dict]


def run_crawl(
    spider: str, snapshots: list[Path], database_url: str, *args: str, env: dict | None = None
) -> CrawlResult:
    """``scrapy crawl SPIDER`` in a subprocess, its traffic answered by the replay proxy."""
    with ReplayProxy(Snapshot.load(*snapshots)) as proxy:
        environment = {
            **os.environ,
            "https_proxy": proxy.url,
            "http_proxy": proxy.url,
            "AGGREGATOR_DATABASE_URL": database_url,
            **(env or {}),
        }
        environment.pop("no_proxy", None)
        environment.pop("NO_PROXY", None)
        completed = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", spider, *FAST, *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return CrawlResult(completed.returncode, completed.stderr, list(proxy.requests))


def load_expected(folder: Path = REMOTEWLB_SITE) -> list[dict]:
    with open(folder / "expected.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def query(database_url: str, sql: str, **params) -> list[dict]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


# Every database test runs on both backends. The PostgreSQL server is the one CI and developers
# have at 127.0.0.1:5432 (trust auth); each test gets a database of its own, dropped afterwards.
POSTGRES_SERVER_URL = os.environ.get(
    "AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def postgres_unavailable(url: str = POSTGRES_SERVER_URL) -> str | None:
    """Why no PostgreSQL server answers at ``url``, or None when one does (tests and benches)."""
    engine = create_engine(url)
    try:
        with engine.connect():
            return None
    except OperationalError as exc:
        return f"no PostgreSQL at {url}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def backends_to_run(requested: list[str] | None) -> list[str]:
    """For the benches: the backends asked for (both by default), PostgreSQL left out, and said so,
    when no server answers."""
    backends = list(requested or ["sqlite", "postgresql"])
    if "postgresql" in backends and (reason := postgres_unavailable()):
        print(f"postgresql: skipped: {reason}")
        backends.remove("postgresql")
    return backends


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty database of ``backend``: a SQLite file, or a PostgreSQL database of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'jobs.db'}"
        return
    reason = postgres_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL too: {reason}")
        pytest.skip(reason)
    name = f"aggregator_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


def as_json(value):
    """JSON columns come back parsed from PostgreSQL and as text from SQLite."""
    return json.loads(value) if isinstance(value, str) else value


def as_moment(value):
    """Timestamp columns come back as datetimes from PostgreSQL and as UTC text from SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.fixture(scope="session", params=BACKENDS)
def remotewlb_crawled_twice(request, tmp_path_factory) -> Iterator[dict]:
    """The recorded site crawled twice into one database, with the database after each crawl."""
    with fresh_database(request.param, tmp_path_factory.mktemp("remotewlb")) as url:
        yield _crawl_twice(url)


def _crawl_twice(url: str) -> dict:
    first = run_crawl("remotewlb", [REMOTEWLB_SITE], url)
    after_first = {row["url"]: row for row in query(url, "SELECT * FROM postings")}
    second = run_crawl("remotewlb", [REMOTEWLB_SITE], url)
    after_second = {row["url"]: row for row in query(url, "SELECT * FROM postings")}
    runs = query(url, "SELECT * FROM crawl_runs ORDER BY id")
    return {"url": url, "first": first, "second": second, "after_first": after_first,
            "after_second": after_second, "runs": runs}  # fmt: skip


def write_snapshot(folder: Path, pages: dict[str, list[dict]]) -> Path:
    """A small snapshot for a focused test: ``{url: [{"status", "headers", "text", "delay"?}]}``."""
    (folder / "body").mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for number, (url, responses) in enumerate(pages.items()):
            recorded = []
            for index, response in enumerate(responses):
                entry = {k: v for k, v in response.items() if k != "text"}
                entry.setdefault("headers", {"Content-Type": "text/html; charset=utf-8"})
                if "text" in response:
                    name = f"body/{number}-{index}"
                    body = response["text"]
                    (folder / name).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
                    entry["body"] = name
                recorded.append(entry)
            manifest.write(json.dumps({"url": url, "responses": recorded}) + "\n")
    return folder


# A tiny remotewlb-shaped site for focused tests.
SITE = "https://remotewlb.com"


def posting_page(
    title: str | None,
    company: str = "Acme",
    ld: str | None = None,
    charset: str = "utf-8",
    valid_through: str | None = None,
    description: str = "<p>Build things.</p>",
) -> str:
    ld = (
        ld
        if ld is not None
        else json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "JobPosting",
                "title": title,
                "datePosted": "2024-05-01",
                "description": description,
                "validThrough": valid_through,
                "hiringOrganization": {"@type": "Organization", "name": company},
            }
        )
    )
    h1 = f'<h1 class="job-title">{title}</h1>' if title else ""
    return (f'<html><head><meta charset="{charset}"/><script type="application/ld+json">{ld}</script></head>'
            f'<body><article class="job-detail">{h1}<div class="job-company"><a>{company}</a></div>'
            f'<section class="job-description"><p>Build things.</p></section></article></body></html>')  # fmt: skip


def small_site(folder, postings: dict[str, list[dict]]):
    shard = "".join(f"<url><loc>{url}</loc><lastmod>2024-05-0{i + 1}T00:00:00Z</lastmod></url>"
                    for i, url in enumerate(postings))  # fmt: skip
    pages = {
        f"{SITE}/robots.txt": [{"status": 200, "text": f"User-agent: *\nAllow: /\nSitemap: {SITE}/sitemap.xml\n"}],
        f"{SITE}/sitemap.xml": [{"status": 200, "text": '<?xml version="1.0"?><sitemapindex xmlns="http://www.'
                                 f'sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{SITE}/sitemaps/jobs/2024-05-1'
                                 "</loc></sitemap></sitemapindex>"}],
        f"{SITE}/sitemaps/jobs/2024-05-1": [{"status": 200, "text": '<?xml version="1.0"?><urlset xmlns="http://'
                                            f'www.sitemaps.org/schemas/sitemap/0.9">{shard}</urlset>'}],
        **postings,
    }  # fmt: skip
    return write_snapshot(folder, pages)
