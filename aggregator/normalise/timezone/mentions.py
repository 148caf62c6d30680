"""The zones a sentence names (mentions) and the windows they span."""

from __future__ import annotations

import re

from aggregator.normalise.timezone.wording import (
    _IN_A_ZONE_RE,
    _IST_CONTEXTS,
    _LIST_GAP_RE,
    _NOT_PLACE_HOMONYMS,
    _WORD_NUMBERS,
    _is_zone_abbreviation,
    _near_time_word,
    _number,
)
from aggregator.normalise.timezone.zones import (
    _ABBREVIATION_RE,
    _AMBIGUOUS_ABBREVIATIONS,
    _BARE_REGION_RE,
    _FOLDS_APART,
    _NAMED_RE,
    _NAMED_WORDS,
    _NAMED_ZONE_LIST,
    _OFFSET_RE,
    _OFFSET_WORDS,
    _PLACE_RE,
    _PLACE_WORDS,
    _PLACE_ZONE_LIST,
    _PLAIN_ABBREVIATIONS,
    _REGION_RE,
    _REGION_WINDOWS,
    _TRAILING_OFFSETS_RE,
    _city_zone,
    _countries,
    _iana_cities,
    _in_time_phrase,
    _Mention,
    standard_offset,
)


def _mentions(sentence: str, is_location: bool = False) -> list[_Mention]:
    """Every zone, offset and region time zone the sentence names, with its window."""
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, low: float, high: float, kind: str) -> None:
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            found.append(_Mention(start, end, low, high, kind))

    # Most sentences name no zone: a pattern runs only when a word each of its matches holds is
    # there (a few substring tests cost far less than the pattern's search).
    lowered = sentence.lower()
    exact = not _holds_any(sentence, _FOLDS_APART)

    def may_hold(words: tuple[str, ...] | None) -> bool:
        return not exact or words is None or _holds_any(lowered, words)

    offsets = may_hold(_OFFSET_WORDS)
    for match in _TRAILING_OFFSETS_RE.finditer(sentence) if offsets else ():
        first, second = _number(match["first"]), _number(match["second"])
        add(match.start(), match.end(), min(first, second), max(first, second), "offset")
    for match in _OFFSET_RE.finditer(sentence) if offsets else ():
        if match["bare"]:
            add(match.start(), match.end(), 0.0, 0.0, "zone")
            continue
        value = _number(match["sign"] + match["hours"] + (":" + match["minutes"] if match["minutes"] else ""))
        if match["tenths"]:  # "UTC+5.5" is decimal hours, "UTC+5:30" hours and minutes
            value += (1 if value >= 0 and match["sign"] == "+" else -1) * int(match["tenths"]) / 10
        add(match.start(), match.end(), value, value, "offset")
    pending = []
    for match in _ABBREVIATION_RE.finditer(sentence):
        name = match.group(1)
        if not _is_zone_abbreviation(sentence, match):
            continue
        zone = _PLAIN_ABBREVIATIONS.get(name)
        if zone is None:
            # "Remote - India (IST)": on a location line, or after "based in", only the zone fits.
            in_a_zone = name in _NOT_PLACE_HOMONYMS and (is_location or _IN_A_ZONE_RE.search(sentence[: match.start()]))
            if not (in_a_zone or _near_time_word(sentence, match.start(), match.end())):
                pending.append(match)
                continue
            zone = _AMBIGUOUS_ABBREVIATIONS[name]
        if name == "IST":
            zone = next((z for context, z in _IST_CONTEXTS if context.search(sentence)), zone)
        offset = standard_offset(zone)
        add(match.start(), match.end(), offset, offset, "zone")
    # "PST or MST": an ambiguous abbreviation listed with a zone is a zone too.
    for match in pending:
        if any(_LIST_GAP_RE.fullmatch(sentence[min(match.end(), m.end) : max(match.start(), m.start)]) for m in found):
            offset = standard_offset(_AMBIGUOUS_ABBREVIATIONS[match.group(1)])
            add(match.start(), match.end(), offset, offset, "zone")
    for match in _NAMED_RE.finditer(sentence) if may_hold(_NAMED_WORDS) else ():
        if not _near_time_word(sentence, match.start(), match.end()):
            continue
        if re.search(r"asia[\s-]*$", sentence[: match.start()], re.I):
            continue  # "Asia Pacific"
        index = next(int(k[1:]) for k, v in match.groupdict().items() if v)
        offset = standard_offset(_NAMED_ZONE_LIST[index])
        add(match.start(), match.end(), offset, offset, "zone")
    for match in _PLACE_RE.finditer(sentence) if may_hold(_PLACE_WORDS) else ():
        if not _in_time_phrase(sentence, match.start(), match.end()):
            continue
        index = next(int(k[1:]) for k, v in match.groupdict().items() if v)
        offset = standard_offset(_PLACE_ZONE_LIST[index])
        add(match.start(), match.end(), offset, offset, "zone")
    country_re, country_zones = _countries()
    for match in country_re.finditer(sentence) if country_re else ():
        if _in_time_phrase(sentence, match.start(), match.end(), context_chars=50):
            offset = standard_offset(country_zones[match.group()])
            add(match.start(), match.end(), offset, offset, "zone")
    for match in _iana_cities()[0].finditer(sentence):
        zone = _city_zone(match.group())
        if zone and _in_time_phrase(sentence, match.start(), match.end(), context_chars=50):
            offset = standard_offset(zone)
            add(match.start(), match.end(), offset, offset, "zone")
    zones = list(found)
    for match in _REGION_RE.finditer(sentence):
        # Every region word of "US and EU time zones" shares the time word at the end.
        phrase_end = match.start("what")
        for word in _BARE_REGION_RE.finditer(sentence, match.start(), phrase_end):
            index = next(int(k[1:]) for k, v in word.groupdict().items() if v)
            # "US Eastern time", "Canada (PST working hours)", "US time zones (Eastern or Central)":
            # the zones named right after the region are the window, not the whole region.
            if any(re.fullmatch(r"[\s\-(/:]*", sentence[word.end() : z.start]) for z in zones if z.start >= word.end()):
                continue
            if any(z.start > match.end() and re.fullmatch(r"\s*\(\s*", sentence[match.end() : z.start]) for z in zones):
                continue
            low, high = _REGION_WINDOWS[index][1]
            add(word.start(), word.end(), low, high, "region")
    return sorted(found, key=lambda m: m.start)


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    for word in words:  # a plain loop: any() over a generator costs more than the tests
        if word in text:
            return True
    return False


def _hull(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The smallest window holding every interval; it wraps the date line when that is narrower."""
    low, high = min(p[0] for p in points), max(p[1] for p in points)
    # Look for the largest uncovered gap going round the 24-hour circle.
    spans = sorted(points)
    merged: list[list[float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    best_gap, wrap = 24 - (high - low), None
    for (_, end), (start, _) in zip(merged, merged[1:], strict=False):
        if start - end > best_gap:
            best_gap, wrap = start - end, (start, end)
    if wrap is not None and (high - low) > 12:
        return wrap
    return low, high


def _number_word(text: str | None) -> float | None:
    if text is None:
        return None
    return float(_WORD_NUMBERS.get(text.lower(), text))


def _region_window(text: str | None) -> tuple[float, float] | None:
    word = _BARE_REGION_RE.search(text or "")
    if not word:
        return None
    return _REGION_WINDOWS[next(int(k[1:]) for k, v in word.groupdict().items() if v)][1]
