"""Postings → jobs: each new posting joins the job it is the same opening as, or starts one.

The decision is aggregator.dedup's (pure); the candidate index and every write are the
repository's. Matching is incremental: a posting is compared with candidates found through the
indexed ``dedup_keys`` table, never with every posting.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from aggregator import repository
from aggregator.db import run_in_transaction
from aggregator.dedup import FINGERPRINT_VERSION, Matcher, PostingFingerprint, fingerprint
from aggregator.items import NormalisedPosting

# Postings matched per read-ahead of the candidate index, which holds one part's candidates at a
# time: a posting of a crawl that meets its jobs again has tens of candidates (~8 KB each decoded),
# and a whole store batch's (100 postings) held at once made most of the writer's peak memory
# (~30 MB of a 6k-posting crawl, growing with it). Smaller parts decode a shared candidate again.
_MATCH_CHUNK = 25


@dataclass
class AssignCounts:
    new_jobs: int = 0
    joined: int = 0
    refreshed: int = 0


def store_with_jobs(
    engine: Engine, postings: Sequence[NormalisedPosting], run_id: int | None
) -> tuple[repository.UpsertCounts, AssignCounts]:
    """Write a batch of postings of one board and assign each written one its job, in one
    transaction: no crash and no other crawl ever sees a posting without its job."""

    def work(connection):
        counts = repository.upsert_postings_in(connection, postings, run_id)
        return counts, assign_jobs_in(connection, counts.written_ids, source=postings[0].source)

    return run_in_transaction(engine, work)


def assign_jobs(engine: Engine, posting_ids: Iterable[int], source: str | None = None) -> AssignCounts:
    """Match the given postings (and any of ``source`` left without a job) to jobs, in one transaction."""
    posting_ids = list(posting_ids)
    # Jobs are shared between boards: two crawls may collide here, so the transaction is retried.
    return run_in_transaction(engine, lambda connection: assign_jobs_in(connection, posting_ids, source))


def assign_jobs_in(connection, posting_ids: Iterable[int], source: str | None = None) -> AssignCounts:
    """:func:`assign_jobs` inside the caller's transaction: the store writes postings and their jobs
    in one, so that no crash and no other crawl ever sees a posting without its job."""
    seen_at = repository.utcnow()
    counts = AssignCounts()
    index = repository.SqlCandidateIndex(connection, PostingFingerprint)
    matcher = Matcher(index)
    affected: set[int] = set()
    # Written together after the loop (one statement each, not one per posting); until then the
    # index answers for this batch's postings from memory, and a job this batch starts goes by a
    # provisional id: -(its place in new_jobs).
    assignments: list[tuple] = []
    renewed: list[tuple] = []
    new_jobs: list[tuple[str, str | None]] = []
    rows = repository.postings_to_match(connection, source, posting_ids)
    for start in range(0, len(rows), _MATCH_CHUNK):
        chunk = rows[start : start + _MATCH_CHUNK]
        fingerprints = [fingerprint_of(row) for row in chunk]
        matcher.read_ahead([fp for row, fp in zip(chunk, fingerprints, strict=True) if row.job_id is None])
        for row, fp in zip(chunk, fingerprints, strict=True):
            record = fp.to_record()
            if row.job_id is not None:  # a changed posting keeps its job; its fingerprint is renewed
                renewed.append((row.id, record))
                job_id = row.job_id
                counts.refreshed += 1
            elif match := matcher.match(fp):
                job_id = match.job_id
                assignments.append((row.id, job_id, match.reason, match.score, record))
                counts.joined += 1
            else:
                new_jobs.append((row.title, row.company))
                job_id = -len(new_jobs)
                assignments.append((row.id, job_id, "new_job", None, record))
                counts.new_jobs += 1
            index.add(fp, job_id, record)
            affected.add(job_id)
    created = repository.create_jobs(connection, new_jobs, seen_at)

    def real(job_id: int) -> int:
        return created[-job_id - 1] if job_id < 0 else job_id

    repository.store_fingerprints(connection, renewed)
    repository.assign_postings(connection, [(pid, real(jid), *rest) for pid, jid, *rest in assignments])
    index.flush()
    repository.refresh_jobs(connection, {real(job_id) for job_id in affected})
    return counts


def fingerprint_of(row) -> PostingFingerprint:
    """The fingerprint of a stored posting (a row of ``repository.MATCHING_COLUMNS``)."""
    # source_key, not source_id: the matcher treats its id as unique per posting, and some
    # boards (remotewlb) reuse ids; the location helps it set place names in titles aside.
    return fingerprint(
        row.id, row.source, row.source_key, row.url, row.apply_url, row.company, row.title,
        row.description_text, location=row.location_raw,
    )  # fmt: skip


def renew_stale_fingerprints(engine: Engine, batch_size: int = 500) -> int:
    """Recompute the fingerprints (and candidate keys) stored by an older version of the dedup
    (``FINGERPRINT_VERSION``), keeping every posting's job: after an upgrade, old postings are found
    by the same keys new ones are looked up with. Returns how many were renewed."""
    renewed = 0
    after_id = 0

    def work(connection) -> tuple[int, int | None]:
        rows = repository.matched_postings_after(connection, after_id, batch_size)
        index = repository.SqlCandidateIndex(connection, PostingFingerprint)
        renewed = []
        for row in rows:
            if row.fingerprint is not None and _stored_version(row.fingerprint) == FINGERPRINT_VERSION:
                continue
            fp = fingerprint_of(row)
            record = fp.to_record()
            renewed.append((row.id, record))
            index.add(fp, row.job_id, record)
        repository.store_fingerprints(connection, renewed)
        index.flush()
        return len(renewed), (rows[-1].id if rows else None)

    while True:
        count, last_id = run_in_transaction(engine, work)
        renewed += count
        if last_id is None:
            return renewed
        after_id = last_id


def _stored_version(record: str) -> int | None:
    try:
        version = json.loads(record).get("version")
    except (ValueError, AttributeError):
        return None  # unreadable: renewed like an old one
    return version if isinstance(version, int) else None
