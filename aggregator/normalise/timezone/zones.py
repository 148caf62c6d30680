"""Time-zone names → offsets: the window type, zone words, region windows, IANA cities and countries."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

MIN_OFFSET, MAX_OFFSET = -12.0, 14.0


@dataclass(frozen=True)
class TimeZoneWindow:
    tz_min: float
    tz_max: float
    evidence: str | None = None

    @property
    def is_any(self) -> bool:
        return (self.tz_min, self.tz_max) == (MIN_OFFSET, MAX_OFFSET)


ANY = TimeZoneWindow(MIN_OFFSET, MAX_OFFSET)

# --------------------------------------------------------------------------------------------
# Zone names → IANA zones (the offsets come from the tz database, never from this file)
# --------------------------------------------------------------------------------------------

# Abbreviations that name a time zone and nothing else in job postings.
_PLAIN_ABBREVIATIONS = {
    "AKST": "America/Anchorage", "AKDT": "America/Anchorage",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "MDT": "America/Denver",
    "CDT": "America/Chicago", "EST": "America/New_York", "EDT": "America/New_York",
    "BRT": "America/Sao_Paulo", "GMT": "Etc/UTC", "UTC": "Etc/UTC", "WET": "Europe/Lisbon",
    "CEST": "Europe/Paris", "EET": "Europe/Athens", "EEST": "Europe/Athens",
    "SGT": "Asia/Singapore", "PHT": "Asia/Manila", "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "AWST": "Australia/Perth", "ACST": "Australia/Darwin",
    "AEST": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
    "CST": "America/Chicago",
    # German: Mitteleuropäische / Osteuropäische (Sommer)Zeit.
    "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin", "OEZ": "Europe/Athens", "OESZ": "Europe/Athens",
}  # fmt: skip
# Abbreviations that are also other things (PT = Portugal, CT = Connecticut, MST = a protocol,
# CET = compte épargne temps, AEDT = Automated Employment Decision Tool, MSK = Amazon's Kafka,
# BST = binary search tree, HST = a Canadian sales tax): only beside a time word.
_AMBIGUOUS_ABBREVIATIONS = {
    "HST": "Pacific/Honolulu",
    "BST": "Europe/London",
    "MSK": "Europe/Moscow",
    "PT": "America/Los_Angeles", "MT": "America/Denver", "MST": "America/Denver", "CT": "America/Chicago",
    "ET": "America/New_York", "AST": "America/Halifax", "NST": "America/St_Johns",
    "ART": "America/Argentina/Buenos_Aires",
    "CET": "Europe/Paris", "IST": "Asia/Kolkata", "GST": "Asia/Dubai", "AEDT": "Australia/Sydney",
}  # fmt: skip
# Names written out; ambiguous by nature ("Pacific" ocean, "Central" team): only beside a time word.
_NAMED_ZONES = {
    r"hawaii(?:an)?": "Pacific/Honolulu", r"alaska(?:n)?": "America/Anchorage",
    r"pacific(?!\s+northwest)": "America/Los_Angeles", r"west(?:ern)?[\s-]+coast": "America/Los_Angeles",
    r"mountain": "America/Denver", r"mexic(?:o|an)\s+central": "America/Mexico_City",
    r"(?:us\s+|u\.s\.\s+)?central(?!\s+(?:and\s+)?(?:european|europe|america|asia|africa))": "America/Chicago",
    r"eastern(?!\s+europe)": "America/New_York", r"east(?:ern)?[\s-]+coast": "America/New_York",
    # "East or West Coast time zones": the first coast shares the second's "Coast".
    r"east(?=\s*(?:or|and|/|&)\s*west[\s-]+coast)": "America/New_York",
    r"west(?=\s*(?:or|and|/|&)\s*east[\s-]+coast)": "America/Los_Angeles",
    r"atlantic": "America/Halifax", r"newfoundland": "America/St_Johns",
    r"central\s+europe(?:an)?": "Europe/Paris", r"eastern\s+europe(?:an)?": "Europe/Athens",
    r"east\s+africa": "Europe/Moscow", r"gulf": "Asia/Dubai",
}  # fmt: skip
# Countries and cities name a zone only inside a time phrase ("UK time", "overlap with California",
# "a 2-hour time difference with Berlin"), never as a residence.
_PLACE_ZONES = {
    r"california|los\s+angeles": "America/Los_Angeles", r"new\s+york|toronto": "America/New_York",
    r"bras[ií]lia|buenos\s+aires": "America/Sao_Paulo",
    r"uk|british|london|irish|ireland|lisbon|portugal": "Europe/London",
    r"paris|berlin|madrid|amsterdam": "Europe/Paris", r"moscow|turkey|istanbul": "Europe/Moscow",
    r"india(?:n)?": "Asia/Kolkata", r"china|singapore|philippines?": "Asia/Shanghai", r"japan": "Asia/Tokyo",
    r"sydney|melbourne": "Australia/Sydney",
    # Hubs the IANA database does not name (it names one city per zone), written the way postings
    # name a team's office: "overlap with our San Francisco team", "Bangalore hours".
    r"san\s+francisco|bay\s+area|silicon\s+valley|seattle": "America/Los_Angeles",
    r"boston|washington,?\s+d\.?c\.?|atlanta|miami": "America/New_York",
    r"austin|dallas|houston": "America/Chicago",
    r"bangalore|bengaluru|mumbai|delhi|hyderabad|pune|chennai": "Asia/Kolkata",
    r"munich|barcelona|milan": "Europe/Paris",
}  # fmt: skip

# Region time zones (spec §4.1): employers' usage, not geography, so these are the spec's windows.
_REGION_WINDOWS = [
    (r"north\s+americ(?:a|an)|u\.?s\.?a?|united\s+states|american|us/canada", (-8.0, -5.0)),
    (r"canad(?:a|ian)", (-8.0, -3.5)),
    (r"(?:the\s+)?americas|north/south\s+america", (-8.0, -3.0)),
    (r"latam|latin\s+americ(?:a|an)|south\s+americ(?:a|an)", (-6.0, -3.0)),
    (r"emea", (0.0, 4.0)),
    (r"europe(?:an)?|eu", (0.0, 2.0)),
    (r"apac|apj|asia[\s-]pacific", (5.5, 12.0)),
    (r"anz|apac/anz", (8.0, 12.0)),
    (r"australian?|aus", (8.0, 10.0)),
]

_TIME_WORD = (
    r"time\s*-?\s*zones?|timezones?|\btz\b|\bhours?\b|\btime\b|\bshifts?\b|\bschedule\b|\bworkday\b|\bwork\s+day\b|"
    r"\bmorning\b|\bafternoon\b|\bstandard\b|\bdaylight\b|\butc\b|\bgmt\b|\d\s*(?:a\.?m\.?|p\.?m\.?)\b|\boverlap|"
    r"±|\+\s*/\s*-|\+-|"
    # The same in the other languages postings come in: "zona horaria", "fuseau horaire", "Zeitzone".
    r"zonas?\s+horarias?|husos?\s+horarios?|fuseaux?\s+horaires?|zeitzonen?|fusos?\s+hor[aá]rios?|"
    r"\bhor[aá]rios?\b|\bhoras?\b|\bheures?\b|\bhoraires?\b|\barbeitszeit(?:en)?\b|\buhrzeit\b"
)
_TIME_WORD_RE = re.compile(_TIME_WORD, re.I)


@functools.cache
def standard_offset(zone_name: str) -> float:
    """A zone's standard (winter) offset in hours, from the IANA database: EDT and EST both -5."""
    zone = ZoneInfo(zone_name)
    # The smaller of the January and July offsets: the winter offset in either hemisphere, and GMT
    # for Dublin, whose database "standard" time is the summer one (negative DST).
    offsets = [datetime(2025, month, 15, 12, tzinfo=zone).utcoffset() for month in (1, 7)]
    return min(offsets).total_seconds() / 3600


