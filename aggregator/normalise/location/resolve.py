"""Resolution: from matched places and words to countries, regions and the workplace (LOCATION-SPEC rules)."""

from __future__ import annotations

from aggregator.normalise.location.gazetteer import Sense, _dominant, _Gazetteer
from aggregator.normalise.location.matching import _Item, _Tok
from aggregator.normalise.location.vocabulary import (
    _DIRECTION_WORDS,
    _MAJOR_COUNTRY_POP,
    _MIN_BARE_CITY_POP,
    _MIN_EXTRA_CITY_POP,
    _TZ_CODES,
    _US_TERRITORY_CODES,
    _WORDLIKE_CODES,
)

# --------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------

_PLACE_KINDS = {"COUNTRY", "ALIAS", "PLACE", "CODE", "REGION"}


def _boundary(toks: list[_Tok], item: _Item) -> tuple[int, str]:
    tok = toks[item.start]
    return tok.bnd, tok.punct


def _next_boundary(toks: list[_Tok], item: _Item) -> tuple[int, str]:
    if item.end >= len(toks):
        return 2, ""
    tok = toks[item.end]
    return tok.bnd, tok.punct


def _city_senses(item: _Item) -> list[Sense]:
    return [s for s in item.senses if s[0] == "city"]


def _fix_wordlike_codes(gaz: _Gazetteer, toks: list[_Tok], items: list[_Item]) -> None:
    """OR/IN/ME... are codes only in a slot of their own or straight after a city."""
    for idx, item in enumerate(items):
        if item.kind != "CODE" or item.text not in _WORDLIKE_CODES:
            continue
        bnd, _ = _boundary(toks, item)
        prev = items[idx - 1] if idx else None
        nxt = items[idx + 1] if idx + 1 < len(items) else None
        before_ok = bnd == 2 or prev is None or prev.kind in ("CONJ", "PLACE", "WORD")
        nbnd, _ = _next_boundary(toks, item)
        after_ok = nbnd == 2 or nxt is None or (nxt.kind in ("FILLER", "CONJ") and nxt.key in ("only", "and", "or"))
        if not (before_ok and after_ok):
            vocab = gaz.vocab.get(item.key)
            item.kind = vocab[0] if vocab else "FILLER"


def _mark_exclusions(toks: list[_Tok], items: list[_Item]) -> None:
    active = False
    for item in items:
        bnd, punct = _boundary(toks, item)
        if active and bnd == 2 and set(punct) - {","}:
            active = False  # "(Non-US), Canada": the exclusion ends with its bracket or dash
        if item.kind == "EXCL":
            active = True
            continue
        if active and item.kind in _PLACE_KINDS:
            item.excluded = True


def _code_senses(gaz: _Gazetteer, code: str) -> dict[str, str]:
    """Readings of a two-letter code: kind -> country."""
    senses: dict[str, str] = {}
    if code in gaz.us_states:
        senses["state"] = "US"
    if code in _US_TERRITORY_CODES:
        senses["state"] = _US_TERRITORY_CODES[code]
    if code in gaz.ca_provinces:
        senses["province"] = "CA"
    if code in gaz.alpha2:
        senses["country"] = code
    if code in _TZ_CODES:
        senses["tz"] = ""
    return senses


