"""What a crawl's writer process runs (aggregator.serial_writer): a batch of postings with their
jobs, a reject, the repair of postings left without a job. Each returns what it did or the
database's error, never raises: the crawl's process counts it in its stats.

Nothing here imports Scrapy: the writer process loads only the database (migrated by the crawl's
process before its first write, so not alembic either) and the dedup. The crawl's process imports
this module too (to name the work it hands over), so the dedup (numpy, the word lists) is imported
where the work runs, not at the top: the crawl's process never loads it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from aggregator import repository
from aggregator.db import database_migrated_by_crawl
from aggregator.items import NormalisedPosting, PostingSeen
from aggregator.long_lived import load_for_life
from aggregator.repository import database_error
from aggregator.storable import make_storable

logger = logging.getLogger(__name__)


def refuses_everything(error: BaseException) -> bool:
    """The database itself failed (read-only file, full disk, lost connection), not one posting's
    values: splitting the batch would only fail again, posting by posting."""
    return isinstance(error, (OperationalError, InterfaceError))


@dataclass
class StoreOutcome:
    """What writing one batch did, counted in the writer process and added to the crawl's stats on
    the reactor thread (Scrapy's stats are not shared between threads)."""

    stats: Counter = field(default_factory=Counter)
    error: str | None = None


def prepare_writer(database_url: str) -> None:
    """Open the database and load the matcher's models, before the first batch arrives."""
    from aggregator.dedup import load_word_lists_and_models

    load_for_life(lambda: database_migrated_by_crawl(database_url), load_word_lists_and_models)


def store_batch(database_url: str, batch: list[NormalisedPosting], seen: list[PostingSeen], run_id) -> StoreOutcome:
    outcome = StoreOutcome()
    try:
        _store_into(database_migrated_by_crawl(database_url).engine, outcome, batch, seen, run_id)
    except Exception as error:  # noqa: BLE001 - a bug here must fail the run, not vanish in the writer
        logger.exception("the store failed on a batch of %d postings", len(batch) + len(seen))
        _failed(outcome, len(batch) + len(seen), error)
    return outcome


def _store_into(engine, outcome: StoreOutcome, batch: list[NormalisedPosting], seen: list[PostingSeen], run_id):
    if batch:
        for posting in batch:
            for fix, count in make_storable(posting).items():
                outcome.stats[f"aggregator/store/cleaned/{fix}"] += count
        _write(engine, batch, run_id, outcome)
    by_source: dict[str, list[str]] = {}
    for item in seen:
        by_source.setdefault(item.source, []).append(item.listed_url)
    for source, urls in by_source.items():
        try:
            touched = repository.touch_listed(engine, source, urls, run_id)
        except SQLAlchemyError as error:
            _failed(outcome, len(urls), error)
        else:
            outcome.stats["aggregator/items_unchanged"] += touched


def repair_unassigned(database_url: str, source: str) -> StoreOutcome:
    from aggregator.job_assignment import assign_jobs

    outcome = StoreOutcome()
    try:
        repaired = assign_jobs(database_migrated_by_crawl(database_url).engine, [], source=source)
    except SQLAlchemyError as error:
        _failed(outcome, 0, error)
    else:
        outcome.stats["aggregator/jobs/repaired"] += repaired.new_jobs + repaired.joined
    return outcome


def _write(engine, batch: list[NormalisedPosting], run_id, outcome: StoreOutcome) -> None:
    from aggregator.job_assignment import store_with_jobs

    try:
        counts, assigned = store_with_jobs(engine, batch, run_id)
    except (SQLAlchemyError, ValueError) as error:
        if len(batch) > 1 and not refuses_everything(error):
            middle = len(batch) // 2
            _write(engine, batch[:middle], run_id, outcome)
            _write(engine, batch[middle:], run_id, outcome)
        else:
            _not_stored(engine, batch, error, run_id, outcome)
        return
    outcome.stats["aggregator/items_new"] += counts.new
    outcome.stats["aggregator/items_updated"] += counts.updated
    outcome.stats["aggregator/items_unchanged"] += counts.unchanged
    outcome.stats["aggregator/jobs/new"] += assigned.new_jobs
    outcome.stats["aggregator/jobs/joined"] += assigned.joined


def _not_stored(engine, batch: list[NormalisedPosting], error: BaseException, run_id, outcome: StoreOutcome) -> None:
    """Each posting the database would not take becomes a reject with the database's reason."""
    reason = f"the database refused to store it: {database_error(error)}"
    _failed(outcome, len(batch), error)
    try:
        repository.add_rejects(
            engine,
            run_id=run_id,
            spider=batch[0].source,
            rejects=[(posting.url, "store", reason, posting.raw) for posting in batch],
        )
    except SQLAlchemyError as reject_error:
        # Not even a reject could be written: the run's status carries the error instead.
        outcome.stats["aggregator/store/lost"] += len(batch)
        logger.error("%d postings lost: %s", len(batch), database_error(reject_error))
    else:
        outcome.stats["aggregator/rejected"] += len(batch)
        outcome.stats["aggregator/store/rejected"] += len(batch)


def _failed(outcome: StoreOutcome, count: int, error: BaseException) -> None:
    message = database_error(error)
    logger.error("could not store %d postings: %s", count, message)
    outcome.stats["aggregator/store/failed"] += count
    if outcome.error is None:
        outcome.error = message


def write_reject(
    database_url: str, run_id: int | None, spider_name: str, url, stage: str, reason: str, payload, close_gone: bool
) -> str | None:
    """In the writer process: the reject, and the posting closed when its page is gone. Returns the
    database's error, if any."""
    try:
        engine = database_migrated_by_crawl(database_url).engine
        repository.add_reject(
            engine, run_id=run_id, spider=spider_name, url=url, stage=stage, reason=reason, payload=payload
        )
        if close_gone:
            repository.close_gone(engine, spider_name, url)
    except Exception as error:  # noqa: BLE001 - whatever the cause, the run's status says so
        message = database_error(error)
        logger.error("could not store the reject of %s: %s", url, message)
        return message
    return None