@dataclass
class _Mention:
    start: int
    end: int
    low: float
    high: float
    kind: str  # offset | zone | region | any


_SIGN = r"[+\-\u2212\u2013]"
_OFFSET_RE = re.compile(
    rf"\b(?:UTC|GMT)(?:\s*/\s*(?:UTC|GMT))?\s*(?P<sign>{_SIGN})\s*(?P<hours>\d{{1,2}})(?:[:.](?P<minutes>\d{{2}})|\.(?P<tenths>\d))?(?!\d)"
    rf"|(?P<bare>\b(?:UTC|GMT)\b)",
    re.I,
)
# "+3 / -5 UTC": signed numbers written before the UTC they belong to.
_TRAILING_OFFSETS_RE = re.compile(
    rf"(?P<first>{_SIGN}\s*\d{{1,2}}(?:[:.]\d{{2}})?)\s*(?:/|to|and|-)\s*(?P<second>{_SIGN}?\s*\d{{1,2}}(?:[:.]\d{{2}})?)"
    rf"\s*(?:UTC|GMT)\b",
    re.I,
)
# Every match of _OFFSET_RE and _TRAILING_OFFSETS_RE spells out UTC or GMT.
_OFFSET_WORDS = ("gmt", "utc")


def _by_first_letter(alternatives: list[str], not_after: str | None = None) -> str:
    """One branch per first letter, so the regex rejects most positions at their first character.

    ``not_after``: a character class the match may not follow. It is checked just after the first
    letter, as ``(?<!class.)``: a look-behind at the start would keep the engine from skipping ahead
    to the first letters (it tries a full match at every position then).
    """
    groups: dict[str, list[str]] = {}
    for alternative in sorted(alternatives, key=len, reverse=True):
        first = 2 if alternative.startswith("\\") else 1  # an escaped first character
        groups.setdefault(alternative[:first], []).append(alternative[first:])
    behind = f"(?<!{not_after}.)" if not_after else ""
    return "|".join(f"{first}{behind}(?:{'|'.join(rests)})" for first, rests in groups.items())


