"""parse_location: a board's free-text location string → Location."""

from __future__ import annotations

import functools
import re

from aggregator.normalise.location.gazetteer import _gazetteer
from aggregator.normalise.location.matching import (
    _AMP_RE,
    _EMEA_RE,
    _PREFIX_RE,
    _REGIONAL_INDICATOR_RE,
    _TAG_FLAG_RE,
    _UKI_RE,
    _match,
    _tokenise,
)
from aggregator.normalise.location.resolve import _PLACE_KINDS, _fix_wordlike_codes, _mark_exclusions, _resolve
from aggregator.normalise.location.vocabulary import _OFFICE_WORDS, UNKNOWN, Location
from aggregator.normalise.vocab import strip_accents, workplace_from_words

# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def _prepare(raw: str) -> tuple[str, str, set[str], set[str]]:
    """Strip the board prefix, pull out flag emoji; returns (prefix, text, countries, regions)."""
    text = raw.strip()
    prefix = ""
    m = _PREFIX_RE.match(text)
    if m:
        prefix = m.group(1).lower().replace("-", "")
        text = text[m.end() :]
    countries: set[str] = set()
    regions: set[str] = set()
    gaz = _gazetteer()

    def flag(m: re.Match[str]) -> str:
        letters = "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in m.group())
        if letters == "EU":
            regions.add("EU")
        elif letters == "UK":
            countries.add("GB")
        elif letters in gaz.alpha2:
            countries.add(letters)
        return " | "

    def tag_flag(m: re.Match[str]) -> str:
        tag = "".join(chr(ord(ch) - 0xE0000) for ch in m.group(1))
        if tag[:2].upper() in gaz.alpha2:
            countries.add(tag[:2].upper())
        return " | "

    text = _REGIONAL_INDICATOR_RE.sub(flag, text)
    text = _TAG_FLAG_RE.sub(tag_flag, text)
    text = _UKI_RE.sub(" UK and Ireland ", text)
    text = _EMEA_RE.sub("EMEA", text)
    text = _AMP_RE.sub(" and ", text)
    return prefix, strip_accents(text), countries, regions


def parse_location(raw: str | None) -> Location:
    """Normalise a free-text job location (see LOCATION-SPEC.md).

    Results are memoised: job boards repeat the same few location strings many times.
    """
    if raw is None:
        return UNKNOWN
    if not isinstance(raw, str):
        raw = str(raw)
    if not raw.strip():
        return UNKNOWN
    return _parse_cached(raw)


@functools.lru_cache(maxsize=16384)
def _parse_cached(raw: str) -> Location:
    return _parse(raw)


def _parse(raw: str) -> Location:
    gaz = _gazetteer()
    prefix, text, countries, regions = _prepare(raw)
    toks = _tokenise(text)
    items = _match(gaz, toks)
    _fix_wordlike_codes(gaz, toks, items)
    _mark_exclusions(toks, items)
    countries |= _resolve(gaz, toks, items)
    for item in items:
        if item.kind == "REGION" and not item.excluded:
            regions.update(item.values)

    kinds = {it.kind for it in items}
    substantive = [it for it in items if it.kind not in ("FILLER", "CONJ")]
    bare_global = bool(substantive) and all(it.kind == "GLOBAL" for it in substantive)

    words = workplace_from_words(text)
    if prefix == "hybrid" or words == "hybrid":
        workplace = "hybrid"
    elif prefix == "remote" or words == "remote" or bare_global:
        workplace = "remote"
    elif prefix == "onsite" or words == "onsite":
        workplace = "onsite"
    else:
        workplace = "unknown"

    worldwide = False
    if workplace == "remote" and not countries and not regions and "TZ" not in kinds:
        live_places = [it for it in items if it.kind in _PLACE_KINDS and not it.excluded]
        if not live_places:
            if "GLOBAL" in kinds:
                worldwide = True
            else:
                # only remote wording, filler and exclusions ("Remote (Non-US)") left
                others = [it for it in items if it.kind not in ("REMOTE", "FILLER", "CONJ", "EXCL") and not it.excluded]
                tied = "CONJ" in kinds and (
                    any(it.kind == "FILLER" and it.key in _OFFICE_WORDS for it in items) or bool(others)
                )
                worldwide = not others and not tied
    return Location(workplace, worldwide, tuple(sorted(countries)), tuple(sorted(regions)))
