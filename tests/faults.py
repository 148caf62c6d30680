"""Crawl-level fault cases as recorded sites: what a board can serve, and what must become of it.

Each builder writes a replay snapshot (``aggregator.replay``) of a remotewlb-shaped site and
returns what every listed posting page must end as: a stored posting, or a reject with a stage
and words in its reason. Used by tests/test_crawl_faults.py; a reliability bench can crawl the
same snapshots and compare the database with the expectations (``outcomes``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from aggregator.db import make_engine, upgrade_to_head
from tests.conftest import SITE, posting_page, write_snapshot

FUTURE = "2099-01-01T00:00:00Z"
# Small enough that a test can exceed it cheaply, large enough for every ordinary page here.
SMALL_MAXSIZE = 64 * 1024
CRAWL_ARGS = ("-s", f"DOWNLOAD_MAXSIZE={SMALL_MAXSIZE}", "-s", "RETRY_TIMES=1")


@dataclass(frozen=True)
class Outcome:
    """``posting`` (stored, under ``stored_url`` when a redirect moved it) or ``reject``."""

    kind: str
    stage: str | None = None
    reason: str | None = None  # words the reject's reason must contain
    stored_url: str | None = None


POSTING = Outcome("posting")
# Pages carrying one posting: exactly one of them is stored, the others are deduplicate rejects.
ONE_OF_DUPLICATES = Outcome("one of duplicates", "deduplicate", "the same posting as another page")


def job(slug: str) -> str:
    return f"{SITE}/job/{slug}"


def html(status: int = 200, text: str | bytes = "", **headers: str) -> dict:
    return {"status": status, "headers": {"Content-Type": "text/html; charset=utf-8", **headers}, "text": text}


def good(title: str) -> list[dict]:
    return [html(text=posting_page(title, valid_through=FUTURE))]


def redirect(to: str, status: int = 301) -> list[dict]:
    return [{"status": status, "headers": {"Location": to}}]


def shard_xml(urls: list[str], lastmod: str = "2024-05-01T00:00:00Z") -> str:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>{lastmod}</lastmod></url>" for url in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def site(folder: Path, shards: dict[str, list[dict]], pages: dict[str, list[dict]]) -> Path:
    """robots.txt → a sitemap index of ``shards`` (name → recorded responses) → ``pages``."""
    urls = {name: name if name.startswith("https://") else f"{SITE}/sitemaps/{name}" for name in shards}
    index = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls.values())
    return write_snapshot(
        folder,
        {
            f"{SITE}/robots.txt": [{"status": 200, "text": f"User-agent: *\nAllow: /\nSitemap: {SITE}/sitemap.xml\n"}],
            f"{SITE}/sitemap.xml": [
                {
                    "status": 200,
                    "text": '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9">{index}</sitemapindex>',
                }
            ],
            **{urls[name]: responses for name, responses in shards.items()},
            **pages,
        },
    )


def xml(text: str | bytes, **headers: str) -> list[dict]:
    return [{"status": 200, "headers": {"Content-Type": "application/xml", **headers}, "text": text}]


# --- posting pages ---------------------------------------------------------------------------------

GOOD_PAGES = 80  # enough healthy postings that the faults stay well under any reject-share limit (20%)


def refresh_in_description(target: str) -> str:
    """A posting whose description carries a meta refresh (within the first 4 KiB Scrapy scans)."""
    ld = json.dumps({"@context": "https://schema.org", "@type": "JobPosting", "title": "Refresh In Body",
                     "datePosted": "2024-05-01", "validThrough": FUTURE, "description": "<p>Build things.</p>",
                     "hiringOrganization": {"@type": "Organization", "name": "Acme"}})  # fmt: skip
    return (f'<html><head><meta charset="utf-8"/><script type="application/ld+json">{ld}</script></head>'
            f'<body><article class="job-detail"><h1 class="job-title">Refresh In Body</h1>'
            f'<section class="job-description"><meta http-equiv="refresh" content="0; url={target}">'
            f"<p>Build things.</p></section></article></body></html>")  # fmt: skip


def refresh_in_head(target: str) -> str:
    return f'<html><head><meta http-equiv="Refresh" content="0; url={target}"></head><body>Moved</body></html>'


def posting_page_faults() -> tuple[dict[str, list[dict]], dict[str, Outcome]]:
    """Every kind of posting page a crawl can meet, and the outcome each must have.

    Crawl with ``CRAWL_ARGS`` (a 64 KiB DOWNLOAD_MAXSIZE, one retry)."""
    pages: dict[str, list[dict]] = {}
    expect: dict[str, Outcome] = {}
    for number in range(1, GOOD_PAGES + 1):
        pages[job(f"good-posting-{number}")] = good(f"Good Posting {number}")
        expect[job(f"good-posting-{number}")] = POSTING

    def case(slug: str, responses: list[dict], outcome: Outcome) -> None:
        pages[job(slug)] = responses
        expect[job(slug)] = outcome

    reject = Outcome
    case(
        "no-posting-101",
        [html(text="<html><body><p>Nothing here</p></body></html>")],
        reject("reject", "extract", "no job posting found"),
    )
    case("empty-page-102", [html(text="")], reject("reject", "extract", "empty page"))
    pdf = {"status": 200, "headers": {"Content-Type": "application/pdf"}, "text": b"%PDF-1.4 \x00\x01"}
    case("pdf-page-103", [pdf], reject("reject", "extract", "not a web page (application/pdf)"))
    case(
        "bad-bytes-104",
        [html(text=b"<html><body>\xc3\x28 \xa0\xa1 \xff garbage</body></html>")],
        reject("reject", "extract", "undecodable body: not valid utf-8"),
    )
    case(
        "bad-gzip-105",
        [html(text="plain text, not gzip", **{"Content-Encoding": "gzip"})],
        reject("reject", "fetch", "undecodable body"),
    )
    case("loop-a-106", redirect(job("loop-b-106")), reject("reject", "fetch", "redirect loop"))
    pages[job("loop-b-106")] = redirect(job("loop-a-106"))  # not listed: part of the loop
    case("self-redirect-107", redirect(job("self-redirect-107"), 302), reject("reject", "fetch", "redirect loop"))
    case("offsite-108", redirect("https://elsewhere.example/job/x"), reject("reject", "fetch", "off-site"))
    case(
        "moved-to-listed-109",
        redirect(job("good-posting-1")),
        reject("reject", "fetch", f"redirects to {job('good-posting-1')}"),
    )
    # Two listed URLs for one posting (remotewlb's key is the slug, trailing slash or not): either
    # may be scraped first; the other is a deduplicate reject.
    case("twice-listed-110", good("Twice Listed"), ONE_OF_DUPLICATES)
    case("twice-listed-110/", good("Twice Listed"), ONE_OF_DUPLICATES)
    trap = job("meta-refresh-trap-666")
    pages[trap] = good("Trap")  # fetched only if the refresh inside the description were followed
    case("refresh-in-body-111", [html(text=refresh_in_description(trap))], POSTING)
    case(
        "refresh-in-head-112",
        [html(text=refresh_in_head(job("refreshed-target-112")))],
        Outcome("posting", stored_url=job("refreshed-target-112")),
    )
    pages[job("refreshed-target-112")] = good("Refreshed Target")
    case(
        "too-large-113",
        [html(text=posting_page("Too Large", description="x" * (2 * SMALL_MAXSIZE)))],
        reject("reject", "fetch", "larger than DOWNLOAD_MAXSIZE"),
    )
    case("rate-limited-114", [html(429, "slow down", **{"Retry-After": "1"}), *good("Rate Limited")], POSTING)
    case(
        "rate-limited-long-115",
        [html(429, "slow down", **{"Retry-After": "3600"})],
        reject("reject", "fetch", "HTTP 429 (Retry-After: 3600)"),
    )
    case(
        "unavailable-dated-116",
        [html(503, "later", **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), *good("Unavailable Dated")],
        POSTING,
    )  # a date in the past: retried at once
    case("always-500-117", [html(500, "oops")], reject("reject", "fetch", "HTTP 500"))
    case("gone-118", [html(404, "gone")], reject("reject", "fetch", "HTTP 404"))
    case("untitled-119", [html(text=posting_page(None))], reject("reject", "validate", "missing title"))
    return pages, expect  # fmt: skip


def posting_page_site(folder: Path) -> tuple[Path, dict[str, Outcome]]:
    pages, expect = posting_page_faults()
    snapshot = site(folder, {"jobs-1": xml(shard_xml(list(expect)))}, pages)
    return snapshot, expect


# --- listings ------------------------------------------------------------------------------------

STEADY = [job(f"steady-posting-{n}") for n in range(1, 4)]  # listed in a shard that stays healthy
AT_RISK = [job(f"at-risk-posting-{n}") for n in range(1, 3)]  # listed in the shard that breaks


def gzip_bomb(inflated_size: int) -> bytes:
    """A gzipped urlset that inflates to about ``inflated_size`` bytes (whitespace padding)."""
    padding = b" " * inflated_size
    return gzip.compress(shard_xml(AT_RISK).encode().replace(b"<urlset", padding + b"<urlset", 1), 9)


# Night-by-night variants of the at-risk shard: each must make the listing incomplete.
BROKEN_SHARDS: dict[str, tuple[list[dict], str]] = {
    "empty urlset": (xml(shard_xml([])), "lists nothing"),
    "HTML instead of XML": ([html(text="<html><body>Maintenance</body></html>")], "not a sitemap"),
    "cut-off XML": (xml(shard_xml(AT_RISK)[:-40]), "broken sitemap XML"),
    "gzip inflating past the bound": (xml(gzip_bomb(4 * SMALL_MAXSIZE)), "inflates past DOWNLOAD_MAXSIZE"),
    "corrupt gzip": (xml(b"\x1f\x8b\x08" + b"\x00" * 40), "unreadable gzip"),
    "server error": ([html(500, "down")], "HTTP 500"),
}


OFF_SITE_SHARD = "https://elsewhere.example/sitemaps/jobs-at-risk"


def listing_site(
    folder: Path, at_risk_shard: list[dict] | None = None, at_risk: list[str] = AT_RISK, at_risk_name="jobs-at-risk"
) -> Path:
    """Two shards: one listing ``STEADY``, one listing ``at_risk`` (or served as ``at_risk_shard``),
    named ``at_risk_name`` (a full URL puts it on another host)."""
    pages = {url: good(url.rsplit("/", 1)[-1].replace("-", " ").title()) for url in STEADY + AT_RISK}
    shards = {"jobs-steady": xml(shard_xml(STEADY)), at_risk_name: at_risk_shard or xml(shard_xml(at_risk))}
    return site(folder, shards, pages)


# --- tallying, for tests and a reliability bench ---------------------------------------------------


def tally(database_url: str, expect: dict[str, Outcome]) -> dict[str, int]:
    """What became of the expected pages: postings expected and stored, rejects with their
    expected stage and reason, pages with no outcome at all (``lost``) or the wrong one."""
    from tests.conftest import query

    stored = {row["listed_url"]: row["url"] for row in query(database_url, "SELECT listed_url, url FROM postings")}
    rejects = {row["url"]: row for row in query(database_url, "SELECT url, stage, reason FROM rejects")}
    counts = {"pages": len(expect), "postings expected": 0, "stored": 0, "rejected with reason": 0, "lost": 0,
              "wrong outcome": 0}  # fmt: skip
    for url, outcome in expect.items():
        counts["postings expected"] += outcome.kind == "posting"
        reject = rejects.get(url)
        if url in stored:
            counts["stored"] += 1
            # A posting stored from the wrong page (a followed meta refresh, say) is wrong too.
            wrong_page = outcome.kind == "posting" and stored[url] != (outcome.stored_url or url)
            counts["wrong outcome"] += outcome.kind == "reject" or wrong_page
        elif reject is None:
            counts["lost"] += 1
        else:
            counts["rejected with reason"] += 1
            matches = reject["stage"] == outcome.stage and outcome.reason in reject["reason"]
            counts["wrong outcome"] += outcome.kind == "posting" or not matches
    counts["postings expected"] += any(outcome is ONE_OF_DUPLICATES for outcome in expect.values())
    return counts


def crawl_posting_page_faults(folder: Path, database_url: str) -> dict[str, int]:
    """One crawl of every posting-page fault into ``database_url``; the tally and the run's status."""
    from tests.conftest import query, run_crawl

    snapshot, expect = posting_page_site(folder / "site")
    result = run_crawl("remotewlb", [snapshot], database_url, *CRAWL_ARGS)
    (run,) = query(database_url, "SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1")
    return {**tally(database_url, expect), "exit code": result.returncode, "run ok": run["status"] == "ok"}