def _resolve_code_after_city(gaz: _Gazetteer, code: str, prev: _Item) -> str | None:
    """'City, ST' / 'City, CC' / 'Belo Horizonte-MG': the city decides the reading."""
    cities = _city_senses(prev)
    if prev.kind == "PLACE" and cities:
        if code in gaz.us_states and any(s[1] == "US" and s[2] == code for s in cities):
            return "US"
        if code in gaz.ca_provinces and any(s[1] == "CA" and s[2] == code for s in cities):
            return "CA"
        if code == "AL" and any(s[1] == "CA" and s[2] == "AB" for s in cities):
            return "CA"
        if code in gaz.alpha2 and any(s[1] == code for s in cities):
            return code
        sub = [s for s in cities if f"{s[1]}-{code}" in gaz.subdiv_codes and s[1] not in ("US", "CA")]
        if sub:
            return max(sub, key=lambda s: s[3])[1]
        if code in gaz.us_states and code not in gaz.alpha2 and code not in gaz.ca_provinces:
            return "US"  # "Lebanon, NH": a town too small for the gazetteer
        return ""  # the city is elsewhere ("Monterrey, NL"): the code adds nothing
    if prev.kind == "PLACE":  # a state or country name before a code: "Ontario, CA"
        countries = {s[1] for s in prev.senses}
        readings = set(_code_senses(gaz, code).values())
        both = countries & readings
        if len(both) == 1:
            return next(iter(both))
        if not all(s[0] == "subdiv" for s in prev.senses):
            return None
        # a foreign subdivision name used as a town name: "Victoria, BC"
    if prev.kind in ("WORD", "PLACE") and prev.text[:1].isupper() and prev.key not in _DIRECTION_WORDS:
        # an unknown town: "Remote,Dulles, VA" -- two-letter state codes after a city are states
        if code in gaz.us_states:
            return _US_TERRITORY_CODES.get(code, "US")
        if code in gaz.ca_provinces:
            return "CA"
        if code in gaz.alpha2 and code not in _TZ_CODES:
            return code
    if prev.kind == "WORD" and prev.key in _DIRECTION_WORDS and code in gaz.us_states:
        return "US"  # "Southern CA"
    return None


def _is_list_separator(punct: str, between: list[_Item]) -> bool:
    if any(it.kind == "CONJ" for it in between):
        return True
    return any(ch in punct for ch in "/,|+&;")