_ALL_ABBREVIATIONS_SET = {*_PLAIN_ABBREVIATIONS, *_AMBIGUOUS_ABBREVIATIONS}
_ALL_ABBREVIATIONS = sorted({*_PLAIN_ABBREVIATIONS, *_AMBIGUOUS_ABBREVIATIONS}, key=len, reverse=True)
_ABBREVIATION_RE = re.compile(
    "(" + _by_first_letter(_ALL_ABBREVIATIONS, not_after="[A-Za-z0-9&-]") + r")(?![A-Za-z0-9&]|-[A-Za-z])"
)
_NAMED_RE = re.compile(r"\b(?:" + "|".join(f"(?P<n{i}>{p})" for i, p in enumerate(_NAMED_ZONES)) + r")\b", re.I)
_NAMED_ZONE_LIST = list(_NAMED_ZONES.values())
_PLACE_RE = re.compile(r"\b(?:" + "|".join(f"(?P<n{i}>{p})" for i, p in enumerate(_PLACE_ZONES)) + r")\b", re.I)
_PLACE_ZONE_LIST = list(_PLACE_ZONES.values())


# Letters a case-blind regex reads as an ASCII letter that str.lower() turns into something else
# (dotless ı, long ſ, dotted İ): a substring pre-test on the lowered sentence could miss them.
_FOLDS_APART = ("ı", "ſ", "İ")
# An alternative's leading letters, after an optional group ("(?:us\s+)?central"); the quantifier
# that may follow them.
_LEADING_LETTERS_RE = re.compile(r"(?:\(\?:[^()\[\]]*\)\?)?([a-z]+)([?*{]?)")


