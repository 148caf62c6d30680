"""`aggregator discover`: ATS boards recognised in stored apply URLs, listed and added to the config."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator import repository
from aggregator.cli import main
from aggregator.db import make_engine, upgrade_to_head
from aggregator.discover import Board, add_boards, board_of, configured_boards, count_boards
from aggregator.items import NormalisedPosting


@pytest.mark.parametrize(
    "url, board",
    [
        ("https://boards.greenhouse.io/gitlab/jobs/8565469002", Board("greenhouse", "gitlab")),
        ("https://job-boards.eu.greenhouse.io/acme/jobs/1?gh_src=x", Board("greenhouse", "acme")),
        ("https://boards.greenhouse.io/embed/job_app?for=stripe&token=5", Board("greenhouse", "stripe")),
        ("https://jobs.lever.co/matchgroup/3414ba28-35f7/apply", Board("lever", "matchgroup")),
        ("https://jobs.eu.lever.co/acme/u-1", Board("lever", "acme")),
        ("https://jobs.ashbyhq.com/linear/9c5e/application", Board("ashby", "linear")),
        ("https://apply.workable.com/bg-prevent/j/E2C96AB706/", Board("workable", "bg-prevent")),
        ("https://acme.workable.com/jobs/123", Board("workable", "acme")),
        ("https://jobs.smartrecruiters.com/HireVue/744000138728139-data", Board("smartrecruiters", "HireVue")),
        ("https://jobs.acme.recruitee.com/o/dev", None),
        ("https://acme.recruitee.com/o/dev/c/new", Board("recruitee", "acme")),
        ("https://acme.jobs.personio.de/job/2140231", Board("personio", "acme.jobs.personio.de")),
        ("https://acme.teamtailor.com/jobs/7167985-account-executive", Board("teamtailor", "acme")),
        ("https://acme.bamboohr.com/careers/86", Board("bamboohr", "acme")),
        ("https://gdit.wd5.myworkdayjobs.com/en-US/External_Career_Site/job/USA-DC/Data-Engineer_RQ1",
         Board("workday", "gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site")),
        ("https://apply.workable.com/j/401786A940", None),  # a short link names no account
        ("https://careers.acme.com/jobs/1", None),
        ("mailto:jobs@acme.com", None),
        (None, None),
    ],
)  # fmt: skip
def test_ats_url_shapes(url, board):
    assert board_of(url) == board


def test_configured_boards_are_not_discovered_again():
    configured = configured_boards({"greenhouse": {"boards": "gitlab,Stripe=Stripe Inc"},
                                    "personio": {"boards": "acme"}})  # fmt: skip
    urls = ["https://boards.greenhouse.io/gitlab/jobs/1", "https://boards.greenhouse.io/stripe/jobs/2",
            "https://jobs.lever.co/acme/1", "https://jobs.lever.co/acme/2",
            "https://acme.jobs.personio.com/job/3"]  # fmt: skip
    assert count_boards(urls, configured) == {Board("lever", "acme"): 2}


def test_add_boards_keeps_comments_and_appends_tokens(tmp_path):
    path = tmp_path / "aggregator.toml"
    path.write_text('# my config\ncron = "0 2 * * *"  # nightly\n\n[boards.greenhouse]\n'
                    'arguments = { boards = "gitlab" } # tokens\n', encoding="utf-8")  # fmt: skip
    found = [Board("greenhouse", "stripe"), Board("lever", "acme"), Board("greenhouse", "gitlab")]
    assert add_boards(path, found) == 2
    written = path.read_text(encoding="utf-8")
    assert written.startswith('# my config\ncron = "0 2 * * *"  # nightly')
    assert 'boards = "gitlab,stripe" } # tokens' in written
    assert "[boards.lever]" in written and 'boards = "acme"' in written
    assert add_boards(path, found) == 0  # idempotent


def _posting(key: str, apply_url: str | None) -> NormalisedPosting:
    return NormalisedPosting(source="remoteok", source_id=key, source_key=key, url=f"https://remoteok.com/{key}",
                             title="Engineer", company="Acme", apply_url=apply_url, description_text="x")  # fmt: skip


def test_cli_lists_unconfigured_boards_and_adds_them(database_url, tmp_path, monkeypatch, capsys):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    postings = [_posting("1", "https://jobs.lever.co/acme/1"), _posting("2", "https://jobs.lever.co/acme/2"),
                _posting("3", "https://boards.greenhouse.io/gitlab/jobs/3"), _posting("4", "https://acme.test/apply"),
                _posting("5", None)]  # fmt: skip
    repository.upsert_postings(engine, postings, None, seen_at=datetime(2026, 5, 1, tzinfo=UTC))
    engine.dispose()
    config = tmp_path / "aggregator.toml"
    config.write_text('# keep me\n[boards.greenhouse]\narguments = { boards = "gitlab" }\n', encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_url)
    assert main(["--config", str(config), "discover"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ats", "board", "postings"] and out[1].split() == ["lever", "acme", "2"]
    assert len(out) == 2 and "[boards.lever]" not in config.read_text(encoding="utf-8")
    assert main(["--config", str(config), "discover", "--add"]) == 0
    written = config.read_text(encoding="utf-8")
    assert written.startswith("# keep me") and "[boards.lever]" in written and 'boards = "acme"' in written
    assert main(["--config", str(config), "discover"]) == 0
    assert "no unconfigured ATS boards" in capsys.readouterr().out
