"""The result of salary parsing: a Salary (min, max, currency, period) and the period vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

PERIODS = ("year", "month", "week", "day", "hour")
_ANNUAL_FACTOR = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}


@dataclass(frozen=True)
class Salary:
    min: float | None
    max: float | None
    currency: str | None
    period: str | None
