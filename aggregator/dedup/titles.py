"""Titles: the level, the specialism words and the place / language / work-mode words a job
title carries, and the level a description states for its own role (spec rule 2)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from aggregator.dedup.text import SENTINEL, depunct, fold, norm_word, split_words
from aggregator.dedup.vocab import (
    LANGUAGE_NAMES,
    LEVEL_CUES,
    LEVEL_PHRASES,
    LEVEL_WORDS,
    NOISE_WORDS,
    NOT_PLACES,
    REGION_WORDS,
    ROLE_WORDS,
    STOPWORDS,
    SYNONYMS,
    gazetteer_names,
)

# Levels a text states for its role (the title's other level words — head, director, intern …
# — name other roles when a text mentions them).
_STATED = frozenset("junior mid senior senior-staff staff principal lead".split())
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Single-word and multi-word place names (folded) of the gazetteer and region words."""
    single: set[str] = set(REGION_WORDS)
    phrases: set[tuple[str, ...]] = set()
    for name in gazetteer_names():
        folded = tuple(split_words(fold(name)))
        if len(folded) > 1 and folded[0] == "the":
            folded = folded[1:]
        if not folded:
            continue
        if len(folded) == 1:
            if folded[0] not in NOT_PLACES:
                single.add(folded[0])
        else:
            phrases.add(folded)
    return frozenset(single), frozenset(phrases)


_TITLE_PREFIX = re.compile(
    r"^\s*(?:copy\s+of\s+|\d{4}-\d{2,}[_\s-]+|(?:req|job|ref)\s*[#:.]?\s*\d+\s*[-_:]\s*|"
    r"(?:urgent(?:ly)?|hiring|now hiring|we.re hiring)\s*[:!-]\s*)+",
    re.IGNORECASE,
)
_SEGMENT_SPLIT = re.compile(r"[()\[\]{}|,;:–—•·]|\s[-/]\s|\s-|-\s|/\s|\s/")


@dataclass(frozen=True)
class TitleInfo:
    """What the matcher reads from a title."""

    level: tuple[str, ...]  # sorted level tokens ("senior",), ("lead", "senior"), ("2",) …
    tokens: tuple[str, ...]  # sorted specialism tokens ("backend", "engineer", "python")
    places: tuple[str, ...]  # place / language / work-mode words that were set aside


# One call per posting: the cache serves reposts and the same title in several places, not every
# title of a crawl (that grew by ~0.5 KB a posting).
@lru_cache(maxsize=10_000)
def title_analysis(title: str | None, location: str | None = None) -> TitleInfo:
    """Level, specialism tokens and place words of a job title. ``location`` (the posting's
    location field, optional) names more places the title may mention ("- Annecy").

    >>> title_analysis("Sr. Backend Engineer (Node.js/AWS) - Remote, Germany (m/f/d)").level
    ('senior',)
    """
    if not title:
        return TitleInfo((), (), ())
    text = fold(_TITLE_PREFIX.sub(" ", title))
    place_words, place_phrases = gazetteer()
    # Asked beside the gazetteer's words, not added to a copy of them (~13k words a title).
    local: set[str] = set()
    if location:
        local = {w for w in split_words(fold(location)) if len(w) > 2 and w not in NOISE_WORDS and not w.isdigit()}
    levels: set[str] = set()
    tokens: set[str] = set()
    places: set[str] = set()
    position = 0  # words seen so far in the whole title
    for segment in _SEGMENT_SPLIT.split(text):
        words = split_words(segment)
        position += len(words)
        if not words:
            continue
        # Multi-word place names and level phrases first ("new york", "head of").
        kept: list[str] = []
        i = 0
        while i < len(words):
            for size in (4, 3, 2):
                if i + size > len(words):
                    continue
                phrase = tuple(words[i : i + size])
                if phrase in place_phrases:
                    places.add(" ".join(phrase))
                    i += size
                    break
                # "head of"; "senior / staff" (the "/" is gone from words) is two levels.
                if phrase in LEVEL_PHRASES and " ".join(phrase) in " ".join(depunct(segment).split()):
                    levels.add(LEVEL_PHRASES[phrase])
                    i += size
                    break
            else:
                kept.append(words[i])
                i += 1
        content: list[str] = []  # (raw word) of what is left
        for j, raw in enumerate(kept):
            lvl = LEVEL_WORDS.get(raw) or LEVEL_WORDS.get(SYNONYMS.get(raw, raw))
            if lvl is None and raw in _ROMAN and (j > 0 or position > len(words)):
                lvl = _ROMAN[raw]
            if lvl is None and raw.isdigit() and len(raw) == 1 and j > 0 and kept[j - 1] in ("level", "engineer"):
                lvl = raw
            if lvl is not None:
                levels.add(lvl)
            elif raw in STOPWORDS or raw in NOISE_WORDS or raw.isdigit():
                continue
            elif raw in LANGUAGE_NAMES:
                places.add(raw)
            else:
                content.append(raw)
        if content and all(w in place_words or w in local for w in content):
            places.update(content)  # a segment that is only a place: "- Munich", "(Remote, US)"
            continue
        for raw in content:
            word = norm_word(raw)
            if word not in NOISE_WORDS:
                tokens.add(word)
    return TitleInfo(tuple(sorted(levels)), tuple(sorted(tokens)), tuple(sorted(places)))


def levels_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """Rule 2. Equal level sets, or two multi-level titles that share a level
    ("Senior/Principal" ~ "Senior/Staff")."""
    sa, sb = set(a), set(b)
    if sa == sb:
        return True
    if len(sa) > 1 and len(sb) > 1 and sa & sb:
        return True
    return False


_LEVEL_CUES = LEVEL_CUES
_TEXT_LEVELS = frozenset(w for w in (*LEVEL_WORDS, *SYNONYMS) if LEVEL_WORDS.get(SYNONYMS.get(w, w)) in _STATED)
_ROLE_WORDS = ROLE_WORDS | {w for w, target in SYNONYMS.items() if target in ROLE_WORDS}


def text_level(words: Sequence[str]) -> tuple[str, ...]:
    """The level a description states for its own role ("as a senior developer",
    "Position: Senior Full-Stack Developer", "seeking a Staff Engineer")."""
    words = words[:1200]
    for i, w in enumerate(words):
        if w not in _TEXT_LEVELS:
            continue
        prev = words[i - 1] if i else SENTINEL
        if prev not in _LEVEL_CUES and prev != SENTINEL:
            continue
        if prev in ("a", "an", "our") and i > 1 and words[i - 2] not in _LEVEL_CUES:
            continue
        if any(x in _ROLE_WORDS for x in words[i + 1 : i + 6]):
            if w in ("senior", "sr") and i + 1 < len(words) and words[i + 1] == "staff":
                return ("senior-staff",)
            level = LEVEL_WORDS.get(SYNONYMS.get(w, w))
            if level:
                return (level,)
    return ()


TEXT_LEVEL_TOKENS = frozenset(v for w in _TEXT_LEVELS for v in (w, w.capitalize(), w.upper()))
