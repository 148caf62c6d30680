"""What a user types as a time zone ("UTC+2", "+2", "-5:30", "Europe/Berlin", "EST") → an offset."""

from __future__ import annotations

import functools
import re
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from aggregator.normalise.timezone.zones import _AMBIGUOUS_ABBREVIATIONS, _PLAIN_ABBREVIATIONS, standard_offset

# --------------------------------------------------------------------------------------------
# What a user types: "UTC+2", "+2", "-5:30", "Europe/Berlin", "EST"
# --------------------------------------------------------------------------------------------

_USER_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+\-\u2212]?)\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*$", re.I)


@functools.cache
def _iana_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_offset(value: str) -> float:
    """A user's offset in hours east of UTC; zone names and abbreviations give their standard offset."""
    text = value.strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return 0.0
    match = _USER_OFFSET_RE.match(text)
    if match:
        sign = -1 if match.group(1) in ("-", "\u2212") else 1
        hours = int(match.group(2)) + (int(match.group(3)) / 60 if match.group(3) else 0)
        if hours > 14:
            raise ValueError(f"not a UTC offset: {value!r} (offsets run from -12 to +14)")
        return sign * hours
    upper = text.upper()
    zone = _PLAIN_ABBREVIATIONS.get(upper) or _AMBIGUOUS_ABBREVIATIONS.get(upper) or _iana_names().get(text.lower())
    if zone is None:
        raise ValueError(f"unknown time zone {value!r}: give an offset (UTC+2, -5:30), an IANA name or an abbreviation")
    try:
        return standard_offset(zone)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - a broken tz database
        raise ValueError(f"unknown time zone {value!r}") from exc
