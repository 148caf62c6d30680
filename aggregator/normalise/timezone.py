"""The window of UTC offsets a remote posting asks you to work in (labels: TIMEZONE-SPEC.md).

Pure functions: location line, title and description text in, ``TimeZoneWindow`` out. The hard
part is telling requirements ("must live in PST or MST") from mentions ("our team spans 8 time
zones", a French ``CET``, Covey's ``AEDT`` tool), so each sentence is read on its own:

1. find the zones it names (abbreviations, ``UTC+2``, "Eastern time", "US time zones", "CET ±2h");
   an ambiguous name (PT, CT, IST, "Pacific", "East Coast") counts only beside a time word;
2. keep the sentence only if it states a requirement and is not a team description, flexibility
   boilerplate or a deadline;
3. of the kept sentences, the spec's first applicable rule decides: an explicit range or
   tolerance, then where you may live, then the hours you must work, then overlap with a reference.

Each clause of a sentence ("Although ..., this role ...", "... but ...") is read on its own, and
inherits its sentence's requirement unless it describes the team.

Zones map to their standard (winter) offset, read from the IANA database through ``zoneinfo``;
cities and single-offset countries inside a time phrase ("Chicago time", "horário de Brasília",
"Israel business hours") come from the same database's zone names and ``iso3166.tab``/``zone.tab``;
windows are clipped to [-12, 14]; a set of zones that is narrower going round the date line
than across it wraps (``tz_min > tz_max``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["TimeZoneWindow", "ANY", "extract_window", "parse_offset", "standard_offset"]

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
_ALL_ABBREVIATIONS_SET = {*_PLAIN_ABBREVIATIONS, *_AMBIGUOUS_ABBREVIATIONS}
_ALL_ABBREVIATIONS = sorted({*_PLAIN_ABBREVIATIONS, *_AMBIGUOUS_ABBREVIATIONS}, key=len, reverse=True)
_ABBREVIATION_RE = re.compile(r"(?<![A-Za-z0-9&-])(" + "|".join(_ALL_ABBREVIATIONS) + r")(?![A-Za-z0-9&]|-[A-Za-z])")
_NAMED_RE = re.compile(r"\b(?:" + "|".join(f"(?P<n{i}>{p})" for i, p in enumerate(_NAMED_ZONES)) + r")\b", re.I)
_NAMED_ZONE_LIST = list(_NAMED_ZONES.values())
_PLACE_RE = re.compile(r"\b(?:" + "|".join(f"(?P<n{i}>{p})" for i, p in enumerate(_PLACE_ZONES)) + r")\b", re.I)
_PLACE_ZONE_LIST = list(_PLACE_ZONES.values())
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
    return re.compile(rf"(?<![\w])(?:{_by_first_letter(alternatives)})(?![\w])"), zones


def _by_first_letter(alternatives: list[str]) -> str:
    """One branch per first letter, so the regex rejects most positions at their first character."""
    groups: dict[str, list[str]] = {}
    for alternative in sorted(alternatives, key=len, reverse=True):
        first = 2 if alternative.startswith("\\") else 1  # an escaped first character
        groups.setdefault(alternative[:first], []).append(alternative[first:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


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
    pattern = _by_first_letter([re.escape(name) for name in countries])
    return re.compile(rf"(?<![\w])(?:{pattern})(?![\w])"), countries


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
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
# A count of hours, in digits or words ("three hours", "4h", "4 hrs").
_COUNT = r"\d{1,2}|one|two|three|four|five|six|seven|eight"
_HOURS_UNIT = r"(?:hours?|hrs?|h\b)"
_OVERLAP_HOURS_RE = re.compile(
    rf"\b(?P<a>{_COUNT}|a\s+few)(?:\s*(?:-|to|–)\s*(?P<b>\d{{1,2}}))?\+?\s*(?:working\s+|work\s+|business\s+)?"
    rf"{_HOURS_UNIT}(?P<week>\s+(?:a|per)\s+week)?\s+(?:of\s+)?(?:daily\s+|time\s*zone\s+)?overlap"
    rf"|overlap\s*:?\s+(?:of\s+)?(?:at\s+least\s+|min(?:imum\b|\.)\s*(?:of\s+)?)?(?P<c>{_COUNT})\+?\s*"
    rf"(?:working\s+)?{_HOURS_UNIT}"
    rf"|overlap\w*\b[^.]{{0,60}}?\b(?:at\s+least|a\s+minimum\s+of|minimum\s+of|for)\s+(?P<d>{_COUNT})\+?\s*{_HOURS_UNIT}",
    re.I,
)
_ANY_RE = re.compile(
    r"(?:welcome|accept|open\s+to|hire|hiring|consider)\w*\s+(?:\w+\s+){0,3}(?:from\s+|in\s+)?(?:all|any)\s+time[\s-]*zones?"
    r"|no\s+matter\s+(?:your|their|what|which)\s+time[\s-]*zones?"
    r"|(?:regardless|irrespective)\s+of\s+(?:your\s+|their\s+)?time[\s-]*zones?"
    r"|cater\w*\s+to\s+your\s+time[\s-]*zones?"
    r"|(?:any|every)\s+time[\s-]*zone\s+(?:is|works|will\s+do)"
    r"|define\s+your\s+own\s+schedule\s+and\s+work\s+from\s+wherever"
    r"|\b(?:all|any)\s+time[\s-]*zones?\s+(?:are\s+|is\s+)?(?:welcome\w*|accepted|considered|fine|ok(?:ay)?)\b"
    r"|time[\s-]*zones?\s+(?:doesn't|doesn’t|does\s+not|don't|don’t|do\s+not)\s+matter"
    r"|\bno\s+time[\s-]*zone\s+(?:restrictions?|requirements?|limitations?|constraints?)\b"
    r"|time[\s-]*zone[\s-]*(?:agnostic|independent)"
    # "your time zone is not important", "time zones don't matter", "we don't care about your time
    # zone", "location and time zone are up to you", "no matter where you are or what time zone".
    r"|time[\s-]*zones?\s+(?:is|are|does|do)\s*(?:n't|n’t|\s+not)\s+(?:matter|important|relevant|an?\s+(?:issue|problem))"
    r"|(?:don't|don’t|do\s+not)\s+care\s+(?:about\s+)?(?:your\s+|which\s+|what\s+)?time[\s-]*zones?"
    r"|time[\s-]*zones?\s+(?:is|are)\s+up\s+to\s+you"
    r"|\bno\s+matter\s+(?:\w+\s+){0,6}?(?:what|which)\s+time[\s-]*zones?"
    r"|^[\W_]*time[\s-]*zones?\s*:\s*(?:any|all|anywhere)\b"
    # "Anywhere (any timezone)", "work from anywhere, any time zone".
    r"|\banywhere\W+(?:\w+\W+){0,2}?(?:any|all)\s+time[\s-]*zones?"
    r"|\(\s*(?:any|all)\s+time[\s-]*zones?\s*\)"
    r"|(?:work|working|join\s+us|apply)\s+(?:\w+\s+){0,2}(?:from|in)\s+any\s+time[\s-]*zones?",
    re.I,
)

# What makes a sentence a requirement, and what makes it a description of the team or company.
_REQUIREMENT_RE = re.compile(
    r"\d\s*(?::\d\d\s*)?(?:a\.?m\.?|p\.?m\.?)?\s*(?:-|–|to|until)\s*\d{1,2}(?::\d\d)?\s*(?:a\.?m\.?|p\.?m\.?)|"
    r"\b(?:must|required?|requires|requirement|need(?:s|ed)?|able\s+to|ability\s+to|willing\w*|availab\w*|"
    r"expect\w*|should|candidates?|applicants?|talent|you(?:'ll|\s+will|\s+are|'re)?\s+(?:be\s+)?(?:work|live|based|located)\w*|"
    r"only|considering|consider|prefer\w*|ideally|within|between|based|located|locations?|reside|residing|live|"
    r"hours|schedule|shifts?|overlap\w*|compatib\w*|align\w*|timezone:|time\s+zone:|work(?:ing)?\s+(?:in|during|on|within)|"
    r"seeking|looking\s+for|open\s+to|accept|hir(?:e|ing)\s+(?:in|from|within)|"
    r"debe\w*|requis\w*|requerid\w*|disponib\w*|obligatori\w*|"
    # Spanish, French, German, Portuguese: "horario" (schedule), "vous devez", "müssen", "precisa"...
    r"hor[aá]rios?|horaires?|arbeitszeit(?:en)?|dev(?:ez|ra|rez|ons)|doi(?:t|vent)|exig\w*|m[üu]ss(?:en|t)?|"
    r"erforderlich|voraussetzung|precis(?:a|am|amos|o)|dev(?:e|em|erá|eria)|necess[aá]ri\w*)\b",
    re.I,
)
_STRONG_REQUIREMENT_RE = re.compile(
    r"\b(?:must|required|requirement|need\s+to|able\s+to|ability\s+to|willing\w*|candidates?|applicants?|only|within|"
    r"overlap\s+with|based\s+in|live\s+in|reside|residing|you\s+live|availability)\b",
    re.I,
)
_DESCRIPTION_RE = re.compile(
    r"\b(?:teams?|teammates|colleagues|employees|company|members|people|staff|offices|we(?:'re|\s+are|\s+have)|"
    r"finalists|engineers)\b[^.]{0,60}\b(?:across|spread|spanning|span|distributed|located|are\s+in|is\s+in)\b"
    r"|\b(?:different|multiple|various|many|several|diverse)\s+time[\s-]*zones"
    r"|\bacross\s+(?:all\s+|the\s+|multiple\s+)?(?:[A-Za-z.]+\s+){1,2}time[\s-]*zones"
    r"|\b\d+\+?\s+time[\s-]*zones|across\s+(?:all\s+)?time[\s-]*zones|most\s+of\s+(?:the|our)\s+team"
    r"|flexib\w+\s+to\s+adjust|asynchronous|async\b|temporar\w+|\[[^\]]*\]",
    re.I,
)
# Times that are not working hours (deadlines, interviews, on-call): not a window even after "must"
# ("Must be available for on-call rotations outside business hours (EST)").
_NOT_WORKING_TIME_RE = re.compile(
    r"\bdeadline|apply\s+by|applications?\s+(?:are\s+|must\s+be\s+)?(?:due|close|submitted)|\bcloses?\b|"
    r"\binterview|on[\s-]call|outside\s+(?:of\s+)?(?:normal\s+|regular\s+|standard\s+)?(?:business|working)\s+hours|"
    r"after[\s-]hours|"
    # An overlap rule for temporary work abroad (spec §2.1) is not where the job is done.
    r"\b(?:work\w*|travel\w*|stay\w*)\s+(?:\w+\s+){0,2}?(?:from\s+)?abroad\b",
    re.I,
)
_RESIDENCE_RE = re.compile(
    # "India-based members" describes people; "based in PST" is where you live.
    r"\b(?:live|living|reside|residing|(?<!-)based|located|location|candidates?\s+(?:in|from)|considering|"
    r"applicants?\s+(?:in|from|that\s+live)|you\s+can\s+be|talent\s+(?:in|from)|hir(?:e|ing)\s+(?:in|from|within))\b",
    re.I,
)
_HOURS_RE = re.compile(r"\b(?:hours|schedule|shifts?|work(?:ing)?\s+(?:in|during|on)|availab\w*)\b", re.I)
_OVERLAP_RE = re.compile(r"\boverlap", re.I)
_LIST_GAP_RE = re.compile(r"(?:\s|,|/|&|\bor\b|\band\b)+", re.I)
_BACK_REFERENCE_RE = re.compile(
    r"\boutside\s+(?:of\s+)?(?:this|these|that|those|the\s+above|our)\s+(?:time[\s-]*zones?\s*)?(?:range|window|time[\s-]*zones?|hours)",
    re.I,
)
_REGION_REFERENCE_RE = re.compile(r"\b(?:the|this|that|your|our)\s+region(?:'s|s')?\s+time[\s-]*zones?", re.I)
_ZONE_REFERENCE_RE = re.compile(r"\b(?:that|this|the\s+same|these|those)\s+time[\s-]*zones?\b(?!\s+(?:as|of)\b)", re.I)
# IST is India's unless the sentence says Israel (+2) or Ireland (Irish Standard Time, GMT in the spec).
_IST_CONTEXTS = [
    (re.compile(r"\b(?:israel\w*|tel[\s-]+aviv|jerusalem)\b", re.I), "Asia/Jerusalem"),
    (re.compile(r"\b(?:irish|ireland|dublin)\b", re.I), "Europe/London"),
]
# "based no further east than GMT+3": one bound; the other comes from the location line's region.
_ONE_BOUND_RE = re.compile(r"\bno\s+(?:further|farther)\s+(?P<side>east|west)\s+than\b", re.I)
_OVERLAP_REFERENCE_RE = re.compile(
    r"\boverlap\w*\s+(?:\w+\s+){0,3}?with\s+(?:(?:the|our|both|your)\s+)*(?P<ref>\S)", re.I
)
_REGION_LIST_GAP_RE = re.compile(r"(?:\s|,|/|&|\bor\b|\band\b)+", re.I)
# "support EMEA shifts (12 pm IST to 11 pm IST)", "UK shift (1 pm to 10 pm IST)": the schedule is
# named as a region's or a country's hours, so that is the window, not the zone of the clock.
_REGION_SHIFT_RE = re.compile(
    r"\b(?:emea|apac|us|u\.s\.|usa|european?|latam|uk|british|american|australian?)\s+(?:shifts?|hours)\b", re.I
)

_SENTENCE_SPLIT_RE = re.compile(r"\n+|(?<=[.!?;])\s+(?=[A-Z*_(\"'])|\s+[\u2022\u25cf\u25aa]\s*")


def _clip(value: float) -> float:
    return max(MIN_OFFSET, min(MAX_OFFSET, value))


def _number(text: str) -> float:
    text = text.strip().replace("\u2212", "-").replace("\u2013", "-").replace(" ", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    hours, _, minutes = text.replace(".", ":").partition(":")
    return sign * (int(hours) + (int(minutes) / 60 if minutes else 0))


# Pay rates and workloads ("$80 per hour", "20 hours per week") count hours, not the clock.
_AMOUNT_OF_HOURS_RE = re.compile(
    r"(?:\bper|\ban|/)\s*(?:hour|hr)\b|\bhours?\s+(?:per|a|each)\s+(?:week|month)\b|\bhourly\b", re.I
)


def _near_time_word(sentence: str, start: int, end: int) -> bool:
    around = _AMOUNT_OF_HOURS_RE.sub(" ", sentence[max(0, start - 40) : end + 60])
    return bool(_TIME_WORD_RE.search(around))


# "Est. 2010" (established), "PT role" / "FT/PT" (part-time): an abbreviation that is not a zone here.
_YEAR_AFTER_RE = re.compile(r"\.?\s*(?:in\s+)?(?:19|20)\d\d\b")
_PART_TIME_RE = re.compile(r"\bpart[\s_-]?time\b", re.I)  # "part_time" after _NOT_TIME_RE
_JOB_NOUN_AFTER_RE = re.compile(
    r"\s*(?:roles?|positions?|jobs?|contracts?|contractors?|employees?|employment|basis|opportunit\w+|hires?)\b", re.I
)
# PT, CT and MT are also Portugal, Connecticut and Montana: a sentence naming the place means the place.
_PLACE_HOMONYMS = {
    "PT": re.compile(r"\b(?:portug\w+|lisbo[na]|porto)\b", re.I),
    "CT": re.compile(r"\b(?:connecticut|hartford|stamford|new\s+haven)\b", re.I),
    "MT": re.compile(r"\b(?:montana|bozeman|missoula)\b", re.I),
}
# Ambiguous abbreviations whose other meanings are not places (CET the French savings account, MST
# the protocol, IST, BST...): "based in CET", "the team is in IST" can only be the zone.
_NOT_PLACE_HOMONYMS = {"CET", "IST", "BST", "MST", "GST", "HST", "MSK", "AEDT", "ART", "NST", "AST"}
_IN_A_ZONE_RE = re.compile(
    r"\b(?:based|located|live|living|reside|residing|is|are|be|sits?|work|working)\s+(?:in|within|on)\s+(?:the\s+)?$",
    re.I,
)
# GST, HST and PST are also Australian and Canadian sales taxes: "+ GST", "plus HST", "GST registered".
_SALES_TAXES = {"GST", "HST", "PST"}
_TAX_BEFORE_RE = re.compile(
    r"(?:\+|\bplus|\bincl\w*\.?|\bexcl\w*\.?|\b(?:in|ex)clusive\s+of)\s*(?:[A-Z]{3}\s*/\s*)?$", re.I
)
_TAX_AFTER_RE = re.compile(
    r"\s*(?:/\s*[A-Z]{3}\s*)?(?:registered|registration|number|tax|included|incl|inclusive|exclusive|extra)\b", re.I
)
_MONEY_RE = re.compile(r"[$€£]\s*\d|\d\s*(?:k\b|USD|CAD|AUD|NZD|EUR)", re.I)
_TAX_RE = re.compile(r"\b(?:sales\s+tax|taxes|tax\s+(?:included|excluded))\b", re.I)
_FRENCH_WORD_RE = re.compile(
    r"\b(?:le|la|les|des|du|une|vous|nous|avec|pour|sur|dans|chez|équipes?|projet|horaires?|bureau)\b", re.I
)
_SLASH_BEFORE_RE = re.compile(r"([A-Za-z]+)\s*/\s*$")


def _is_zone_abbreviation(sentence: str, match: re.Match) -> bool:
    name, before, after = match.group(1), sentence[: match.start()], sentence[match.end() :]
    if _YEAR_AFTER_RE.match(after):
        return False
    if name == "PT" and (_PART_TIME_RE.search(sentence) or _JOB_NOUN_AFTER_RE.match(after)):
        return False
    if name in _SALES_TAXES and (
        (_TAX_BEFORE_RE.search(before) and _MONEY_RE.search(sentence))
        or _TAX_AFTER_RE.match(after)
        or _TAX_RE.search(sentence)
    ):
        return False
    if name == "ET" and len(_FRENCH_WORD_RE.findall(sentence)) >= 2:
        return False  # French "et" (and), also in capitals: "CHEF DE PROJET ET DÉVELOPPEUR"
    homonym = _PLACE_HOMONYMS.get(name)
    if homonym and homonym.search(sentence):
        return False
    # "PST/EST", "GMT/BST": after a slash only when the word before the slash is a zone too
    # ("CI/CT" is continuous testing).
    slash = _SLASH_BEFORE_RE.search(before)
    if slash and before.rstrip().endswith("/"):
        return slash.group(1) in _ALL_ABBREVIATIONS_SET
    return True


def _mentions(sentence: str, is_location: bool = False) -> list[_Mention]:
    """Every zone, offset and region time zone the sentence names, with its window."""
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, low: float, high: float, kind: str) -> None:
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            found.append(_Mention(start, end, low, high, kind))

    for match in _TRAILING_OFFSETS_RE.finditer(sentence):
        first, second = _number(match["first"]), _number(match["second"])
        add(match.start(), match.end(), min(first, second), max(first, second), "offset")
    for match in _OFFSET_RE.finditer(sentence):
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
    for match in _NAMED_RE.finditer(sentence):
        if not _near_time_word(sentence, match.start(), match.end()):
            continue
        if re.search(r"asia[\s-]*$", sentence[: match.start()], re.I):
            continue  # "Asia Pacific"
        index = next(int(k[1:]) for k, v in match.groupdict().items() if v)
        offset = standard_offset(_NAMED_ZONE_LIST[index])
        add(match.start(), match.end(), offset, offset, "zone")
    for match in _PLACE_RE.finditer(sentence):
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


def _sentence_window(
    sentence: str, mentions: list[_Mention], context: list[_Mention], location: str | None = None
) -> tuple[float, float] | None:
    """The window one requirement sentence states (spec §4)."""
    chosen = mentions
    shift = _REGION_SHIFT_RE.search(sentence)
    named = [m for m in mentions if shift and shift.start() <= m.start < shift.end()]
    if named:
        chosen = named
    if not chosen:
        chosen = context
    if not chosen:
        return None
    low, high = _hull([(m.low, m.high) for m in chosen])
    one_bound = _ONE_BOUND_RE.search(sentence)
    if one_bound:
        region = _region_window(location) or (MIN_OFFSET, MAX_OFFSET)
        return (region[0], high) if one_bound["side"].lower() == "east" else (low, region[1])
    overlap = _OVERLAP_HOURS_RE.search(sentence)
    tolerance = _TOLERANCE_RE.search(sentence)
    within = _WITHIN_RE.search(sentence)
    if overlap:
        hours = overlap["c"] or overlap["d"] or overlap["a"]
        if hours.lower().startswith("a "):
            value = 3.0  # "a few hours" (spec §4.3)
        else:
            value = _number_word(hours)
            if overlap["b"] and not (overlap["c"] or overlap["d"]):
                value = min(value, float(overlap["b"]))  # "4-5 hours": the most permissive
        if overlap["week"]:
            value /= 5
        widen = max(0.0, 8 - value)
        return _clip(low - widen), _clip(high + widen)
    if tolerance:
        widen = float(tolerance["n"] or tolerance["pm"])
        return _clip(low - widen), _clip(high + widen)
    if within:
        widen = max(_number_word(within["n"] or within["n2"]), _number_word(within["a"] or within["a2"]) or 0)
        return _clip(low - widen), _clip(high + widen)
    return low, high


def _rule(sentence: str, mentions: list[_Mention], is_location: bool) -> int:
    """Spec §2.3: 1 explicit range or tolerance, 2 residence, 3 hours, 4 overlap."""
    offsets = {(m.low, m.high) for m in mentions if m.kind == "offset"}
    if len(offsets) >= 2 or _TOLERANCE_RE.search(sentence) or _WITHIN_RE.search(sentence):
        return 1
    if is_location or _RESIDENCE_RE.search(sentence):
        return 2
    if _OVERLAP_RE.search(sentence) and not _HOURS_RE.search(sentence.split("overlap")[0]):
        return 4
    return 3


def _sentences(location: str | None, title: str | None, text: str | None) -> list[tuple[str, bool, str]]:
    """(clause, is a location or title line, the whole sentence the clause belongs to)."""
    lines: list[tuple[str, bool, str]] = []
    for line in (location, title):
        if line and line.strip():
            lines.append((" ".join(line.split()), True, " ".join(line.split())))
    for chunk in _SENTENCE_SPLIT_RE.split(text or ""):
        chunk = " ".join(chunk.split())
        for clause in _CLAUSE_SPLIT_RE.split(chunk):
            if clause and clause.strip():
                lines.append((clause.strip(), False, chunk))
    return lines


# Each clause of "Although you should be available during east coast hours, this role also requires
# collaboration with India (IST)" or "live in Eastern or Central but work East Coast hours" states
# its own rule (residence, hours, overlap); the spec's rule order then decides between them.
_CLAUSE_SPLIT_RE = re.compile(r"^((?:although|though|while|whilst)\b[^,]{10,200}),\s+|,?\s+but\s+", re.I)


_TIME_ZONE_FIELD_RE = re.compile(
    r"^[\W_]*(?:(?:preferred|required|working)\s+)?time[\s-]*zones?"
    r"(?:\s+(?:requirements?|preferences?|required|preferred|restrictions?))?\s*[:\-–]\s*",
    re.I,
)
_LIST_INTRO_RE = re.compile(r"time[\s-]*zones?\s*:\s*$|timezones?\s*:\s*$", re.I)
_LIST_LINES = 6


def _listed_zones(lines: list[tuple[str, bool]]) -> list[_Mention]:
    """The zones and regions of the short lines that follow a list introduction."""
    found: list[_Mention] = []
    for line, is_location, _ in lines:
        line = line.lstrip("*-\u2022 ")
        if is_location or len(line.split()) > _FRAGMENT_WORDS:
            break
        # Each item is a time zone by its place in the list: "North/South America" means its zones.
        found += [m for m in _mentions(f"{line} time zones") if m.start < len(line)]
    return found


# Every rule needs one of these words (or a zone abbreviation): plain substring tests, because
# they run on every sentence of every posting.
_GATE_WORDS = ("time", "zone", "hour", "shift", "schedule", "work day", "workday", "morning", "afternoon", "standard",
               "daylight", "utc", "gmt", "overlap", "±", "+/-", "difference", "between", "wherever", "tz", "horari",
               "fuseau", "zeitzone", "horá", "hora", "heure", "arbeitszeit")  # fmt: skip
_CLOCK_RE = re.compile(r"\d\s*[ap]\.?m", re.I)


def _could_state_time(sentence: str) -> bool:
    """False when no rule below can find anything in the sentence."""
    lowered = sentence.lower()
    return (
        any(word in lowered for word in _GATE_WORDS)
        or bool(_ABBREVIATION_RE.search(sentence))
        or bool(_CLOCK_RE.search(sentence))
    )


def _is_requirement(sentence: str, is_location: bool) -> bool:
    if is_location:
        return True
    if _ILLUSTRATION_RE.match(sentence):
        return False  # "For example, if you are located on the east coast, you may ..."
    if _NOT_WORKING_TIME_RE.search(sentence):
        return False
    if _DESCRIPTION_RE.search(sentence) and not _STRONG_REQUIREMENT_RE.search(sentence):
        return False
    # A bare line such as "Pacific, Hawaii or Australia time zone." under a heading is a statement too.
    if _REQUIREMENT_RE.search(sentence):
        return True
    return len(sentence.split()) <= _FRAGMENT_WORDS and not _CLAUSE_RE.search(sentence)


_FRAGMENT_WORDS = 8
_ILLUSTRATION_RE = re.compile(r"^[\W_]*(?:for\s+(?:example|instance)|e\.\s?g\.)", re.I)
# A short line with a verb or a "we" is a sentence about someone ("Our office is in Chicago (CT)").
_CLAUSE_RE = re.compile(r"\b(?:is|are|was|were|we|our|has|have|had|will)\b", re.I)
_FIELD_RE = re.compile(r"^[*_\s]*[A-Za-z][A-Za-z /&-]{2,30}:", re.I)
# "full-time" is not a time word.
_NOT_TIME_RE = re.compile(
    r"\b(full|part|half|over|first|long|real|any|some|one|next|same)[\s-]time\b(?![\s-]*zone)", re.I
)


def extract_window(location: str | None, title: str | None, text: str | None) -> TimeZoneWindow | None:
    """The posting's time-zone window, ``ANY`` for "any time zone", or None when it states none."""
    candidates: list[tuple[int, int, int, tuple[float, float], str]] = []
    any_evidence: str | None = None
    previous: list[_Mention] = []
    sentences = _sentences(location, title, text)
    for index, (original, is_location, whole) in enumerate(sentences):
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
            listed = _listed_zones(sentences[index + 1 : index + 1 + _LIST_LINES])
            if listed:
                mentions = listed
        if any_evidence is None and _ANY_RE.search(sentence):
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
            elif _ZONE_REFERENCE_RE.search(sentence) and previous:
                mentions = list(previous)
        if not mentions:
            # "an overlap of 5 working hours is required": the reference is the zone named just before.
            if _OVERLAP_HOURS_RE.search(sentence) and previous and _is_requirement(whole, False):
                window = _sentence_window(sentence, [], previous)
                if window:
                    candidates.append((4, 1, index, window, original[:200]))
            continue
        previous = mentions
        following = sentences[index + 1][0] if index + 1 < len(sentences) else ""
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


