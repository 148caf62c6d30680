"""Structured salaries: schema.org baseSalary, a board's stated numbers, the order they are read in, and annualising."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from aggregator.normalise.salary.amounts import _number_from_string
from aggregator.normalise.salary.currencies import _code, _symbol
from aggregator.normalise.salary.model import _ANNUAL_FACTOR, Salary
from aggregator.normalise.salary.parse import _clean, _infer_period, parse_salary
from aggregator.normalise.salary.periods import _find_period

# --- schema.org baseSalary -------------------------------------------------------------------

_UNIT_MAP = {
    "HOUR": "hour",
    "HOURLY": "hour",
    "HUR": "hour",
    "DAY": "day",
    "DAILY": "day",
    "WEEK": "week",
    "WEEKLY": "week",
    "WEE": "week",
    "MONTH": "month",
    "MONTHLY": "month",
    "MON": "month",
    "YEAR": "year",
    "YEARLY": "year",
    "ANNUAL": "year",
    "ANNUALLY": "year",
    "ANN": "year",
    "ANNUM": "year",
}


def _unit(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    key = re.sub(r"^(?:PER[_\s-]*)", "", value.strip().upper())
    return _UNIT_MAP.get(key)


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return _number_from_string(_clean(value))
    return None


def _currency_field(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    code = _code(v) or _code(v.upper())
    if code:
        return code
    sym = _symbol(v)
    return sym[0] if sym else None


def _from_amount(obj: Any, currency: str | None, unit: str | None) -> Salary | None:
    """One MonetaryAmount / QuantitativeValue / number / string."""
    if obj is None:
        return None
    if isinstance(obj, list | tuple):
        for item in obj:
            found = _from_amount(item, currency, unit)
            if found:
                return found
        return None
    if isinstance(obj, str) and obj.strip()[:1] in ("{", "["):
        try:
            decoded = json.loads(obj)  # a JSON-LD fragment kept as text
        except ValueError:
            decoded = None
        if isinstance(decoded, dict | list):
            return _from_amount(decoded, currency, unit)
    if isinstance(obj, str):
        parsed = parse_salary(obj)
        if parsed is None:
            return None
        explicit_usd = re.search(r"USD|US\$|dollar", obj, re.I)
        if currency and (parsed.currency is None or (parsed.currency == "USD" and not explicit_usd)):
            # the structured currency field beats a bare "$"
            parsed = Salary(parsed.min, parsed.max, currency, parsed.period)
        if unit and not _find_period(_clean(obj)):
            parsed = Salary(parsed.min, parsed.max, parsed.currency, unit)
        return parsed
    if isinstance(obj, int | float) and not isinstance(obj, bool):
        lo = hi = _num(obj)
        return _build(lo, hi, currency, unit)
    if not isinstance(obj, dict):
        return None
    currency = _currency_field(obj.get("currency")) or currency
    unit = _unit(obj.get("unitText")) or _unit(obj.get("unitCode")) or unit
    inner = obj.get("value")
    if isinstance(inner, dict | list | tuple) or (isinstance(inner, str) and not _num_only(inner)):
        if isinstance(inner, str):
            return _from_amount(inner, currency, unit)
        found = _from_amount(inner, currency, unit)
        if found:
            return found
    lo = _num(obj.get("minValue"))
    hi = _num(obj.get("maxValue"))
    if lo is None and hi is None and not isinstance(inner, dict | list | tuple):
        lo = hi = _num(inner)
    return _build(lo, hi, currency, unit)


def _num_only(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[\d.,'’ ]+\s*", text))


def _build(lo: float | None, hi: float | None, currency: str | None, unit: str | None) -> Salary | None:
    lo = lo if lo else None  # zero and negative placeholders are not figures
    hi = hi if hi else None
    if lo is not None and lo < 0:
        lo = None
    if hi is not None and hi < 0:
        hi = None
    if lo is None and hi is None:
        return None
    if max(v for v in (lo, hi) if v is not None) <= 1:
        return None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    top = max(v for v in (lo, hi) if v is not None)
    period = unit or _infer_period(top, currency)
    return Salary(lo, hi, currency, period)


def salary_from_base_salary(base_salary: Any) -> Salary | None:
    """schema.org JobPosting ``baseSalary`` → Salary, or None without a usable figure.

    Accepts a MonetaryAmount (``currency`` + ``value``), whose value is a QuantitativeValue
    (``minValue``/``maxValue``/``value`` + ``unitText`` HOUR/DAY/WEEK/MONTH/YEAR, or a UN/CEFACT
    ``unitCode``), a number or a string; a bare number or string; a list of any of these (the first
    usable one wins); or the same as JSON text. Strings go through :func:`parse_salary`'s number
    rules; the structured ``currency`` beats a bare ``$``; without a unit the period is inferred
    from the amount as for strings. Zero and $1 placeholders give None.
    """
    try:
        return _from_amount(base_salary, None, None)
    except (TypeError, ValueError, OverflowError):
        return None


def salary_from_stated(stated: Any) -> Salary | None:
    """A board's structured salary (:class:`aggregator.items.StatedSalary`: numbers, currency code,
    period word) → Salary, by the same rules as a ``baseSalary`` QuantitativeValue: zero and $1
    placeholders give None, a missing period is inferred from the amount."""
    if stated is None:
        return None
    return _build(_num(stated.min), _num(stated.max), _currency_field(stated.currency), _unit(stated.period))


def read_salary(stated: Any, base_salary: Any, salary_raw: str | None) -> Salary | None:
    """A raw item's salary, in the one order every caller uses: the board's structured numbers,
    then schema.org ``baseSalary``, then the string (read only when there are no numbers)."""
    return salary_from_stated(stated) or salary_from_base_salary(base_salary) or parse_salary(salary_raw)


def annualise(salary: Salary) -> tuple[float | None, float | None]:
    """Annual (min, max) in the posted currency; None where unknown."""
    factor = _ANNUAL_FACTOR.get(salary.period or "")
    if factor is None:
        return None, None

    def scale(v: float | None) -> float | None:
        return None if v is None else round(v * factor, 2)

    return scale(salary.min), scale(salary.max)
