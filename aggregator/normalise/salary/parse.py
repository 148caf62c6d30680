"""parse_salary: a salary string → Salary."""

from __future__ import annotations

import functools
import re

from aggregator.normalise.salary.classify import (
    _PAY_CONTEXT_RE,
    _PAY_WORD_RE,
    _PERK_BEFORE_RE,
    _STIPEND_RE,
    _WORD_RE,
    _choose,
    _group_currency,
    _is_company_figure,
    _values,
)
from aggregator.normalise.salary.currencies import _MONTHLY_NORM
from aggregator.normalise.salary.model import Salary
from aggregator.normalise.salary.periods import _ANY_PERIOD_RE, _find_period
from aggregator.normalise.salary.tokens import _Group, _groups, _tokens

# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_MARKDOWN_ESCAPE_RE = re.compile(r"\\([-$+.,()\[\]*_~#!])")
_SWISS_DASH_RE = re.compile(r"(\d)[.,][-–—](?!\s*\d)")
_DASH_RE = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACE_RE = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


def _clean(raw: str) -> str:
    s = raw.replace("\uff5e", "~").replace("\u301c", "~")
    s = _DASH_RE.sub("-", s)
    s = _MARKDOWN_ESCAPE_RE.sub(r"\1", s)  # "\$121,755 \- \$132,713" scraped from Markdown
    s = _SWISS_DASH_RE.sub(r"\1", s)  # "95'000.-", "4.000,-": a whole amount (Swiss, Dutch, German)
    return _SPACE_RE.sub(" ", s).strip()


def _infer_period(top: float, currency: str | None) -> str:
    if currency in _MONTHLY_NORM and 1000 <= top < 40000:
        return "month"
    if top >= 10000:
        return "year"
    if top >= 1000:
        return "month"
    return "hour"


def parse_salary(raw: str | None) -> Salary | None:
    """Normalise a posted salary string; ``None`` when it carries no usable salary."""
    if raw is None or not isinstance(raw, str):
        return None
    return _parse_salary_text(raw)


@functools.lru_cache(maxsize=8192)  # boards repeat the same strings; Salary is immutable
def _parse_salary_text(raw: str) -> Salary | None:
    s = _clean(raw)
    if not re.search(r"\d", s):
        return None
    toks = _tokens(s)
    if not toks:
        return None
    groups = _groups(s, toks)

    candidates: list[_Group] = []
    for g in groups:
        amounts = [t.amount for t in g.tokens]
        if all(a == 0 for a in amounts):
            continue  # placeholder (zero)
        if max(amounts) <= 1:
            continue  # placeholder ($1)
        context = g.left_cut + " " + g.right_cut
        perk = _STIPEND_RE.search(context) or _PERK_BEFORE_RE.search(g.left_cut)
        if perk and not _PAY_WORD_RE.search(context):
            continue  # not salary (benefit/equipment stipend)
        candidates.append(g)
    if not candidates:
        return None
    g = _choose(candidates)
    currency = _group_currency(s, g, groups)
    if currency is None and any(t.mult_kind in ("lakh", "lpa", "crore") for t in g.tokens):
        currency = "INR"  # lakh and crore are Indian units
    if _is_company_figure(g, currency):
        return None
    values = _values(g)
    if values is None:
        return None
    lo, hi = values
    if lo == 0:
        lo = None
    if hi == 0:
        hi = None
    if lo is None and hi is None:
        return None

    bare = currency is None and not any(t.mult for t in g.tokens)
    top = max(v for v in (lo, hi) if v is not None)
    if top < 1000 and bare and not _PAY_CONTEXT_RE.search(s):
        # a small bare figure followed by a noun that is no period counts things ("3 releases a
        # week", "2 spotkania w tygodniu"), whatever period words come later
        noun = re.match(r"\s*[^\W\d_]{2,}", g.right)
        if noun and not _ANY_PERIOD_RE.match(g.right.lstrip()):
            return None

    # stated period: the group's own stretch first, then anywhere not claimed by another group
    period = None
    if any(t.lpa for t in g.tokens):
        period = "year"
    if period is None:
        a, b = g.region
        found = _find_period(s[a:b])
        if found:
            period = found[1]
    if period is None:
        masked = list(s)
        for other in groups:
            if other is g:
                continue
            a, b = other.region
            masked[a:b] = " " * (b - a)
        found = _find_period("".join(masked))
        if found:
            period = found[1]
    if period is None:
        top = max(v for v in (lo, hi) if v is not None)
        bare = currency is None and not any(t.mult for t in g.tokens)
        if top < 1000 and bare and _WORD_RE.search(s) and not _PAY_CONTEXT_RE.search(s):
            # a small bare number in words that say nothing of money ("4 time zones", "top 10"); a
            # salary field holding only figures ("25-30") or a bound ("From 85000") still reads as pay
            return None
        period = _infer_period(top, currency)
    return Salary(lo, hi, currency, period)
