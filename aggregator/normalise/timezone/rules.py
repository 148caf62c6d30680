"""The spec's rules: sentences, which state a requirement, and the window each gives."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

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
    _ALL_ABBREVIATIONS,
    _TOLERANCE_RE,
    _WITHIN_RE,
    MAX_OFFSET,
    MIN_OFFSET,
    _by_first_letter,
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


class _Sentences:
    """A posting's location and title lines, then the clauses of its text, each as (clause, is a
    location or title line, the whole sentence the clause belongs to).

    A sentence is split into clauses only when read: ``could_state_time`` gives those that may pass
    ``_could_state_time`` (most sentences of a posting cannot, and splitting and testing them would
    cost most of the time), ``after`` the ones that follow a clause (a list of zones, a back
    reference). A clause's place is (sentence, clause), in text order.
    """

    def __init__(self, location: str | None, title: str | None, text: str | None) -> None:
        self._text = text or ""
        self._spans = [(0, 0)] * 2 + _sentence_spans(self._text)
        self._split: dict[int, list[tuple[str, bool, str]]] = {}
        for index, line in enumerate((location, title)):
            line = " ".join((line or "").split())
            self._split[index] = [(line, True, line)] if line else []

    def _clauses(self, index: int) -> list[tuple[str, bool, str]]:
        if index not in self._split:
            start, end = self._spans[index]
            chunk = " ".join(self._text[start:end].split())
            clauses = [clause.strip() for clause in _CLAUSE_SPLIT_RE.split(chunk) if clause and clause.strip()]
            self._split[index] = [(clause, False, chunk) for clause in clauses]
        return self._split[index]

    def could_state_time(self) -> Iterator[tuple[tuple[int, int], tuple[str, bool, str]]]:
        """(place, clause) of the lines, then of the sentences the gate's words touch."""
        wanted = [True, True] + _sentences_with_time_words(self._text, self._spans[2:])
        for index, touched in enumerate(wanted):
            if touched:
                for number, clause in enumerate(self._clauses(index)):
                    yield (index, number), clause

    def after(self, place: tuple[int, int], count: int) -> list[tuple[str, bool, str]]:
        """The ``count`` clauses after ``place`` (fewer at the end)."""
        index, number = place
        found = self._clauses(index)[number + 1 : number + 1 + count]
        while len(found) < count and index + 1 < len(self._spans):
            index += 1
            found += self._clauses(index)[: count - len(found)]
        return found


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: the pieces ``_SENTENCE_SPLIT_RE.split(text)`` would give."""
    spans, start = [], 0
    for separator in _SENTENCE_SPLIT_RE.finditer(text):
        spans.append((start, separator.start()))
        start = separator.end()
    spans.append((start, len(text)))
    return spans


def _sentences_with_time_words(text: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each sentence span: whether ``_could_state_time`` may hold for one of its clauses.

    The gate's own words, abbreviations and clocks are looked for once in the whole text (a word
    written across a run of spaces counts, as sentences squash them), so a sentence none touches
    cannot pass the gate. Never False where the gate would be True; True is checked again per clause.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter lowering to two ("İ"): positions no longer line up
        return [True] * len(spans)
    found: list[tuple[int, int]] = []
    for word in _GATE_SINGLE_WORDS:
        position = lowered.find(word)
        while position >= 0:
            found.append((position, position + len(word)))
            position = lowered.find(word, position + 1)
    for pattern, where in ((_GATE_PHRASES_RE, lowered), (_ABBREVIATIONS_ANYWHERE_RE, text), (_CLOCK_RE, text)):
        found += [match.span() for match in pattern.finditer(where)]
    starts = [start for start, _ in spans]
    wanted = [False] * len(spans)
    for start, end in found:
        index = bisect.bisect_right(starts, start) - 1  # the sentence the word starts in, and on
        while index < len(spans) and spans[index][0] < end:
            wanted[index] = True
            index += 1
    return wanted


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


def _listed_zones(lines: list[tuple[str, bool, str]]) -> list[_Mention]:
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
# The same words for a whole text: a phrase's space stands for any run of white space.
# A word holding another ("zeitzone", "horari") is left out: a word has no white space, so the
# other, found inside it, touches the same sentence.
_GATE_SINGLE_WORDS = tuple(
    word for word in _GATE_WORDS if " " not in word and not any(w != word and w in word for w in _GATE_WORDS)
)
# Each match of _ABBREVIATION_RE is one of these; without its look-arounds, a much faster scan
# (grouped by first letter, so a position fails at its first character; same order within a letter).
_ABBREVIATIONS_ANYWHERE_RE = re.compile(_by_first_letter(_ALL_ABBREVIATIONS))
_GATE_PHRASES_RE = re.compile("|".join(r"\s+".join(map(re.escape, w.split())) for w in _GATE_WORDS if " " in w))


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
