"""Deduplication through the real pipeline: a labelled month crawled by `scrapy crawl remotewlb`,
matched incrementally against the SQL-backed index, scored against the hand-labelled clusters."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import bindparam, event, select, text

from aggregator import repository
from aggregator.cli import main
from aggregator.db import make_engine
from aggregator.dedup import Matcher, PostingFingerprint, compare
from aggregator.dedup.fingerprint import WORD_ARRAYS
from aggregator.job_assignment import fingerprint_of
from aggregator.models import Posting
from bench.dedup_quality import load_clusters, pair_scores
from tests.conftest import BACKENDS, FIXTURES, fresh_database, query, run_crawl

MONTH = FIXTURES / "dedup" / "remotewlb-2025-02"  # the month without company names


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """One crawl of the month per backend, shared by the tests below (which leave it as they found it)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("month")) as url:
        result = run_crawl("remotewlb", [MONTH], url)
        assert result.returncode == 0, result.log[-3000:]
        yield url


def test_a_crawled_month_is_deduplicated_as_labelled(database_url):
    rows = query(database_url, "SELECT url, job_id, dedup_reason FROM postings")
    assert all(row["job_id"] is not None for row in rows)
    truth = load_clusters(MONTH)
    # The labels name postings by their final URL (after the board's redirects), as stored.
    predicted = {row["url"]: row["job_id"] for row in rows}
    labelled = {url: truth.get(url, url) for url in predicted}
    score, wrong, missed = pair_scores(predicted, labelled)
    assert score.precision >= 0.97, sorted(wrong)[:10]
    assert score.recall >= 0.95, sorted(missed)[:10]
    reasons = {row["dedup_reason"] for row in rows}
    assert {"new_job", "near_duplicate"} <= reasons
    jobs = query(database_url, "SELECT COUNT(*) AS n, SUM(postings_count) AS postings FROM jobs")[0]
    assert jobs["postings"] == len(rows) and jobs["n"] < len(rows)


def test_db_upgrade_renews_fingerprints_an_older_version_stored_and_keeps_the_jobs(
    database_url, monkeypatch, capsys, tmp_path
):
    before = {row["id"]: row for row in query(database_url, "SELECT id, job_id, fingerprint FROM postings")}
    keys_before = query(database_url, "SELECT posting_id, key FROM dedup_keys ORDER BY posting_id, key")
    # What an older version left behind: its own fingerprints, and keys the new lookups do not use.
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE postings SET fingerprint = :old"), {"old": json.dumps({"version": 1})})
        connection.execute(text("UPDATE dedup_keys SET key = '~' || substr(key, 2)"))
    engine.dispose()

    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_url)
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no aggregator.toml here
    assert main(["db", "upgrade"]) == 0
    assert f"renewed the dedup fingerprints of {len(before)} postings" in capsys.readouterr().out

    after = {row["id"]: row for row in query(database_url, "SELECT id, job_id, fingerprint FROM postings")}
    assert {pid: row["job_id"] for pid, row in after.items()} == {pid: row["job_id"] for pid, row in before.items()}
    assert {pid: json.loads(row["fingerprint"]) for pid, row in after.items()} == {
        pid: json.loads(row["fingerprint"]) for pid, row in before.items()
    }
    assert query(database_url, "SELECT posting_id, key FROM dedup_keys ORDER BY posting_id, key") == keys_before
    assert main(["db", "upgrade"]) == 0  # nothing left to renew
    assert "renewed" not in capsys.readouterr().out


