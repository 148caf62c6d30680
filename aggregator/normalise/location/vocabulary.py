"""What a location string is read into (``Location``, the region vocabulary) and the hand
vocabulary the place data does not cover: remote and worldwide wording, filler, abbreviations,
time-zone words, and the thresholds of the city rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aggregator.normalise.vocab import WORKPLACE_TOKENS, strip_accents


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


_DATA = Path(__file__).parent / "data"


def _table(name: str) -> dict[str, str]:
    """A data/ file of ``key<TAB>value`` lines (``#`` starts a comment line), in file order."""
    rows = (line.split("\t", 1) for line in (_DATA / name).read_text(encoding="utf-8").splitlines())
    return {row[0]: row[1] for row in rows if len(row) == 2 and not row[0].startswith("#")}


def _codes(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(value.split()) for key, value in table.items()}


_KEY_RE = re.compile(r"[a-z0-9]+")


def _key(text: str) -> str:
    if not text.isascii():
        text = strip_accents(text)
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
_REGION_PHRASES: dict[str, tuple[str, ...]] = _codes(_table("region_phrases.tsv"))

# Country abbreviations and names that are not (or not in this form) in pycountry.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = _codes(_table("country_aliases.tsv"))
# Nicknames of US metro areas that gazetteers lack.
_PLACE_ALIASES: dict[str, str] = _table("place_aliases.tsv")
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
# Place names that are also ordinary words, and the readers that never take them for places
# (data/not_places.tsv: one list for this parser and dedup's titles).
_NOT_PLACES = {word: frozenset(readers.split()) for word, readers in _table("not_places.tsv").items()}


def not_places(reader: str) -> frozenset[str]:
    """The words ``reader`` (``location``, ``location-capitalised``, ``titles``) never takes for
    a place."""
    return frozenset(word for word, readers in _NOT_PLACES.items() if reader in readers)


# Words that are city names somewhere but in a location string are almost always
# something else ("Downtown Toronto", "Remote Hub"): never read as a city.
_CITY_STOP = not_places("location")
# English words that are also towns: read as a city only when written capitalised
# ("Reading, UK" but not "reading").
_CITY_SOFT_STOP = not_places("location-capitalised")
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
