"""Salary figures a posting cannot mean: negative amounts and amounts beyond any real salary.

The salary parser reads figures; this says whether a parsed figure can be stored. A minus sign
written on an amount (``-$50,000``, ``USD -100000``) is a negative salary, not a range dash, and is
rejected rather than read as its absolute value. A yearly amount beyond what any employee is paid
(in the posted currency: many currencies count in thousands or millions to the US dollar) is a
placeholder or a typo, and dropped.
"""

from __future__ import annotations

import math
import re

from aggregator.normalise.salary import Salary, annualise

# A minus written on the first amount (``-$50,000``, ``$-50,000``, ``USD -100000 to -80000``): no
# figure stands before it, so it cannot be the dash of a range ("50k-80k", "$100k/yr - $150k/yr").
_NEGATIVE_AMOUNT = re.compile(r"^[^\d]*?[-−–]\s?[$€£¥₹₩₫]?\s?\d")

# Yearly ceilings in the posted currency. Currencies worth less than a cent of a US dollar
# (IDR, VND, …) or about a tenth to a hundredth (JPY, KRW, HUF, …) get ceilings to match.
CEILING = 10_000_000
CEILING_BY_CURRENCY = {
    **dict.fromkeys(("JPY", "HUF", "ISK", "KZT", "LKR", "PKR", "NGN", "CLP", "AMD", "RSD", "KES", "INR"), 2e9),
    **dict.fromkeys(("KRW", "COP", "UGX", "TZS", "MMK", "KHR", "PYG", "LAK", "IRR", "VND", "IDR", "UZS"), 1e11),
}


def salary_problem(salary_raw: str | None, salary: Salary | None) -> str | None:
    """``"negative"``, ``"implausible"`` or ``"non_finite"`` when ``salary`` must not be stored."""
    if salary is None:
        return None
    if salary_raw and _NEGATIVE_AMOUNT.search(salary_raw.strip()):
        return "negative"
    figures = [v for v in (salary.min, salary.max) if v is not None]
    if any(not math.isfinite(v) for v in figures):
        return "non_finite"
    if any(v < 0 for v in figures):
        return "negative"
    ceiling = CEILING_BY_CURRENCY.get(salary.currency or "", CEILING)
    annual = [v for v in annualise(salary) if v is not None] or figures
    if any(v > ceiling for v in annual):
        return "implausible"
    return None
