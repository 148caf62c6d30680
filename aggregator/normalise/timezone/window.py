"""extract_window: a posting's location, title and description → TimeZoneWindow."""

from __future__ import annotations

from aggregator.normalise.timezone.mentions import _mentions, _region_window
from aggregator.normalise.timezone.rules import (
    _FIELD_RE,
    _LIST_INTRO_RE,
    _LIST_LINES,
    _NOT_TIME_RE,
    _TIME_ZONE_FIELD_RE,
    _could_state_time,
    _is_requirement,
    _listed_zones,
    _rule,
    _sentence_window,
    _Sentences,
)
from aggregator.normalise.timezone.wording import (
    _BACK_REFERENCE_RE,
    _DESCRIPTION_RE,
    _NOT_WORKING_TIME_RE,
    _OVERLAP_HOURS_RE,
    _OVERLAP_REFERENCE_RE,
    _REGION_LIST_GAP_RE,
    _REGION_REFERENCE_RE,
    _ZONE_REFERENCE_RE,
    _says_any_time_zone,
)
from aggregator.normalise.timezone.zones import (
    _BARE_REGION_RE,
    _REGION_WINDOWS,
    MAX_OFFSET,
    MIN_OFFSET,
    TimeZoneWindow,
    _Mention,
)


def extract_window(location: str | None, title: str | None, text: str | None) -> TimeZoneWindow | None:
    """The posting's time-zone window, ``ANY`` for "any time zone", or None when it states none."""
    candidates: list[tuple[int, int, tuple[int, int], tuple[float, float], str]] = []
    any_evidence: str | None = None
    previous: list[_Mention] = []
    sentences = _Sentences(location, title, text)
    for index, (original, is_location, whole) in sentences.could_state_time():
        if not _could_state_time(original):
            continue  # most sentences: a cheap test before the expensive ones
        sentence = _NOT_TIME_RE.sub(lambda m: m.group(1) + "_time", original)
        mentions = _mentions(sentence, is_location)
        field = _TIME_ZONE_FIELD_RE.match(sentence)
        if field and not mentions:
            # "Time zone: EMEA": the value of a time-zone field is a time zone, whatever it names.
            value = sentence[field.end() :]
            mentions = [m for m in _mentions(f"{value} time zones") if m.start < len(value)]
        if _LIST_INTRO_RE.search(sentence):
            # "... engineering talent in these timezones:" followed by a list of zones or regions.
            listed = _listed_zones(sentences.after(index, _LIST_LINES))
            if listed:
                mentions = listed
        if any_evidence is None and _says_any_time_zone(sentence):
            any_evidence = original[:200]
        if not mentions and is_location:
            continue
        if not mentions and not is_location:
            reference = _OVERLAP_REFERENCE_RE.search(sentence)
            # "overlap with US-based teammates", "with both US and European teams": every region listed.
            position = reference.start("ref") if reference else -1
            while position >= 0 and (word := _BARE_REGION_RE.match(sentence, position)):
                index_ = next(int(k[1:]) for k, v in word.groupdict().items() if v)
                low, high = _REGION_WINDOWS[index_][1]
                mentions.append(_Mention(word.start(), word.end(), low, high, "region"))
                gap = _REGION_LIST_GAP_RE.match(sentence, word.end())
                position = gap.end() if gap else -1
        if not mentions and not is_location:
            # "work within the region's time zones" (the region of the location line), "must work
            # within that time zone" (the zone named just before).
            if _REGION_REFERENCE_RE.search(sentence) and _region_window(location):
                low, high = _region_window(location)
                mentions = [_Mention(0, 0, low, high, "region")]
            elif previous and _ZONE_REFERENCE_RE.search(sentence):
                mentions = list(previous)
        if not mentions:
            # "an overlap of 5 working hours is required": the reference is the zone named just before
            # (tested first, being free: most sentences come before any zone).
            if previous and _OVERLAP_HOURS_RE.search(sentence) and _is_requirement(whole, False):
                window = _sentence_window(sentence, [], previous)
                if window:
                    candidates.append((4, 1, index, window, original[:200]))
            continue
        previous = mentions
        following = next((clause for clause, _, _ in sentences.after(index, 1)), "")
        # "Our team sits between EST and EET. If you're located outside this range, ...": the next
        # sentence makes the description a requirement.
        # A clause is a requirement when its sentence is ("Employees can work in ET or CT but must ...").
        # A clause that describes the team ("Our team is in EST, but ...") stays a description.
        requirement = _is_requirement(sentence, is_location) or (
            whole != original
            and not (_DESCRIPTION_RE.search(sentence) or _NOT_WORKING_TIME_RE.search(sentence))
            and _is_requirement(whole, False)
        )
        if not (requirement or _BACK_REFERENCE_RE.search(following)):
            continue
        window = _sentence_window(sentence, mentions, [], location)
        if window is None:
            continue
        field = 0 if _FIELD_RE.match(original) else 1
        candidates.append((_rule(sentence, mentions, is_location), field, index, window, original[:200]))
    if candidates:
        # The spec's first applicable rule; then a labelled line ("Working hours: ...") over prose.
        _, _, _, (low, high), evidence = min(candidates, key=lambda c: (c[0], c[1], c[2]))
        return TimeZoneWindow(float(low), float(high), evidence)
    if any_evidence:
        return TimeZoneWindow(MIN_OFFSET, MAX_OFFSET, any_evidence)
    return None