def _resolve(gaz: _Gazetteer, toks: list[_Tok], items: list[_Item]) -> set[str]:
    anchors: set[str] = set()
    deferred: list[_Item] = []
    places = [it for it in items if it.kind in ("COUNTRY", "ALIAS", "PLACE", "CODE") and not it.excluded]

    def prev_place(idx: int) -> tuple[_Item | None, list[_Item]]:
        between: list[_Item] = []
        for j in range(idx - 1, -1, -1):
            if items[j].kind in ("REMOTE", "FILLER", "GLOBAL", "CONJ"):
                between.append(items[j])
                continue
            return items[j], between
        return None, between

    def next_place(idx: int) -> tuple[_Item | None, list[_Item]]:
        between: list[_Item] = []
        for j in range(idx + 1, len(items)):
            if items[j].kind in ("REMOTE", "FILLER", "GLOBAL", "CONJ"):
                between.append(items[j])
                continue
            return items[j], between
        return None, between

    # 1. explicit country-level evidence
    for item in places:
        if item.kind in ("COUNTRY", "ALIAS"):
            item.result = frozenset(item.values)
            item.anchor = True
        elif item.kind == "PLACE":
            strong = [s for s in item.senses if s[0] in ("country", "state")]
            if strong:
                ccs = {s[1] for s in strong}
                if len(ccs) == 1:
                    item.result = frozenset(ccs)
                    item.anchor = True
                else:
                    deferred.append(item)
            elif not _city_senses(item):
                ccs = {s[1] for s in item.senses}
                if len(ccs) == 1:
                    item.result = frozenset(ccs)
                    item.anchor = True
                else:
                    deferred.append(item)
            else:
                deferred.append(item)

    # 2. two-letter codes
    codes = [it for it in places if it.kind == "CODE"]
    canada_listed = any(it.text in gaz.ca_provinces and it.text != "CA" for it in codes) and (
        sum(1 for it in codes if it.text in gaz.ca_provinces or it.text == "AL") >= 2
        or any(it.result == frozenset({"CA"}) for it in places)
    )
    us_named = any(it.result == frozenset({"US"}) and it.kind != "CODE" for it in places)
    for idx, item in enumerate(items):
        if item.kind != "CODE" or item.excluded:
            continue
        prev, between = prev_place(idx)
        bnd, punct = _boundary(toks, item)
        joined = "".join(toks[it.start].punct for it in between) + punct
        conj = any(b.kind == "CONJ" for b in between)
        if prev is not None and prev.kind in ("PLACE", "WORD") and not conj:
            cc = _resolve_code_after_city(gaz, item.text, prev)
            if cc == "":
                item.result = frozenset()
                continue
            if cc is not None:
                item.result = frozenset({cc})
                item.anchor = True
                weak = _city_senses(prev) or all(s[0] == "subdiv" for s in prev.senses)
                if prev.kind == "PLACE" and (prev.result is None or weak):
                    prev.result = frozenset({cc})
                    prev.anchor = True
                    if prev in deferred:
                        deferred.remove(prev)
                continue
        senses = _code_senses(gaz, item.text)
        if canada_listed and not us_named and ("province" in senses or item.text == "AL"):
            # "ON, AL, and BC": AL in a list of provinces is Alberta; NL/PE/SK are provinces
            item.result = frozenset({"CA"})
            item.anchor = True
            continue
        if prev is not None and prev.kind in ("COUNTRY", "CODE") and prev.result and "country" in senses:
            if bnd == 1 or ":" in punct:
                listed = False  # "US-IL", "US: CA"
            elif conj or any(ch in joined for ch in "/|+;"):
                listed = True  # "US/CA", "US or CA"
            else:  # "US, CA": a state after its country, unless the code is no state there
                listed = not (
                    (prev.result == {"US"} and "state" in senses) or (prev.result == {"CA"} and "province" in senses)
                )
            if listed:
                item.result = frozenset({senses["country"]})
                item.anchor = True
                continue
        nxt, nbetween = next_place(idx)
        if nxt is not None and nxt.kind == "COUNTRY" and "country" in senses:
            npunct = "".join(toks[it.start].punct for it in nbetween) + _boundary(toks, nxt)[1]
            if "," not in npunct and _is_list_separator(npunct, nbetween):
                item.result = frozenset({senses["country"]})
                item.anchor = True
                continue
        readings = {v for k, v in senses.items() if k != "tz"}
        if len(readings) == 1 and "tz" not in senses:
            item.result = frozenset(readings)
            item.anchor = True
        else:
            deferred.append(item)
    for item in places:
        if item.anchor and item.result:
            anchors |= item.result
    canada_context = "CA" in anchors or any(
        it.kind == "CODE" and it.text in gaz.ca_provinces and it.text != "CA" for it in places
    )

    # 3. deferred readings, iterating as cities add anchors
    def candidates(item: _Item) -> set[str]:
        if item.kind == "CODE":
            senses = _code_senses(gaz, item.text)
            out = {v for k, v in senses.items() if k != "tz"}
            if item.text == "AL" and canada_context:
                out.add("CA")
            return out
        return {s[1] for s in item.senses}

    explicit = bool(anchors)
    changed = True
    while changed and deferred:
        changed = False
        for item in list(deferred):
            both = candidates(item) & anchors
            if both:
                if item.kind == "CODE" and item.text == "AL" and "CA" in both and canada_context:
                    both = {"CA"}
                item.result = frozenset(both)
                deferred.remove(item)
                changed = True
        for idx, item in enumerate(items):
            if item not in deferred or item.kind != "PLACE":
                continue
            cities = _city_senses(item)
            if not cities or any(s[0] in ("country", "state") for s in item.senses):
                continue
            cc, pop = _dominant(cities, item.key)
            if cc is None:
                continue
            allowed = pop >= _MIN_EXTRA_CITY_POP or (not explicit and pop >= _MIN_BARE_CITY_POP)
            if not allowed and pop >= _MIN_BARE_CITY_POP:
                nxt, _ = next_place(idx)
                nbnd, npunct = _boundary(toks, nxt) if nxt is not None else (0, "")
                if nxt is not None and nxt.kind in ("COUNTRY", "PLACE") and nxt.anchor and "," in npunct:
                    allowed = True  # "Germering, United Kingdom": keep both (spec data error)
            if allowed:
                item.result = frozenset({cc})
                anchors.add(cc)
                deferred.remove(item)
                changed = True
    # 4. what is left: codes that are a US state and a small country read as the state
    for item in deferred:
        if item.kind != "CODE":
            continue
        senses = _code_senses(gaz, item.text)
        if "tz" in senses:
            continue
        if "state" in senses and "country" in senses and senses["state"] == "US":
            if gaz.country_pop.get(senses["country"], 0) < _MAJOR_COUNTRY_POP and "province" not in senses:
                item.result = frozenset({"US"})
        elif "province" in senses and "country" in senses and "state" not in senses:
            item.result = frozenset({senses["country"]})
    out: set[str] = set()
    for item in places:
        if item.result:
            out |= item.result
    return out
