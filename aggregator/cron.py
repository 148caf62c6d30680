"""Cron expressions: how this project reads them (config.py checks them, scheduler.py runs them)."""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_names(field: str) -> str:
    # APScheduler 3.x counts weekdays from Monday = 0; cron counts from Sunday = 0 (and 7).
    return re.sub(r"\d+", lambda m: _WEEKDAYS[int(m.group())] if int(m.group()) <= 7 else m.group(), field)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger from a cron expression: five fields, or six with seconds first.

    Raises ValueError naming what is wrong with the expression.
    """
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(f"expected 5 cron fields (or 6 with seconds first), got {len(fields)}")
    second, minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(day_of_week),
        timezone=timezone,
    )


def check_cron(expression: str) -> None:
    """Raise ValueError when ``expression`` is not a cron expression this project can run."""
    cron_trigger(expression, "UTC")
