"""Tokenising a location string and matching its words and phrases against the gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aggregator.normalise.location.gazetteer import Sense, _deletes, _dominant, _Gazetteer
from aggregator.normalise.location.vocabulary import (
    _ALPHA3_STOP,
    _CITY_SOFT_STOP,
    _FUZZY_MIN_POP,
    _MIN_LOWERCASE_CITY_POP,
    _TZ_CODES,
    _TZ_UPPER,
    _UPPER_ALIASES,
)

# --------------------------------------------------------------------------------------
# Tokenising and phrase matching
# --------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_PREFIX_RE = re.compile(r"^\s*(remote|hybrid|onsite|on-site)\s*,", re.I)
_REGIONAL_INDICATOR_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_TAG_FLAG_RE = re.compile("\U0001f3f4([\U000e0061-\U000e007a]+)\U000e007f")
_UKI_RE = re.compile(r"\bU\.?K\.?\s*(?:&|and|\+)\s*I\b\.?", re.I)
_AMP_RE = re.compile(r"\s*&\s*")
_EMEA_RE = re.compile(r"\beurope\W*(?:the\s+)?middle\s+east\W*(?:and\s+|&\s*)?africa\b", re.I)


@dataclass
class _Tok:
    text: str  # folded, original case
    low: str
    bnd: int  # boundary before this token: 0 space, 1 joined by - . ' , 2 strong
    punct: str  # punctuation just before this token (whitespace removed)


@dataclass
class _Item:
    kind: str  # REMOTE GLOBAL HYBRID ONSITE FILLER CONJ EXCL TZ REGION COUNTRY ALIAS PLACE CODE WORD
    start: int
    end: int  # exclusive token index
    text: str
    key: str
    values: tuple[str, ...] = ()
    senses: list[Sense] = field(default_factory=list)
    excluded: bool = False
    result: frozenset[str] | None = None  # resolved countries
    anchor: bool = False  # explicit country-level evidence


def _tokenise(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    for m in _WORD_RE.finditer(text):
        sep = text[pos : m.start()]
        pos = m.end()
        stripped = sep.strip()
        if not toks:
            bnd = 2
        elif not stripped:
            bnd = 0
        elif set(sep) <= {"-", ".", "'"} or (stripped == "." and not sep[0].isspace()):
            bnd = 1
        else:
            bnd = 2
        word = m.group()
        toks.append(_Tok(word, word.lower(), bnd, "".join(sep.split())))
    return toks


def _span_item(gaz: _Gazetteer, toks: list[_Tok], i: int, length: int) -> _Item | None:
    span = toks[i : i + length]
    key = " ".join(t.low for t in span)
    text = " ".join(t.text for t in span)
    if length == 1:
        word = span[0].text
        if len(word) == 2 and word.isupper() and word not in ("EU", "UK", "NA"):
            if word == "US":
                return _Item("COUNTRY", i, i + 1, word, key, ("US",))
            if word in _UPPER_ALIASES:
                return _Item("ALIAS", i, i + 1, word, key, (_UPPER_ALIASES[word],))
            if word in gaz.alpha2 or word in gaz.us_states or word in gaz.ca_provinces or word in _TZ_CODES:
                return _Item("CODE", i, i + 1, word, key)
        if word.isupper() and word in _TZ_UPPER:
            return _Item("TZ", i, i + 1, word, key)
        if len(word) == 3 and word.isupper() and word in gaz.alpha3 and word not in _ALPHA3_STOP:
            return _Item("COUNTRY", i, i + 1, word, key, (gaz.alpha3[word],))
        if word.isdigit():
            return _Item("FILLER", i, i + 1, word, key)
    hit = gaz.vocab.get(key)
    if hit is not None:
        kind, values = hit
        return _Item(kind, i, i + length, text, key, values)
    senses = gaz.senses(key)
    if senses:
        first = span[0].text
        lower = first.islower()
        title = first[:1].isupper() and not (first.isupper() and len(first) > 1)

        def keep(sense: Sense) -> bool:
            if sense[0] != "city":
                return True
            if length == 1 and first.isupper() and len(first) <= 3:
                return False  # "ALV", "SFO": codes, not city names
            if key in _CITY_SOFT_STOP and not title:
                return False
            return not (lower and (sense[3] < _MIN_LOWERCASE_CITY_POP or len(key) < 4))

        kept = [s for s in senses if keep(s)]
        if kept:
            return _Item("PLACE", i, i + length, text, key, senses=kept)
    return None


def _fuzzy_item(gaz: _Gazetteer, tok: _Tok, i: int) -> _Item | None:
    """Typo tolerance ("Hyderbad", "Bengalaru"): one edit from a big city or a country."""
    word = tok.low
    if len(word) < 6 or not word.isalpha() or not tok.text[0].isupper() and not tok.text.islower():
        return None
    keys: set[str] = set()
    for variant in _deletes(word):
        keys.update(gaz.fuzzy_keys(variant))
    # "German" is not a typo of "Germany", nor "Russian" of "Russia"
    keys = {k for k in keys if not (k.startswith(word) or word.startswith(k))}
    senses = [s for k in keys for s in gaz.senses(k) if s[0] == "country" or s[3] >= _FUZZY_MIN_POP]
    if not senses:
        return None
    countries = {s[1] for s in senses if s[0] == "country"}
    if len(countries) == 1 and len(keys) == 1:
        return _Item("PLACE", i, i + 1, tok.text, word, senses=senses)
    if not countries and len(keys) == 1:
        cc, _ = _dominant(senses, next(iter(keys)))
        if cc is not None:
            return _Item("PLACE", i, i + 1, tok.text, word, senses=[s for s in senses if s[1] == cc])
    return None


def _match(gaz: _Gazetteer, toks: list[_Tok]) -> list[_Item]:
    items: list[_Item] = []
    n = len(toks)
    i = 0
    while i < n:
        limit = 1
        while limit < gaz.max_len and i + limit < n and toks[i + limit].bnd < 2:
            limit += 1
        item = None
        for length in range(limit, 0, -1):
            item = _span_item(gaz, toks, i, length)
            if item is not None:
                break
        if item is None:
            item = _fuzzy_item(gaz, toks[i], i) or _Item("WORD", i, i + 1, toks[i].text, toks[i].low)
        items.append(item)
        i = item.end
    return items