def test_the_index_read_ahead_answers_every_lookup_as_the_tables_do_without_asking_again(database_url):
    """A batch's lookups read ahead in a few statements give what each lookup asked alone would,
    with postings added since the last flush (stale stored rows) set aside and ranked in."""
    engine = make_engine(database_url)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.connect() as connection, connection.begin():
        rows = connection.execute(select(*repository.MATCHING_COLUMNS).order_by(Posting.id)).all()
        fps = [fingerprint_of(row) for row in rows]
        batch = fps[::2]
        # Changed since stored (as a recrawled posting is): each takes the text of its neighbour.
        added = [
            dataclasses.replace(fp, posting_id=neighbour.posting_id)
            for fp, neighbour in zip(fps, fps[1::3], strict=False)
        ]
        asked, read_ahead = (repository.SqlCandidateIndex(connection, PostingFingerprint) for _ in range(2))
        for index in (asked, read_ahead):
            for fp in added:
                index.add(fp, f"job of {fp.posting_id}")
        limit = 1  # the ranking's cut decides which candidates come back
        Matcher(read_ahead, candidate_limit=limit).read_ahead(batch)

        def answers(index, fp):
            found = [
                index.by_source_id(fp.source, fp.source_id) if fp.source_id is not None else [],
                index.by_url(fp.url) if fp.url else [],
                index.by_apply_url(fp.apply_url) if fp.apply_url else [],
                index.by_band_keys(fp.lsh_keys, fp.company_key, limit),
                index.by_band_keys(fp.translation_keys, fp.company_key, limit),
            ]
            return [[(candidate.posting_id, job_id) for candidate, job_id in lookup] for lookup in found]

        expected = [answers(asked, fp) for fp in batch]
        statements.clear()
        assert [answers(read_ahead, fp) for fp in batch] == expected
        assert statements == []
        assert sum(len(lookup) for answer in expected for lookup in answer) > len(batch)  # not all empty
        connection.rollback()
    engine.dispose()


def test_only_the_index_lookups_are_planned_with_their_values(database_url):
    """On PostgreSQL each lookup of the index is planned with its values (a generic plan cached
    while dedup_keys was nearly empty is a sequential scan for good); the rest of the transaction
    (its writes, a statement per row, and the foreign-key check each row fires) keeps cached plans."""
    if not database_url.startswith("postgresql"):
        pytest.skip("plan caching is PostgreSQL's")
    engine = make_engine(database_url)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.connect() as connection, connection.begin():
        default = connection.exec_driver_sql("SHOW plan_cache_mode").scalar()
        rows = connection.execute(select(*repository.MATCHING_COLUMNS).order_by(Posting.id)).all()
        index = repository.SqlCandidateIndex(connection, PostingFingerprint)
        statements.clear()
        fps = [fingerprint_of(row) for row in rows[:25]]
        Matcher(index).read_ahead(fps)
        index.by_band_keys(fps[0].lsh_keys + ["not read ahead"], None)
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == default
        mode, lookups = default, 0
        for statement in statements:
            if statement.startswith("SET LOCAL plan_cache_mode"):
                mode = statement.rsplit("=", 1)[1].strip()
            elif statement.lstrip().startswith("SELECT"):
                lookups += 1
                assert mode == "force_custom_plan", statement
        assert lookups >= 3  # the keys, the fingerprints, and a band lookup not read ahead
        connection.rollback()
    engine.dispose()


def test_the_index_writes_a_batch_of_keys_in_one_statement_on_postgresql(database_url):
    """Not an executemany: PostgreSQL runs that as one statement per key (~26 a posting), each
    with an executor of its own. The keys written are those the fingerprints give."""
    engine = make_engine(database_url)
    writes = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, parameters, context, executemany: (
            writes.append((statement, executemany)) if statement.startswith("INSERT INTO dedup_keys") else None
        ),
    )
    with engine.connect() as connection, connection.begin():
        rows = connection.execute(select(*repository.MATCHING_COLUMNS).order_by(Posting.id).limit(30)).all()
        fps = [fingerprint_of(row) for row in rows]
        index = repository.SqlCandidateIndex(connection, PostingFingerprint)
        for fp in fps:
            index.add(fp, "job")
        index.flush()
        stored = connection.execute(
            text("SELECT posting_id, key FROM dedup_keys WHERE posting_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": [fp.posting_id for fp in fps]},
        ).all()
        assert sorted(stored) == sorted((fp.posting_id, key) for fp in fps for key in index.keys(fp))
        assert len(writes) == 1
        assert writes[0][1] is (not database_url.startswith("postgresql"))
        connection.rollback()
    engine.dispose()


