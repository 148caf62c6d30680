"""Small, pure helpers for turning JSON API records into raw item strings.

APIs hand over numbers, lists and nulls where the raw item holds strings as found; these helpers
make the few readable strings the boards' structured fields call for (a salary range, a joined
list, an epoch as text) without interpreting them — parsing stays in ``aggregator.normalise``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from typing import Any

import ftfy

from aggregator.extract.page import squash
from aggregator.items import StatedSalary

# How boards name pay periods → the words the salary normaliser reads.
PERIOD_WORDS = {
    "annual": "per year",
    "annually": "per year",
    "year": "per year",
    "yearly": "per year",
    "monthly": "per month",
    "month": "per month",
    "weekly": "per week",
    "week": "per week",
    "daily": "per day",
    "day": "per day",
    "hourly": "per hour",
    "hour": "per hour",
}


def text(value: Any) -> str | None:
    """A string field with its whitespace squashed; numbers become text, anything else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return squash(value)
    return None


def unescaped(value: Any) -> str | None:
    """A plain-text field some APIs send HTML-escaped (``R&amp;D`` → ``R&D``)."""
    found = text(value)
    return squash(html.unescape(found)) if found else None


def repaired(value: Any) -> str | None:
    """Undo double-encoded UTF-8 (``WeÃ¢Â€Â™re``, ``GdaÅ\\x84sk``) and nothing else.

    ``ftfy.fix_encoding`` only reverses mis-decodings it is confident about; quotes, HTML and
    legitimate non-Latin text are left alone (``fix_text`` would also uncurl quotes).
    """
    if not isinstance(value, str):
        return None
    return ftfy.fix_encoding(value)


def number(value: Any) -> float | None:
    """A finite number from an int, float or numeric string; None for null, junk, NaN or bools."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def number_text(value: Any) -> str | None:
    """``60000`` / ``60000.0`` → ``"60000"``; ``17.5`` → ``"17.5"``."""
    found = number(value)
    if found is None:
        return None
    return str(int(found)) if found.is_integer() else f"{found:g}"


def salary_text(
    minimum: Any, maximum: Any, currency: Any = None, period: Any = None, *, say_bounds: bool = True
) -> str | None:
    """A readable raw salary from structured fields: ``"USD 60000-80000 per year"``.

    Zero, negative or missing amounts mean "not stated". One amount (or two equal ones) gives a
    single figure; a lone minimum reads "from …", a lone maximum "up to …" — unless ``say_bounds``
    is False: the ATS boards' and JSON-LD pages' twins have always shown a lone bound as the bare
    figure, and stored raw strings do not change under anyone's feet. The period is said only when
    the board states one.
    """
    low, high = number(minimum), number(maximum)
    low = low if low is not None and low > 0 else None
    high = high if high is not None and high > 0 else None
    if low is None and high is None:
        return None
    code = text(currency)
    prefix = f"{code.upper()} " if code else ""
    if low is not None and high is not None:
        low, high = min(low, high), max(low, high)
        span = number_text(low) if low == high else f"{number_text(low)}-{number_text(high)}"
        result = f"{prefix}{span}"
    elif not say_bounds:
        result = f"{prefix}{number_text(low if low is not None else high)}"
    elif low is not None:
        result = f"from {prefix}{number_text(low)}"
    else:
        result = f"up to {prefix}{number_text(high)}"
    word = text(period)
    if word:
        result = f"{result} {PERIOD_WORDS.get(word.lower(), word)}"
    return result


def pay_period(period: Any) -> str | None:
    """A board's pay-period word (``yearly``, ``per-hour-wage``, ``1 YEAR``, ``MONTH``) → ``hour``,
    ``day``, ``week``, ``month`` or ``year``; None when it names no period."""
    word = text(period)
    if not word:
        return None
    word = PERIOD_WORDS.get(word.lower(), word).lower()
    if "annual" in word:
        return "year"
    found = re.search(r"(hour|day|week|month|year)", word)
    return found.group(1) if found else None


def structured_salary(
    minimum: Any, maximum: Any, currency: Any = None, period: Any = None, *, say_bounds: bool = True
) -> tuple[StatedSalary | None, str | None]:
    """A board's numeric salary fields → the raw item's typed ``stated_salary`` and its readable
    raw twin (``salary_raw``, see ``salary_text``), from one place.

    The normaliser takes the numbers as they are — never through the string and back. Zero,
    negative or missing amounts mean "not stated": ``(None, None)`` when neither end is stated.
    """
    low, high = number(minimum), number(maximum)
    low = low if low is not None and low > 0 else None
    high = high if high is not None and high > 0 else None
    if low is None and high is None:
        return None, None
    if low is not None and high is not None and low > high:
        low, high = high, low
    code = text(currency)
    stated = StatedSalary(low, high, code.upper() if code else None, pay_period(period))
    return stated, salary_text(minimum, maximum, currency, period, say_bounds=say_bounds)


def joined(values: Any, separator: str = ", ") -> str | None:
    """A list of strings (or of ``{"name": …}`` objects) as one string; a string stays itself."""
    if isinstance(values, str):
        return text(values)
    if not isinstance(values, Iterable) or isinstance(values, dict):
        return None
    parts = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("name") or value.get("value")
        found = text(value)
        if found and found not in parts:
            parts.append(found)
    return separator.join(parts) or None


def epoch_text(value: Any) -> str | None:
    """A Unix timestamp (seconds or milliseconds) as found, as text; ISO strings pass through."""
    if isinstance(value, str):
        return squash(value)
    found = number(value)
    if found is None or found <= 0:
        return None
    return number_text(found)


def id_from_url(url: Any, pattern: str) -> str | None:
    """The first group of ``pattern`` in ``url`` (e.g. the numeric id in ``/job/go/1719512/``)."""
    if not isinstance(url, str):
        return None
    match = re.search(pattern, url)
    return match.group(1) if match else None


_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z]")


def markup(value: Any) -> str | None:
    """An HTML field as found, trimmed; HTML that was escaped once more (``&lt;p&gt;…``, seen on
    Arbeitnow) is unescaped. Blank or non-text → None."""
    if not isinstance(value, str):
        return None
    found = value.strip()
    if found and "<" not in found and _ESCAPED_TAG.search(found):
        found = html.unescape(found).strip()
    return found or None
