"""Values the database would refuse, made storable before they are written.

PostgreSQL refuses a NUL byte in text, NaN/Infinity in JSONB and a string longer than its
``String(n)`` column; SQLite stores NaN in JSON as a token that its own JSON functions then reject.
One such value would sink a whole batch of postings, so every posting is cleaned here first:
control characters are stripped from text, non-finite numbers dropped, and over-long identifiers
replaced by a stable hash (so that an upsert on them stays idempotent). Free text has no limit.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from typing import Any

from sqlalchemy import String

from aggregator.items import NormalisedPosting
from aggregator.models import Posting

# C0 controls except tab, newline and carriage return, DEL, and the C1 controls; lone surrogates
# (from a badly decoded page) cannot be encoded as UTF-8 at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# Length limits of the posting's String(n) columns, read from the model so that they cannot drift.
COLUMN_LIMITS: dict[str, int] = {
    column.name: column.type.length
    for column in Posting.__table__.columns
    if isinstance(column.type, String) and column.type.length
}


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value)


def fit(value: str, limit: int) -> str:
    """``value`` if it fits ``limit`` characters, else a prefix and its SHA-1: stable, so the same
    long identifier gives the same key on every crawl."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()
    return value[: max(0, limit - len(digest) - 1)] + "~" + digest[:limit]


def clean_json(value: Any, fixes: Counter | None = None) -> Any:
    """A JSON-able copy with control characters stripped from strings and NaN/±Infinity as null."""
    if isinstance(value, str):
        cleaned = clean_text(value)
        if fixes is not None and cleaned != value:
            fixes["control_characters"] += 1
        return cleaned
    if isinstance(value, float) and not math.isfinite(value):
        if fixes is not None:
            fixes["non_finite_number"] += 1
        return None
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item, fixes) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(item, fixes) for item in value]
    return value


def make_storable(posting: NormalisedPosting) -> Counter:
    """Clean ``posting`` in place; returns what was fixed (``{"control_characters": 2, …}``)."""
    fixes: Counter = Counter()
    for name, value in vars(posting).items():
        if name == "raw":
            posting.raw = clean_json(value, fixes)
        elif isinstance(value, str):
            cleaned = clean_text(value)
            if cleaned != value:
                fixes["control_characters"] += 1
            if name in COLUMN_LIMITS and len(cleaned) > COLUMN_LIMITS[name]:
                cleaned = fit(cleaned, COLUMN_LIMITS[name])
                fixes["too_long_for_column"] += 1
            setattr(posting, name, cleaned)
        elif isinstance(value, float) and not math.isfinite(value):
            setattr(posting, name, None)
            fixes["non_finite_number"] += 1
        elif isinstance(value, list):
            setattr(posting, name, clean_json(value, fixes))
    return fixes