def test_the_index_holds_one_read_ahead_at_a_time_and_decodes_no_candidate_it_does_not_return(database_url):
    """Reading ahead in parts keeps of an earlier part only what the next asks again (the writer's
    memory is one part's candidates, not a batch's), and a band lookup decodes a stored
    fingerprint only up to the candidates it returns."""
    engine = make_engine(database_url)
    with engine.connect() as connection, connection.begin():
        rows = connection.execute(select(*repository.MATCHING_COLUMNS).order_by(Posting.id)).all()
        fps = [fingerprint_of(row) for row in rows]
        first, second = fps[: len(fps) // 2], fps[len(fps) // 2 :]
        in_parts, alone = (repository.SqlCandidateIndex(connection, PostingFingerprint) for _ in range(2))
        Matcher(in_parts).read_ahead(first)
        Matcher(in_parts).read_ahead(second)
        Matcher(alone).read_ahead(second)
        assert in_parts._stored_records.keys() == alone._stored_records.keys()
        assert in_parts._stored_ids.keys() == alone._stored_ids.keys()

        decoded = []
        decode = alone._decode
        alone._decode = lambda *read: decoded.append(read) or decode(*read)
        limit = 1
        for fp in second:
            decoded.clear()
            found = alone.by_band_keys(fp.lsh_keys, None, limit)
            assert len(decoded) <= len(found) <= limit
        connection.rollback()
    engine.dispose()


def test_a_stored_fingerprint_is_its_record_and_apart_its_word_arrays(database_url):
    """Each posting's fingerprint is stored in two columns: the record candidates are shortlisted
    on, and the word arrays only a comparison reads. Together they are the fingerprint the
    posting has now, and read back they compare as it does."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = repository.matched_postings_after(connection, 0, 100_000)
        words = dict(connection.execute(select(Posting.id, Posting.fingerprint_words)).all())
    engine.dispose()
    assert rows
    for row in rows:
        record, stored_words = json.loads(row.fingerprint), json.loads(words[row.id])
        assert set(stored_words) == set(WORD_ARRAYS) and not set(record) & set(WORD_ARRAYS)
        now = fingerprint_of(row)
        assert record | stored_words == json.loads(json.dumps(now.to_record()))
        read_back = PostingFingerprint.from_record(record, words=lambda stored=stored_words: stored)
        assert (read_back.tokens == now.tokens).all() and (read_back.core_mask == now.core_mask).all()
        assert compare(read_back, now).same


def test_a_candidate_s_word_arrays_are_read_only_for_a_comparison(database_url):
    """Matching a batch reads every candidate's record, but the word arrays of a stored posting
    only when the matcher compares it word by word: once each, for few of those it read."""
    engine = make_engine(database_url)
    words_read = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: (
            words_read.append(statement) if "fingerprint_words" in statement else None
        ),
    )
    with engine.connect() as connection, connection.begin():
        rows = connection.execute(select(*repository.MATCHING_COLUMNS).order_by(Posting.id)).all()
        index = repository.SqlCandidateIndex(connection, PostingFingerprint)
        matcher = Matcher(index)
        # As new postings found elsewhere: no id, URL or apply link to match them by.
        fps = [
            dataclasses.replace(fingerprint_of(row), posting_id=-row.id, source_id=None, url=None, apply_url=None)
            for row in rows[:60]
        ]
        matcher.read_ahead(fps)
        matches = [matcher.match(fp) for fp in fps]
        decoded = [read[0] for read in index._stored_records.values() if read and not isinstance(read[0], str)]
        with_words = [fp for fp in decoded if "tokens" in fp.__dict__]
        connection.rollback()
    engine.dispose()
    assert any(match and match.reason == "near_duplicate" for match in matches)
    assert len(words_read) == len(with_words) > 0
    assert len(with_words) < len(decoded) / 2


def test_migration_0015_splits_the_stored_fingerprints_and_joins_them_on_the_way_down(database_url):
    """Value for value: down a revision, each record is whole again; up, it is split as before."""
    from alembic import command

    from aggregator.db import alembic_config

    def stored() -> dict[int, tuple]:
        rows = query(database_url, "SELECT id, fingerprint, fingerprint_words FROM postings")
        return {row["id"]: (json.loads(row["fingerprint"]), json.loads(row["fingerprint_words"])) for row in rows}

    before = stored()
    config = alembic_config(database_url)
    command.downgrade(config, "0014_dedup_keys_covering")
    try:
        joined = {row["id"]: json.loads(row["fingerprint"]) for row in query(database_url, "SELECT * FROM postings")}
        assert joined == {pid: record | words for pid, (record, words) in before.items()}
    finally:
        command.upgrade(config, "head")
    assert stored() == before
