"""Dates as ISO 8601 in UTC: a date stays a date, a date-time becomes ``…Z``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateparser

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_utc(value: str | int | float | None) -> str | None:
    """``"2024-05-01"`` stays; ``"2024-06-02T02:00:00+02:00"`` → ``"2024-06-02T00:00:00Z"``;
    epoch seconds are accepted (APIs use them); naive times are taken as UTC; junk → None."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    else:
        text = str(value).strip()
        if _DATE_ONLY.match(text):
            return text
        try:
            moment = dateparser.parse(text)
        except (ValueError, OverflowError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
