"""The spec's rules: sentences, which state a requirement, and the window each gives."""

from __future__ import annotations

import re

from aggregator.normalise.timezone.mentions import _hull, _mentions, _number_word, _region_window
from aggregator.normalise.timezone.wording import (
    _DESCRIPTION_RE,
    _HOURS_RE,
    _NOT_WORKING_TIME_RE,
    _ONE_BOUND_RE,
    _OVERLAP_HOURS_RE,
    _OVERLAP_RE,
    _REGION_SHIFT_RE,
    _REQUIREMENT_RE,
    _RESIDENCE_RE,
    _SENTENCE_SPLIT_RE,
    _STRONG_REQUIREMENT_RE,
    _clip,
)
from aggregator.normalise.timezone.zones import (
    _ABBREVIATION_RE,
    _TOLERANCE_RE,
    _WITHIN_RE,
    MAX_OFFSET,
    MIN_OFFSET,
    _Mention,
)


def _sentence_window(
    sentence: str, mentions: list[_Mention], context: list[_Mention], location: str | None = None
) -> tuple[float, float] | None:
    """The window one requirement sentence states (spec §4)."""
    chosen = mentions
    shift = _REGION_SHIFT_RE.search(sentence)
    named = [m for m in mentions if shift and shift.start() <= m.start < shift.end()]
    if named:
        chosen = named
    if not chosen:
        chosen = context
    if not chosen:
        return None
    low, high = _hull([(m.low, m.high) for m in chosen])
    one_bound = _ONE_BOUND_RE.search(sentence)
    if one_bound:
        region = _region_window(location) or (MIN_OFFSET, MAX_OFFSET)
        return (region[0], high) if one_bound["side"].lower() == "east" else (low, region[1])
    overlap = _OVERLAP_HOURS_RE.search(sentence)
    tolerance = _TOLERANCE_RE.search(sentence)
    within = _WITHIN_RE.search(sentence)
    if overlap:
        hours = overlap["c"] or overlap["d"] or overlap["a"]
        if hours.lower().startswith("a "):
            value = 3.0  # "a few hours" (spec §4.3)
        else:
            value = _number_word(hours)
            if overlap["b"] and not (overlap["c"] or overlap["d"]):
                value = min(value, float(overlap["b"]))  # "4-5 hours": the most permissive
        if overlap["week"]:
            value /= 5
        widen = max(0.0, 8 - value)
        return _clip(low - widen), _clip(high + widen)
    if tolerance:
        widen = float(tolerance["n"] or tolerance["pm"])
        return _clip(low - widen), _clip(high + widen)
    if within:
        widen = max(_number_word(within["n"] or within["n2"]), _number_word(within["a"] or within["a2"]) or 0)
        return _clip(low - widen), _clip(high + widen)
    return low, high


def _rule(sentence: str, mentions: list[_Mention], is_location: bool) -> int:
    """Spec §2.3: 1 explicit range or tolerance, 2 residence, 3 hours, 4 overlap."""
    offsets = {(m.low, m.high) for m in mentions if m.kind == "offset"}
    if len(offsets) >= 2 or _TOLERANCE_RE.search(sentence) or _WITHIN_RE.search(sentence):
        return 1
    if is_location or _RESIDENCE_RE.search(sentence):
        return 2
    if _OVERLAP_RE.search(sentence) and not _HOURS_RE.search(sentence.split("overlap")[0]):
        return 4
    return 3


def _sentences(location: str | None, title: str | None, text: str | None) -> list[tuple[str, bool, str]]:
    """(clause, is a location or title line, the whole sentence the clause belongs to)."""
    lines: list[tuple[str, bool, str]] = []
    for line in (location, title):
        if line and line.strip():
            lines.append((" ".join(line.split()), True, " ".join(line.split())))
    for chunk in _SENTENCE_SPLIT_RE.split(text or ""):
        chunk = " ".join(chunk.split())
        for clause in _CLAUSE_SPLIT_RE.split(chunk):
            if clause and clause.strip():
                lines.append((clause.strip(), False, chunk))
    return lines


