"""Dates as found → real UTC timestamps, range-checked; what cannot be read says why.

A date-only value is a whole day: as a start (``datePosted``) it is the day's first moment, as an
end (``validThrough``) its last, so a posting valid through 2024-05-31 is open all of that day.
Eight digits (``20991231``) are a compact date, never Unix seconds; other digit strings and numbers
are Unix seconds (milliseconds above 10¹¹, as some APIs send). Naive times are taken as UTC.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from dateutil import parser as dateparser

# No job board existed before 1990; a posting valid beyond 2100 is a placeholder, not a date.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

_DATE_ONLY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_END_OF_DAY = time(23, 59, 59, tzinfo=UTC)
_START_OF_DAY = time(0, 0, 0, tzinfo=UTC)
# "2024-07-01T00:00:00Z", "…T12:30:00.000+02:00": most boards' timestamps, read by the standard
# library (dateutil reads them alike, at many times the cost); dateutil reads everything else.
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True)
class DateReading:
    moment: datetime | None
    # why a value that was there could not be used: "unreadable" or "out_of_range"
    problem: str | None = None


def _day(year: int, month: int, day: int, end_of_day: bool) -> DateReading:
    try:
        found = date(year, month, day)
    except ValueError:
        return DateReading(None, "unreadable")
    return _in_range(datetime.combine(found, _END_OF_DAY if end_of_day else _START_OF_DAY))


def _in_range(moment: datetime) -> DateReading:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return DateReading(None, "out_of_range")
    return DateReading(moment.replace(microsecond=0))  # a posting's dates are not that precise


def _iso_moment(text: str | None) -> datetime | None:
    if text is None or not _ISO_MOMENT.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # "T24:00:00", a 61st second: as dateutil decides
        return None


def read_date(value: str | int | float | None, *, end_of_day: bool = False) -> DateReading:
    """``"2024-05-01"`` → 2024-05-01T00:00Z (or 23:59:59Z with ``end_of_day``);
    ``"2024-06-02T02:00:00+02:00"`` → 2024-06-02T00:00Z; ``"2025-13-45"`` → None, "unreadable"."""
    if value is None or isinstance(value, bool):
        return DateReading(None)
    text = value.strip() if isinstance(value, str) else None
    if text == "":
        return DateReading(None)
    if text is not None and (match := _COMPACT_DATE.match(text) or _DATE_ONLY.match(text)):
        return _day(*map(int, match.groups()), end_of_day)
    if isinstance(value, (int, float)) or (text is not None and text.isdigit()):
        seconds = float(value)
        if not math.isfinite(seconds):
            return DateReading(None, "unreadable")
        if abs(seconds) > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return _in_range(datetime.fromtimestamp(seconds, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return DateReading(None, "out_of_range")
    try:
        moment = _iso_moment(text) or dateparser.parse(text or str(value))
    except (ValueError, OverflowError, TypeError):
        return DateReading(None, "unreadable")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return _in_range(moment.astimezone(UTC))
    except (OverflowError, ValueError):
        return DateReading(None, "out_of_range")


def start_moment(value: str | int | float | None) -> datetime | None:
    """When something began (``datePosted``): a date-only value is its day's first moment."""
    return read_date(value).moment


def end_moment(value: str | int | float | None) -> datetime | None:
    """When something ends (``validThrough``): a date-only value is its day's last moment."""
    return read_date(value, end_of_day=True).moment
