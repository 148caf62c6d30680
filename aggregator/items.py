"""The two item contracts.

``RawPosting`` is what a spider found, strings as found (``*_raw`` where a value is parsed later);
``NormalisedPosting`` is what the store writes. Extraction produces the first, the normalise
pipeline turns it into the second.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class StatedSalary:
    """Pay a board states in structured fields (an API's min/max/currency/period), as typed values.

    Amounts are positive numbers with ``min <= max`` (either may be missing); ``currency`` is the
    code as the board gives it, upper-cased; ``period`` is ``hour``/``day``/``week``/``month``/``year``
    or None when the board names none. Built by ``aggregator.extract.api_fields.structured_salary``,
    which also writes the readable raw twin (``salary_raw``); the normaliser takes these numbers as
    they are, never through the string.
    """

    min: float | None
    max: float | None
    currency: str | None = None
    period: str | None = None


@dataclass
class RawPosting:
    source: str
    url: str
    source_id: str | None = None
    # Identity within the board when the board's own id is not unique (default: source_id).
    source_key: str | None = None
    apply_url: str | None = None
    title: str | None = None
    company: str | None = None
    salary_raw: str | None = None
    # The same salary as typed numbers, where the board has structured salary fields.
    stated_salary: StatedSalary | None = None
    location_raw: str | None = None
    description_html: str | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    # Structured hints some boards give (schema.org JobPosting or an API), kept as found.
    employment_type_raw: Any = None
    base_salary_raw: Any = None
    job_location_type_raw: Any = None
    applicant_location_raw: Any = None
    job_location_raw: Any = None
    # How the page was fetched, for incremental recrawls (not posting content).
    listed_url: str | None = None
    sitemap_lastmod: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict(self)``; when every field is a plain string, number or None (as on
        most pages), the fields as they are: asdict's deep copy of such a value is the value."""
        values = {name: getattr(self, name) for name in _RAW_FIELD_NAMES}
        if all(type(value) in _ATOMIC_TYPES for value in values.values()):
            return values
        return dataclasses.asdict(self)


_RAW_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(RawPosting))
_ATOMIC_TYPES = frozenset({str, int, float, bool, type(None)})


# Fields whose change makes a posting "updated"; seen-times and run ids are not content.
CONTENT_FIELDS = (
    "url",
    "apply_url",
    "title",
    "company",
    "location_raw",
    "salary_raw",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "workplace",
    "worldwide",
    "countries",
    "regions",
    "tz_min",
    "tz_max",
    "employment_type",
    "seniority",
    "description_html",
    "date_posted",
    "valid_through",
)


@dataclass
class NormalisedPosting:
    source: str
    source_id: str
    source_key: str
    url: str
    title: str
    apply_url: str | None = None
    company: str | None = None
    location_raw: str | None = None
    salary_raw: str | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    salary_annual_min: float | None = None
    salary_annual_max: float | None = None
    workplace: str = "unknown"
    worldwide: bool = False
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    tz_min: float | None = None
    tz_max: float | None = None
    tz_raw: str | None = None
    employment_type: str | None = None
    seniority: str | None = None
    description_html: str | None = None
    description_text: str | None = None
    # Real UTC moments (aggregator.normalise.dates); the strings as found stay in ``raw``.
    date_posted: datetime | None = None
    valid_through: datetime | None = None
    listed_url: str | None = None
    sitemap_lastmod: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.source_key

    def content_hash(self) -> str:
        content = {name: getattr(self, name) for name in CONTENT_FIELDS}
        encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()

    def columns(self) -> dict[str, Any]:
        # A shallow copy: dataclasses.asdict deep-copies `raw`, a fifth of the store path's time.
        values = {column.name: getattr(self, column.name) for column in dataclasses.fields(self)}
        values["content_hash"] = self.content_hash()
        return values


@dataclass
class PostingSeen:
    """A known posting the board still lists, unchanged, so its page was not fetched again
    (same sitemap lastmod, or the server answered 304). The store only moves ``last_seen_at``."""

    source: str
    listed_url: str
    # The stored posting it stands for (read back when a feed export needs the full posting).
    posting_id: int | None = None