# Each clause of "Although you should be available during east coast hours, this role also requires
# collaboration with India (IST)" or "live in Eastern or Central but work East Coast hours" states
# its own rule (residence, hours, overlap); the spec's rule order then decides between them.
_CLAUSE_SPLIT_RE = re.compile(r"^((?:although|though|while|whilst)\b[^,]{10,200}),\s+|,?\s+but\s+", re.I)


_TIME_ZONE_FIELD_RE = re.compile(
    r"^[\W_]*(?:(?:preferred|required|working)\s+)?time[\s-]*zones?"
    r"(?:\s+(?:requirements?|preferences?|required|preferred|restrictions?))?\s*[:\-–]\s*",
    re.I,
)
_LIST_INTRO_RE = re.compile(r"time[\s-]*zones?\s*:\s*$|timezones?\s*:\s*$", re.I)
_LIST_LINES = 6


def _listed_zones(lines: list[tuple[str, bool]]) -> list[_Mention]:
    """The zones and regions of the short lines that follow a list introduction."""
    found: list[_Mention] = []
    for line, is_location, _ in lines:
        line = line.lstrip("*-\u2022 ")
        if is_location or len(line.split()) > _FRAGMENT_WORDS:
            break
        # Each item is a time zone by its place in the list: "North/South America" means its zones.
        found += [m for m in _mentions(f"{line} time zones") if m.start < len(line)]
    return found


# Every rule needs one of these words (or a zone abbreviation): plain substring tests, because
# they run on every sentence of every posting.
_GATE_WORDS = ("time", "zone", "hour", "shift", "schedule", "work day", "workday", "morning", "afternoon", "standard",
               "daylight", "utc", "gmt", "overlap", "±", "+/-", "difference", "between", "wherever", "tz", "horari",
               "fuseau", "zeitzone", "horá", "hora", "heure", "arbeitszeit")  # fmt: skip
_CLOCK_RE = re.compile(r"\d\s*[ap]\.?m", re.I)


def _could_state_time(sentence: str) -> bool:
    """False when no rule below can find anything in the sentence."""
    lowered = sentence.lower()
    return (
        any(word in lowered for word in _GATE_WORDS)
        or bool(_ABBREVIATION_RE.search(sentence))
        or bool(_CLOCK_RE.search(sentence))
    )


def _is_requirement(sentence: str, is_location: bool) -> bool:
    if is_location:
        return True
    if _ILLUSTRATION_RE.match(sentence):
        return False  # "For example, if you are located on the east coast, you may ..."
    if _NOT_WORKING_TIME_RE.search(sentence):
        return False
    if _DESCRIPTION_RE.search(sentence) and not _STRONG_REQUIREMENT_RE.search(sentence):
        return False
    # A bare line such as "Pacific, Hawaii or Australia time zone." under a heading is a statement too.
    if _REQUIREMENT_RE.search(sentence):
        return True
    return len(sentence.split()) <= _FRAGMENT_WORDS and not _CLAUSE_RE.search(sentence)


_FRAGMENT_WORDS = 8
_ILLUSTRATION_RE = re.compile(r"^[\W_]*(?:for\s+(?:example|instance)|e\.\s?g\.)", re.I)
# A short line with a verb or a "we" is a sentence about someone ("Our office is in Chicago (CT)").
_CLAUSE_RE = re.compile(r"\b(?:is|are|was|were|we|our|has|have|had|will)\b", re.I)
_FIELD_RE = re.compile(r"^[*_\s]*[A-Za-z][A-Za-z /&-]{2,30}:", re.I)
# "full-time" is not a time word.
_NOT_TIME_RE = re.compile(
    r"\b(full|part|half|over|first|long|real|any|some|one|next|same)[\s-]time\b(?![\s-]*zone)", re.I
)
