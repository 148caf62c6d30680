"""Bad input gets a counted, stored outcome and never costs the other postings."""

from __future__ import annotations

import json

from tests.conftest import as_json, query, run_crawl, write_snapshot

SITE = "https://remotewlb.com"


def posting_page(
    title: str | None, company: str = "Acme", ld: str | None = None, charset: str = "utf-8"
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
                "description": "<p>Build things.</p>",
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


def test_faults_are_counted_stored_and_cost_nothing_else(tmp_path, database_url):
    ok = f"{SITE}/job/good-posting-1"
    slow = f"{SITE}/job/slow-posting-2"
    untitled = f"{SITE}/job/untitled-posting-3"
    empty = f"{SITE}/job/not-a-posting-4"
    latin1 = f"{SITE}/job/latin-posting-5"
    broken = f"{SITE}/job/broken-json-6"
    failing = f"{SITE}/job/always-500-7"
    site = small_site(tmp_path / "site", {
        ok: [{"status": 200, "text": posting_page("Good Posting")}],
        slow: [{"status": 200, "delay": 3, "text": posting_page("Slow Posting")}],
        untitled: [{"status": 200, "text": posting_page(None)}],
        empty: [{"status": 200, "text": "<html><body><p>Nothing here</p></body></html>"}],
        latin1: [{"status": 200, "headers": {"Content-Type": "text/html; charset=iso-8859-1"},
                  "text": posting_page("Développeur Sénior", charset="iso-8859-1").encode("latin-1")}],
        broken: [{"status": 200, "text": posting_page("Broken JSON", ld='{"@type": "JobPosting", "title": ')}],
        failing: [{"status": 500, "text": "oops"}],
    })  # fmt: skip
    result = run_crawl("remotewlb", [site], database_url, "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1")
    assert result.returncode == 0, result.log[-3000:]

    stored = {row["url"]: row for row in query(database_url, "SELECT * FROM postings")}
    assert set(stored) == {ok, latin1, broken}
    assert stored[latin1]["title"] == "Développeur Sénior"
    assert stored[broken]["title"] == "Broken JSON"  # read from the page when the JSON-LD is broken

    rejects = {row["url"]: row for row in query(database_url, "SELECT * FROM rejects")}
    assert rejects[untitled]["stage"] == "validate"
    assert rejects[untitled]["reason"] == "missing title"
    assert as_json(rejects[untitled]["payload"])["url"] == untitled
    assert rejects[slow]["stage"] == "fetch" and "Timeout" in rejects[slow]["reason"]
    assert rejects[failing]["stage"] == "fetch" and rejects[failing]["reason"] == "HTTP 500"
    assert [r["status"] for r in result.requests if r["url"] == failing] == [500, 500]
    assert empty not in rejects

    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    stats = as_json(run["stats"])
    assert run["items_scraped"] == 3
    assert run["items_rejected"] == 1
    assert run["errors"] == 2
    assert stats["aggregator/pages/no_posting"] == 1
    assert stats["aggregator/extract/warnings"] >= 1


def test_a_crawl_that_finds_nothing_is_recorded_as_failed(tmp_path, database_url):
    site = small_site(
        tmp_path / "site",
        {
            f"{SITE}/job/layout-changed-1": [
                {"status": 200, "text": "<html><body><div>new layout</div></body></html>"}
            ]
        },
    )
    result = run_crawl("remotewlb", [site], database_url)
    assert result.returncode == 0
    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed"
    assert run["status_reason"] == "no postings were scraped"
    assert run["finished_at"] is not None
