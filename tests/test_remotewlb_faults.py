"""One focused test per fault kind the recording carries."""

from __future__ import annotations

import json

import pytest

from aggregator.extract import remotewlb
from aggregator.extract.context import Context
from tests.conftest import REMOTEWLB_SITE, as_json, load_expected, query

EXPECTED = load_expected()
MANIFEST = {
    entry["url"]: entry["responses"]
    for entry in map(json.loads, (REMOTEWLB_SITE / "manifest.jsonl").read_text(encoding="utf-8").splitlines())
}


def by_fault(kind: str) -> list[dict]:
    postings = [e for e in EXPECTED if e.get("fault") == kind]
    assert postings, f"the recording has no {kind} posting"
    return postings


def page(url: str) -> str:
    return (REMOTEWLB_SITE / MANIFEST[url][-1]["body"]).read_text(encoding="utf-8")


def extracted(expected: dict):
    context = Context(url=expected["url"])
    item, problems = remotewlb.extract(page(expected["url"]), context), context.warnings
    assert item is not None
    for field in (
        "source_id",
        "title",
        "salary_raw",
        "location_raw",
        "apply_url",
        "date_posted",
        "valid_through",
    ):
        assert getattr(item, field) == expected[field], (expected["url"], field)
    return item, problems


@pytest.mark.parametrize("expected", by_fault("bad_jsonld"), ids=lambda e: e["source_id"])
def test_invalid_json_ld_is_parsed_leniently(expected):
    assert json.loads  # the block really is invalid JSON:
    body = page(expected["url"])
    block = body.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    with pytest.raises(ValueError):
        json.loads(block)
    item, problems = extracted(expected)
    assert item.description_html and item.job_location_type_raw == "TELECOMMUTE"
    assert problems == []


@pytest.mark.parametrize("expected", by_fault("graph"), ids=lambda e: e["source_id"])
def test_job_posting_inside_graph(expected):
    item, _ = extracted(expected)
    assert item.company == expected["company"]
    assert item.valid_through == expected["valid_through"]


@pytest.mark.parametrize("expected", by_fault("escaped_desc"), ids=lambda e: e["source_id"])
def test_html_escaped_description_is_unescaped(expected):
    item, _ = extracted(expected)
    assert "&lt;" not in item.description_html
    assert "<p>" in item.description_html or "<h" in item.description_html


@pytest.mark.parametrize("expected", by_fault("no_org"), ids=lambda e: e["source_id"])
def test_missing_hiring_organization_falls_back_to_the_page(expected, remotewlb_crawled_twice):
    assert '"hiringOrganization"' not in page(expected["url"])
    row = remotewlb_crawled_twice["after_first"][expected["url"]]
    assert row["company"] == expected["company"]


@pytest.mark.parametrize("expected", by_fault("transient"), ids=lambda e: e["source_id"])
def test_transient_503_is_retried(expected, remotewlb_crawled_twice):
    asked = [r["status"] for r in remotewlb_crawled_twice["first"].requests if r["url"] == expected["url"]]
    assert asked == [503, 200]
    assert remotewlb_crawled_twice["after_first"][expected["url"]]["title"] == expected["title"]


@pytest.mark.parametrize("expected", by_fault("moved"), ids=lambda e: e["source_id"])
def test_moved_posting_is_stored_under_its_final_url(expected, remotewlb_crawled_twice):
    old = [u for u, responses in MANIFEST.items() if responses[0].get("headers", {}).get("Location") == expected["url"]]
    assert old, "a sitemap URL redirects here"
    stored = remotewlb_crawled_twice["after_first"]
    assert expected["url"] in stored
    assert not set(old) & set(stored)


def test_gone_posting_yields_nothing_and_is_recorded(remotewlb_crawled_twice):
    gone = [e["url"] for e in EXPECTED if e.get("why") == "404"]
    assert not set(gone) & set(remotewlb_crawled_twice["after_first"])
    rejects = query(remotewlb_crawled_twice["url"], "SELECT url, reason FROM rejects WHERE stage = 'fetch'")
    assert {r["url"] for r in rejects} >= set(gone)


def test_non_posting_sitemap_entries_are_skipped_and_counted(remotewlb_crawled_twice):
    non_postings = [e["url"] for e in EXPECTED if e.get("why") == "not a job page"]
    fetched = {r["url"] for r in remotewlb_crawled_twice["first"].requests}
    assert not set(non_postings) & fetched
    stats = as_json(remotewlb_crawled_twice["runs"][0]["stats"])
    # three static pages plus the category pages listed in job shards
    assert stats["aggregator/sitemap/non_posting_urls"] == 3 + len(non_postings)