# --------------------------------------------------------------------------------------------
# What a user types: "UTC+2", "+2", "-5:30", "Europe/Berlin", "EST"
# --------------------------------------------------------------------------------------------

_USER_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+\-\u2212]?)\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*$", re.I)


@functools.cache
def _iana_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_offset(value: str) -> float:
    """A user's offset in hours east of UTC; zone names and abbreviations give their standard offset."""
    text = value.strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return 0.0
    match = _USER_OFFSET_RE.match(text)
    if match:
        sign = -1 if match.group(1) in ("-", "\u2212") else 1
        hours = int(match.group(2)) + (int(match.group(3)) / 60 if match.group(3) else 0)
        if hours > 14:
            raise ValueError(f"not a UTC offset: {value!r} (offsets run from -12 to +14)")
        return sign * hours
    upper = text.upper()
    zone = _PLAIN_ABBREVIATIONS.get(upper) or _AMBIGUOUS_ABBREVIATIONS.get(upper) or _iana_names().get(text.lower())
    if zone is None:
        raise ValueError(f"unknown time zone {value!r}: give an offset (UTC+2, -5:30), an IANA name or an abbreviation")
    try:
        return standard_offset(zone)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - a broken tz database
        raise ValueError(f"unknown time zone {value!r}") from exc