def _top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at each ``|`` outside groups and character classes."""
    alternatives, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1  # an escaped character is never a group or a bar
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*alternatives, pattern[start:]]


def _leading_words(patterns: list[str]) -> tuple[str, ...] | None:
    """Words such that every match of one of ``patterns`` (case-blind) holds one, lower-cased: each
    alternative's leading letters, less a last letter that may be left out ("philippines?"). None
    when an alternative starts otherwise (no pre-test can be derived)."""
    words = set()
    for alternative in (a for pattern in patterns for a in _top_level_alternatives(pattern)):
        match = _LEADING_LETTERS_RE.match(alternative)
        word = match[1][:-1] if match and match[2] else match[1] if match else ""
        if not word:
            return None
        words.add(word)
    return tuple(sorted(w for w in words if not any(other in w for other in words - {w})))  # "east" does for "eastern"


# _mentions searches for named zones and places only in a sentence that holds one of these words.
_NAMED_WORDS = _leading_words(list(_NAMED_ZONES))
_PLACE_WORDS = _leading_words(list(_PLACE_ZONES))
_PLACE_TIME_RE = re.compile(
    r"^[\s'’s-]*(?:standard\s+)?(?:time|hours|business\s+hours|working\s+hours|timezone|shifts?)\b", re.I
)
# "between" is a time phrase only after a time word ("a time zone between Los Angeles and New York",
# not "Burlingame, between San Francisco and Palo Alto").
_PLACE_CONTEXT_RE = re.compile(
    r"overlap|difference|(?:time[\s-]*zones?|timezones?|hours|time)\s+(?:\w+\s+){0,2}?between", re.I
)
# "horário de Brasília", "hora de Bogotá", "the same time zone as Kyiv": the time word comes first.
_PLACE_AFTER_TIME_RE = re.compile(
    r"(?:\btime[\s-]*zones?|\btimezones?|(?:\bhor[aá]rios?|\bhoras?|\bheures?|\bfuseaux?\s+horaires?|"
    r"\bzonas?\s+horarias?|\bfusos?\s+hor[aá]rios?)(?:\s+\w+){0,2}?)\s+(?:de|del|do|da|of|as|du|d')\s*(?:la\s+|le\s+|the\s+)?$",
    re.I,
)

# Any other city of the IANA database names its zone inside a time phrase ("Chicago time", "overlap
# with Denver business hours"). Capitalised as written, so "wake time" is not Wake Island; names
# that are common words or other places ("Christmas", "Jersey" in New Jersey, Norfolk, the
# database's legacy state and compass names) are left out.
_CITY_AREAS = {"Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
_NOT_CITIES = {"North", "South", "West", "East", "Central", "Easter", "Christmas", "Midway", "Wake", "Jersey",
               "Norfolk", "Knox", "Center", "Salem", "Virgin", "Victoria", "Queensland", "Tasmania",
               "Yancowinna", "General", "Truk", "Yap", "Johnston", "Marengo", "Monticello", "Petersburg",
               "Vevay", "Beulah"}  # fmt: skip
_ACCENT_CLASSES = {"a": "[aáàâãä]", "e": "[eéèêë]", "i": "[iíìîï]", "o": "[oóòôõö]", "u": "[uúùûü]", "c": "[cç]"}


@functools.cache
def _iana_cities() -> tuple[re.Pattern, dict[str, str]]:
    zones: dict[str, str] = {}
    alternatives: list[str] = []
    for name in sorted(available_timezones()):
        area, _, rest = name.partition("/")
        city = rest.rsplit("/", 1)[-1].replace("_", " ")
        if area in _CITY_AREAS and city and not city.isupper() and city not in _NOT_CITIES:
            if city.lower() not in zones:
                zones[city.lower()] = name
                # The capital stays as written; the other letters may carry accents ("Bogotá").
                alternatives.append(
                    re.escape(city[0]) + "".join(_ACCENT_CLASSES.get(ch, re.escape(ch)) for ch in city[1:])
                )
    pattern = _by_first_letter(alternatives, not_after=r"\w")
    return re.compile(rf"(?:{pattern})(?![\w])"), zones


# Countries come from the database's own tables (iso3166.tab names, zone.tab zones): a country names a
# zone in a time phrase ("Colombia time", "Israel business hours") only when all its zones share one
# standard offset. Georgia and Chad are also a US state and a first name.
_NOT_COUNTRIES = {"Georgia", "Chad", "Jersey", "Jordan"}


def _tz_table(name: str) -> list[list[str]]:
    candidates = [Path(folder) / name for folder in TZPATH]
    try:
        candidates.insert(0, Path(str(resources.files("tzdata.zoneinfo").joinpath(name))))
    except ModuleNotFoundError:  # pragma: no cover - no tzdata package: the system database only
        pass
    for path in candidates:
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            return [line.split("\t") for line in lines if line and not line.startswith("#")]
    return []


@functools.cache
def _countries() -> tuple[re.Pattern | None, dict[str, str]]:
    zones_by_code: dict[str, list[str]] = {}
    for row in _tz_table("zone.tab"):
        if len(row) >= 3:
            zones_by_code.setdefault(row[0], []).append(row[2])
    countries: dict[str, str] = {}
    for row in _tz_table("iso3166.tab"):
        if len(row) < 2:
            continue
        name = re.sub(r"\s*\(.*\)", "", row[1]).strip()
        zones = zones_by_code.get(row[0], [])
        if zones and name not in _NOT_COUNTRIES and len({standard_offset(z) for z in zones}) == 1:
            countries[name] = zones[0]
    if not countries:
        return None, {}
    pattern = _by_first_letter([re.escape(name) for name in countries], not_after=r"\w")
    return re.compile(rf"(?:{pattern})(?![\w])"), countries


def _city_zone(text: str) -> str | None:
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _iana_cities()[1].get(folded.lower())


def _in_time_phrase(sentence: str, start: int, end: int, context_chars: int | None = None) -> bool:
    """A place inside a time phrase: "UK time", "overlap with Berlin", "horário de Brasília"."""
    before = sentence[:start] if context_chars is None else sentence[max(0, start - context_chars) : start]
    return bool(
        _PLACE_TIME_RE.match(sentence[end:])
        or _PLACE_CONTEXT_RE.search(before)
        or _PLACE_AFTER_TIME_RE.search(sentence[:start])
    )


_REGION_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(f"(?P<r{i}>{p})" for i, (p, _) in enumerate(_REGION_WINDOWS)) + r")(?![\w])"
    r"(?P<tail>[\s\-/,&()A-Za-z]{0,30}?)\b(?P<what>time\s*-?\s*zones?|timezones?|business\s+hours|working\s+hours|"
    r"work(?:ing)?\s+hours|hours|shifts?|time|schedule|business\s+day)\b",
    re.I,
)
# Region words that are a reference only inside an overlap sentence ("overlap with US-based teammates").
_BARE_REGION_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(f"(?P<r{i}>{p})" for i, (p, _) in enumerate(_REGION_WINDOWS)) + r")(?![\w])", re.I
)

_TOLERANCE_RE = re.compile(
    r"(?:±|\+\s*/\s*[-\u2212]|\+-|plus\s+or\s+minus)\s*(?P<n>\d{1,2}(?:\.\d)?)\s*(?:h\b|hours?|hrs?)?"
    r"|\(\s*\+\s*(?P<pm>\d)\s*/\s*-\s*\d\s*\)",
    re.I,
)
_WITHIN_RE = re.compile(
    r"\bwithin\s+(?:a\s+|an\s+)?(?:(?P<a>\d{1,2})\s*(?:-|to)\s*)?(?P<n>\d{1,2}|one|two|three|four|five|six)[\s-]*"
    r"(?:hours?|hrs?|time[\s-]*zones?)\b(?:\s+time[\s-]*zone)?(?:\s+(?:time\s+)?difference)?\s+(?:of|from)\b"
    r"|\b(?:(?P<a2>\d{1,2})\s*(?:-|to)\s*)?(?P<n2>\d{1,2})[\s-]*(?:hours?|hrs?)\s+(?:of\s+)?(?:time\s*(?:zone\s*)?)?"
    r"difference\b",
    re.I,
)
