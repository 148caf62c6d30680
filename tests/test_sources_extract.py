"""Pure tests of the issue-15 extractors: the edge cases the recordings do not all show."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aggregator.bases.feed import feed_entries
from aggregator.extract import (
    bamboohr,
    fourdayweek,
    hackernews,
    nodesk,
    personio,
    recruitee,
    smartrecruiters,
    teamtailor,
    workable,
    workday,
    wpjobmanager,
)
from aggregator.extract.context import Context
from aggregator.normalise.company import is_placeholder, real_company
from aggregator.normalise.posting import normalise_posting, stated_workplace
from aggregator.normalise.text import clean_company
from tests.conftest import FIXTURES

# -- one placeholder vocabulary ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "  ", "N/A", "n/a", "None", "null", "-", "Confidential", "name", "Company Name",
                                   "company_name", "UNKNOWN", None, 42])  # fmt: skip
def test_placeholders_are_no_company(value):
    assert is_placeholder(value)
    assert clean_company(value if isinstance(value, str) else None) is None


def test_real_company_falls_back_through_the_sources_fields():
    assert real_company("N/A", "  ", "Acme  Corp", "acme") == "Acme Corp"
    assert real_company("name", None, "acme") == "acme"
    assert real_company("Confidential", "None") is None
    assert clean_company("Named Data Inc") == "Named Data Inc"  # a word of the vocabulary inside a name is fine


@pytest.mark.parametrize(
    "value, expected",
    [("Remote", "remote"), ("TELECOMMUTE", "remote"), ("on_site", "onsite"), ("On-site", "onsite"),
     ("hybrid", "hybrid"), (["remote", "HYBRID"], "hybrid"), ("Flexible", None), (None, None)],
)  # fmt: skip
def test_stated_workplace(value, expected):
    assert stated_workplace(value) == expected


# -- feeds ------------------------------------------------------------------------------------------


def test_feeds_keep_html_entities_a_bom_and_leading_space():
    body = b'\xef\xbb\xbf \n<?xml version="1.0"?><rss><channel><item><title>We&rsquo;re hiring &amp; more&hellip;' \
           b"</title><link>https://nodesk.co/remote-jobs/a-b/</link></item></channel></rss>"  # fmt: skip
    (entry,) = feed_entries(body)
    assert entry["title"] == "We’re hiring & more…"


@pytest.mark.parametrize(
    "title, expected",
    [("Senior Engineer at Acme", ("Acme", "Senior Engineer")),
     ("Head of Growth at Scale at Acme Inc", ("Acme Inc", "Head of Growth at Scale")),
     ("Engineer", (None, "Engineer")), ("at Acme", (None, "at Acme")), (None, (None, None))],
)  # fmt: skip
def test_nodesk_title_split(title, expected):
    assert nodesk.split_title(title) == expected


def test_wp_job_manager_rules_by_meaning():
    item = wpjobmanager.extract_item({
        "title": "Dev &#8211; Ops", "link": "https://jobspresso.co/job/dev-ops/", "creator": "Acme<br>⚲&nbsp;Canada",
        "guid": "https://jobspresso.co/?post_type=job_listing&p=77", "job_type": "Engineer", "job_category": "Contract",
    }, "jobspresso")  # fmt: skip
    assert (item.source_id, item.company, item.location_raw, item.title) == ("77", "Acme", "Canada", "Dev – Ops")
    assert item.employment_type_raw == "Contract"
    fields = {"title": "PM", "link": "https://euremotejobs.com/job/pm/", "creator": "Rachel Craig",
              "job_listing:company": "N/A"}  # fmt: skip
    poster = wpjobmanager.extract_item(fields, "euremotejobs")
    assert (poster.company, poster.source_id) == (None, "pm")  # the poster is never the company


def test_fourdayweek_cents_and_missing_salary():
    record = {"id": "u1", "slug": "dev-at-acme", "title": "Dev", "company_name": "", "company": {"name": "Acme"},
              "salary_lower": 5000000, "salary_upper": None, "salary_currency": "EUR", "salary_period": "year",
              "work_arrangement": "hybrid", "locations": [{"city": "Berlin", "country": "Germany",
                                                           "work_arrangement": "hybrid"}]}  # fmt: skip
    item = fourdayweek.extract(record, Context())
    assert item.salary_raw == "from EUR 50000 per year" and item.company == "Acme"
    assert item.url == "https://4dayweek.io/remote-job/dev-at-acme" and item.location_raw == "Berlin, Germany"
    assert normalise_posting(item).workplace == "hybrid"
    no_pay = fourdayweek.extract({**record, "salary_lower": None, "salary": "Competitive"}, Context())
    assert no_pay.salary_raw == "Competitive" and normalise_posting(no_pay).salary_min is None
    assert fourdayweek.extract("not a record", Context()) is None


# -- ATS --------------------------------------------------------------------------------------------


def test_workable_merges_a_posting_listed_once_per_location():
    job = {"shortcode": "ABC", "title": "Dev", "url": "https://apply.workable.com/j/ABC", "telecommuting": True,
           "locations": [{"country": "Greece", "city": "Athens"}]}  # fmt: skip
    merged = workable.merge_locations([job, {**job, "locations": [{"country": "Portugal", "city": "Lisbon"}]}])
    assert len(merged) == 1
    item = workable.extract(merged[0], Context(board="acme", company="Acme"))
    assert item.location_raw == "Athens, Greece; Lisbon, Portugal" and item.job_location_type_raw == "remote"


def test_smartrecruiters_without_detail_builds_the_public_page():
    record = {"id": "42", "name": "Data Engineer | Remote", "company": {"identifier": "Acme", "name": "N/A"},
              "location": {"fullLocation": "Warsaw, , Poland", "remote": False, "hybrid": True}}  # fmt: skip
    item = smartrecruiters.extract(record, Context(board="acme"))
    assert item.url == "https://jobs.smartrecruiters.com/Acme/42-data-engineer-remote"
    assert (item.company, item.location_raw, item.job_location_type_raw) == ("Acme", "Warsaw, Poland", "hybrid")


def test_recruitee_string_salary_and_unpublished_offers():
    record = {"id": 1, "title": "Dev", "careers_url": "https://careers.acme.com/o/dev", "company_name": "",
              "salary": {"min": "4000", "max": None, "period": "month", "currency": "EUR"}, "remote": True}  # fmt: skip
    item = recruitee.extract(record, Context(board="acme"))
    assert (item.salary_raw, item.company, item.job_location_type_raw) == ("from EUR 4000 per month", "acme", "remote")
    assert recruitee.extract({**record, "status": "draft"}, Context(board="acme")) is None


def test_personio_empty_feed_and_non_feeds():
    assert personio.positions(b"<workzag-jobs></workzag-jobs>") == []
    for body in (b"", b"<html><body>Maintenance</body></html>", b'{"jobs": []}'):
        with pytest.raises(personio.NotAPersonioFeed):
            personio.positions(body)


def test_teamtailor_takes_salary_and_remote_hints_from_its_jobposting():
    record = {"id": "u", "title": "Dev", "url": "https://careers.acme.com/jobs/1-dev", "_jobposting": {
        "title": "Dev", "hiringOrganization": {"name": "Acme AB"}, "jobLocationType": "TELECOMMUTE",
        "baseSalary": {"currency": "SEK",
                       "value": {"minValue": 50000, "maxValue": 60000, "unitText": "MONTH"}}}}  # fmt: skip
    item = teamtailor.extract(record, Context(board="careers.acme.com", company="Acme careers"))
    assert (item.company, item.salary_raw) == ("Acme AB", "SEK 50000-60000 per month")
    assert normalise_posting(item).workplace == "remote"


def test_bamboohr_location_types():
    base = {"id": "5", "jobOpeningName": "Nurse ", "location": {"city": "Austin", "state": "Texas"}}
    assert bamboohr.extract({**base, "locationType": "1"}, Context(board="acme")).job_location_type_raw == "remote"
    assert bamboohr.extract({**base, "locationType": "2"}, Context(board="acme")).job_location_type_raw == "hybrid"
    assert bamboohr.extract({**base, "isRemote": True}, Context(board="acme")).job_location_type_raw == "remote"
    assert bamboohr.extract(base, Context(board="acme", company="Acme Corp")).company == "Acme Corp"


@pytest.mark.parametrize(
    "entry",
    ["gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site", "https://gdit.wd5.myworkdayjobs.com/en-US/External_Career_Site",
     "gdit.wd5/External_Career_Site", "https://gdit.wd5.myworkdayjobs.com/wday/cxs/gdit/External_Career_Site/jobs"],
)  # fmt: skip
def test_workday_site_forms(entry):
    assert workday.parse_site(entry) == workday.WorkdaySite(
        "gdit.wd5.myworkdayjobs.com", "gdit", "External_Career_Site"
    )


def test_workday_rejects_a_site_without_its_name_and_skips_stubs():
    with pytest.raises(ValueError):
        workday.parse_site("gdit.wd5.myworkdayjobs.com")
    assert workday.is_stub({"bulletFields": ["RQ1"]})


# -- Hacker News ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, company, title, places, remote, salary",
    [
        ("Acme Corp | Senior Backend Engineer | Berlin, Germany | REMOTE (EU) | €75k–110k | https://acme.com/jobs",
         "Acme Corp", "Senior Backend Engineer", ["Berlin, Germany"], ["REMOTE (EU)"], "€75k–110k"),
        ("Stripe | Software Engineer, Payments | San Francisco, NYC | Onsite | Full-time | $180k-$230k",
         "Stripe", "Software Engineer, Payments", ["San Francisco, NYC"], ["Onsite"], "$180k-$230k"),
        ("Acme (YC W21) | Founding Engineer | SF or Remote", "Acme", "Founding Engineer", [], ["SF or Remote"], None),
        ("Company: Acme | Role: Data Scientist | Location: London, UK | Hybrid",
         "Acme", "Data Scientist", ["London, UK"], ["Hybrid"], None),
        ("Senior Software Engineer | Acme | Remote", "Acme", "Senior Software Engineer", [], ["Remote"], None),
        ("Montreal - PHP/MySQL Developer", None, "PHP/MySQL Developer", ["Montreal"], [], None),
        ("Acme | NYC | Rust Wizard | ONSITE | 150-200k + equity", "Acme", "Rust Wizard", ["NYC"], ["ONSITE"],
         "150-200k + equity"),
        ("Academia.edu is hiring engineers in San Francisco.",
         "Academia.edu", "engineers", ["San Francisco"], [], None),
    ],
)  # fmt: skip
def test_hn_header_segments(line, company, title, places, remote, salary):
    header = hackernews.parse_header(line)
    assert (header.company, header.title, header.places, header.workplace, header.salary) == (
        company, title, places, remote, salary)  # fmt: skip


def test_hn_comment_2026_markup_and_negated_remote():
    comment = {"id": 9, "created_at": "2026-07-01T15:10:00.000Z", "author": "x",
               "text": "Acme | Staff SRE | Denver, CO | Onsite, no remote | $200k<p>Apply: "
                       "<a href=\"https:&#x2F;&#x2F;acme.test&#x2F;jobs\">acme.test</a>"}  # fmt: skip
    item = hackernews.extract(comment, Context())
    assert (item.company, item.title, item.apply_url) == ("Acme", "Staff SRE", "https://acme.test/jobs")
    assert item.job_location_type_raw is None and item.url == "https://news.ycombinator.com/item?id=9"
    assert hackernews.extract({"id": 10, "text": None, "author": None}, Context()) is None
    assert hackernews.extract({"id": 11, "text": "x", "dead": True}, Context()) is None


def test_hn_location_first_line_takes_the_role_from_the_next_line():
    item = hackernews.extract(
        {"id": 1, "text": "<p>Boston, MA</p><p>Ruby on Rails Engineers</p><p>We build.</p>"}, Context()
    )
    assert (item.title, item.location_raw) == ("Ruby on Rails Engineers", "Boston, MA")


def test_hn_every_top_level_comment_of_the_recorded_thread_is_a_posting():
    thread = json.loads(next((FIXTURES / "hackernews" / "body").glob("*items_2396027*")).read_text(encoding="utf-8"))
    comments = hackernews.thread_comments(thread)
    items = [hackernews.extract(comment, Context()) for comment in comments]
    assert len(items) == 219 and all(item and item.title and item.source_id for item in items)
    assert not {str(reply["id"]) for c in comments for reply in c.get("children") or []} & {i.source_id for i in items}


@pytest.mark.parametrize(
    "title, hiring",
    [("Ask HN: Who is hiring? (September 2023)", True), ("Ask HN: Who is Hiring? (April 2011)", True),
     ("Ask HN: Who wants to be hired? (September 2023)", False),
     ("Ask HN: Freelancer? Seeking freelancer? (September 2023)", False)],
)  # fmt: skip
def test_hn_thread_titles(title, hiring):
    assert hackernews.is_hiring_thread({"title": title}) is hiring


def test_bamboohr_detail_adds_date_text_pay_and_wins_over_the_list():
    record = {"id": "86", "jobOpeningName": "Nurse Paralegal ", "location": {"city": "Fort Lauderdale"},
              "locationType": "0"}  # fmt: skip
    detail = {"meta": {}, "result": {"jobOpening": {
        "jobOpeningShareUrl": "https://acme.bamboohr.com/careers/86", "description": "<p>Help.</p>",
        "compensation": "$60,000 - $70,000 per year", "datePosted": "2026-08-01", "locationType": "1",
        "location": {"city": "Fort Lauderdale", "state": "Florida", "addressCountry": "United States"}}}}  # fmt: skip
    posting = normalise_posting(bamboohr.extract(record, Context(board="acme", company="Acme Corp", detail=detail)))
    assert (posting.url, posting.title) == ("https://acme.bamboohr.com/careers/86", "Nurse Paralegal")
    assert posting.date_posted == datetime(2026, 8, 1, tzinfo=UTC)
    assert (posting.salary_min, posting.salary_max, posting.salary_period) == (60000, 70000, "year")
    assert posting.workplace == "remote" and posting.location_raw == "Fort Lauderdale, Florida, United States"
    assert bamboohr.extract(record, Context(board="acme", detail={"result": "garbled"})).url == posting.url
