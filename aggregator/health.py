"""Crawl health: the verdict that catches the silent failure (a layout change, zero postings)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from aggregator.config import HealthThresholds


def judge(
    finish_reason: str | None,
    postings_seen: int,
    items_rejected: int,
    recent_postings_seen: Sequence[int],
    thresholds: HealthThresholds,
    *,
    not_stored: int = 0,
    store_error: str | None = None,
    part: bool = False,
) -> tuple[str, str | None]:
    """``("ok", None)``, ``("failed", reason)`` or ``("interrupted", reason)``.

    ``postings_seen`` counts every posting the crawl *stored* (written, or known unchanged), not
    what it scraped: ``not_stored`` postings the database would not take and its ``store_error``
    fail the run whatever else went well. ``recent_postings_seen`` is the same count for the
    board's recent successful runs. A ``part`` of a split crawl may rightly find nothing (a slice
    of one company): only the whole crawl's verdict asks for postings.
    """
    if store_error is not None:
        if not_stored:
            return "failed", f"{not_stored} postings could not be stored: {store_error}"
        return "failed", f"the database failed: {store_error}"
    if finish_reason == "shutdown":
        # A deliberate stop (SIGTERM, Ctrl-C): what was scraped is stored, but it is no verdict on the board.
        return "interrupted", "stopped by a signal (SIGTERM or Ctrl-C) before it finished"
    if finish_reason != "finished":
        return "failed", f"crawl did not finish: {finish_reason or 'no finish reason'}"
    if postings_seen == 0 and not part:
        return "failed", "no postings were scraped"
    produced = postings_seen + items_rejected
    if produced and items_rejected / produced > thresholds.max_reject_share:
        return "failed", (
            f"{items_rejected} of {produced} items rejected "
            f"({items_rejected / produced:.0%} > {thresholds.max_reject_share:.0%})"
        )
    if recent_postings_seen:
        median = statistics.median(recent_postings_seen)
        if postings_seen < median * thresholds.min_share_of_median:
            return "failed", (
                f"{postings_seen} postings, far fewer than the median {median:g} of the last "
                f"{len(recent_postings_seen)} successful runs"
            )
    return "ok", None
