"""Nightly recrawls cost only what changed: unchanged listings are not downloaded again."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import REMOTEWLB_SITE, load_expected, query, run_crawl

CHANGED = 5  # of 313 postings, plus one new one: about 2%


@pytest.fixture
def changed_site(tmp_path):
    """A copy of the recording a day later: five postings edited (new lastmod), one new posting."""
    site = tmp_path / "site"
    shutil.copytree(REMOTEWLB_SITE, site)
    entries = [json.loads(line) for line in (site / "manifest.jsonl").read_text().splitlines()]
    by_url = {entry["url"]: entry for entry in entries}
    shard_entry = by_url["https://remotewlb.com/sitemaps/jobs/2025-02-1"]
    shard_path = site / shard_entry["responses"][0]["body"]
    shard = shard_path.read_text()
    listed = re.findall(r"<loc>(https://remotewlb.com/job/[^<]+)</loc>", shard)
    edited = [url for url in listed if by_url.get(url, {}).get("responses", [{}])[-1].get("status") == 200][:CHANGED]
    for url in edited:
        shard = re.sub(rf"(<loc>{re.escape(url)}</loc><lastmod>)[^<]+", r"\g<1>2025-03-01T00:00:00Z", shard)
        response = by_url[url]["responses"][-1]
        body = site / response["body"]
        body.write_text(body.read_text().replace('"title": "', '"title": "Edited ', 1))
        response["headers"]["ETag"] = '"edited"'
    new_url = "https://remotewlb.com/job/brand-new-posting-999999"
    by_url[new_url] = {"url": new_url, "responses": [dict(by_url[edited[0]]["responses"][-1])]}
    shard = shard.replace(
        "</urlset>", f"<url><loc>{new_url}</loc><lastmod>2025-03-02T00:00:00Z</lastmod></url></urlset>"
    )
    shard_path.write_text(shard)
    (site / "manifest.jsonl").write_text("".join(json.dumps(entry) + "\n" for entry in by_url.values()))
    return site, edited, new_url


def test_nightly_recrawls_fetch_only_what_changed(changed_site, database_url):
    """One scenario (crawls are the expensive part): a full first crawl, a day later with 2% changed,
    then every lastmod moved but pages unchanged (304s), then a forced full recrawl."""
    site, edited, new_url = changed_site
    first = run_crawl("remotewlb", [REMOTEWLB_SITE], database_url)
    second = run_crawl("remotewlb", [site], database_url)
    assert second.returncode == 0, second.log[-3000:]

    fetched_postings = [r for r in second.requests if "/job/" in r["url"]]
    listing_requests = [r for r in second.requests if "/job/" not in r["url"]]
    # robots.txt (twice: the robots middleware and the spider), the index, static.xml, 4 job shards
    assert len(listing_requests) <= 8
    assert {r["url"] for r in fetched_postings} == {*edited, new_url}
    assert len(second.requests) <= 8 + CHANGED + 1 < len(first.requests) / 10
    # the edited pages were asked conditionally and really changed (ETag differs)
    assert all(r["conditional"] for r in fetched_postings if r["url"] in edited)

    run = query(database_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    items = [e for e in load_expected() if e["expect"] == "item"]
    assert (run["items_new"], run["items_updated"]) == (1, CHANGED)
    assert run["items_unchanged"] == len(items) - CHANGED
    assert run["status"] == "ok"
    titles = {row["url"]: row["title"] for row in query(database_url, "SELECT url, title FROM postings")}
    assert all(titles[url].startswith("Edited ") for url in edited)

    # Every lastmod moves but the pages did not change: the server is asked and answers 304.
    for entry in map(json.loads, (site / "manifest.jsonl").read_text().splitlines()):
        if "/sitemaps/jobs/" in entry["url"]:
            path = site / entry["responses"][0]["body"]
            path.write_text(re.sub(r"<lastmod>[^<]+", "<lastmod>2030-01-01T00:00:00Z", path.read_text()))
    third = run_crawl("remotewlb", [site], database_url)
    statuses = [r["status"] for r in third.requests if "/job/" in r["url"]]
    assert statuses.count(304) >= 250
    run = query(database_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    assert (run["items_new"], run["items_updated"]) == (0, 0)
    assert run["items_unchanged"] == len(items) + 1
    assert run["status"] == "ok"

    full = run_crawl("remotewlb", [site], database_url, "-s", "FULL_RECRAWL=True")
    assert not any(r["conditional"] for r in full.requests)
    job_requests = [r for r in full.requests if "/job/" in r["url"]]
    assert len(job_requests) == len([r for r in first.requests if "/job/" in r["url"]]) + 1  # + the new one
