"""What a record's source says beside the record: the one context of every board's extractor.

Every board module in ``aggregator/extract/`` exposes ``extract(record, context) -> RawPosting | None``
(docs/adding-a-board.md). A board reads only the fields it needs and ignores the rest; the spider's
hook builds the context from its response (``JobSpider.context``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    url: str | None = None  # the page, feed or API response the record came from
    board: str | None = None  # a company board's token as configured (ATS boards)
    company: str | None = None  # that board's company name (configured, else the board's own)
    detail: Any = None  # the posting's detail document, when the board has one and it was fetched
    # What went wrong reading the record without losing it (page extractors); the spider counts them.
    warnings: list[str] = field(default_factory=list)