def crawl_broken_listing_nights(folder: Path, database_url: str) -> dict[str, int]:
    """A healthy night, then one night per kind of broken shard: how many postings of the broken
    shard were wrongly closed (must be 0) and how many nights counted a listing problem."""
    from tests.conftest import as_json, query, run_crawl

    run_crawl("remotewlb", [listing_site(folder / "night-0")], database_url, *CRAWL_ARGS)
    noticed, closed = 0, set()
    for night, (shard, _reason) in enumerate(BROKEN_SHARDS.values(), start=1):
        run_crawl("remotewlb", [listing_site(folder / f"night-{night}", shard)], database_url, *CRAWL_ARGS)
        (run,) = query(database_url, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
        noticed += bool(as_json(run["stats"]).get("aggregator/listing_problems"))
        # After every night: a later night that lists a posting again would reopen it.
        closed |= {row["url"] for row in query(database_url, "SELECT url FROM postings WHERE closed_at IS NOT NULL")}
    return {"broken nights": len(BROKEN_SHARDS), "nights noticed": noticed, "postings wrongly closed": len(closed)}


def refusing_run_rows(url: str, backend: str) -> None:
    """Make ``crawl_runs`` refuse every insert ("no run rows today"): the run cannot be recorded."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        if backend == "sqlite":
            connection.execute(text("CREATE TRIGGER refuse_runs BEFORE INSERT ON crawl_runs "
                                    "BEGIN SELECT RAISE(ABORT, 'no run rows today'); END"))  # fmt: skip
        else:
            connection.execute(text("CREATE FUNCTION refuse_runs() RETURNS trigger AS $$ BEGIN "
                                    "RAISE EXCEPTION 'no run rows today'; END $$ LANGUAGE plpgsql"))  # fmt: skip
            connection.execute(text("CREATE TRIGGER refuse_runs BEFORE INSERT ON crawl_runs "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse_runs()"))  # fmt: skip
    engine.dispose()
