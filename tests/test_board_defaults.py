"""Board item defaults: a remote-only board's postings are remote unless the posting says otherwise."""

from __future__ import annotations

import pytest

from aggregator.items import RawPosting
from aggregator.normalise.defaults import ItemDefaultsError, check_item_defaults, title_workplace
from aggregator.normalise.posting import normalise_posting
from spiders.arbeitnow import ArbeitnowSpider
from spiders.greenhouse import GreenhouseSpider
from spiders.himalayas import HimalayasSpider
from spiders.jobicy import JobicySpider
from spiders.remoteok import RemoteOKSpider
from spiders.remotewlb import RemoteWLBSpider
from spiders.remotive import RemotiveSpider
from spiders.weworkremotely import WeWorkRemotelySpider
from spiders.workingnomads import WorkingNomadsSpider

REMOTE_ONLY = (RemoteOKSpider, WeWorkRemotelySpider, RemotiveSpider, HimalayasSpider, JobicySpider, WorkingNomadsSpider)
REMOTE = {"workplace": "remote"}


def normalised(location: str | None, title: str = "Backend Engineer", defaults=REMOTE):
    raw = RawPosting(source="board", url="https://board.example/1", source_id="1", title=title, location_raw=location)
    return normalise_posting(raw, defaults)


def test_remote_only_boards_declare_remote_and_others_do_not():
    for spider in REMOTE_ONLY:
        assert spider.item_defaults == REMOTE, spider.name
    # RemoteWLB lists hybrid and office jobs too ("hybrid team, working in office at least 2 days per
    # week"); the ATS and general boards are not remote-only either.
    for spider in (RemoteWLBSpider, ArbeitnowSpider, GreenhouseSpider):
        assert not getattr(spider, "item_defaults", None), spider.name


def test_default_fills_only_where_the_posting_is_silent():
    assert normalised(None).workplace == "remote"
    us_only = normalised("US only")
    assert (us_only.workplace, us_only.countries, us_only.worldwide) == ("remote", ["US"], False)
    assert normalised("Hybrid - London").workplace == "hybrid"
    assert normalised("Hybrid or Remote").workplace == "hybrid"
    assert normalised("Remote, Canada").workplace == "remote"
    # Without defaults the same posting stays unknown: the default is the board's, not a guess.
    assert normalised("US only", defaults=None).workplace == "unknown"


def test_a_title_that_says_hybrid_or_on_site_wins():
    assert normalised("San Francisco, CA", title="Software Engineer II (Hybrid - San Francisco)").workplace == "hybrid"
    assert normalised("Austin", title="Field Technician - On-site").workplace == "onsite"
    # "Hybrid" as a topic is no workplace.
    assert title_workplace("Hybrid Cloud Engineer") is None
    assert normalised("Germany", title="Hybrid Cloud Engineer").workplace == "remote"


def test_a_default_for_a_field_postings_lack_is_refused():
    with pytest.raises(ItemDefaultsError, match="workplce"):
        check_item_defaults({"workplce": "remote"})


# The recorded captures of the six boards are crawled through the pipeline in test_boards_api.py and
# test_boards_feeds_ats.py (test_remote_only_boards_come_out_remote): all 201 postings are remote.
