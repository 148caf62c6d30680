"""Sentence wording: hour counts, requirement and team words, times that are not working hours, and
when a zone abbreviation means a zone."""

from __future__ import annotations

import re

from aggregator.normalise.timezone.zones import _ALL_ABBREVIATIONS_SET, _TIME_WORD_RE, MAX_OFFSET, MIN_OFFSET

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
# Every alternative of _ANY_RE spells one of these words out: a sentence without them cannot match,
# and a substring test costs a tenth of the pattern's search (which runs on every candidate sentence).
_ANY_WORDS = ("zone", "wherever")


def _says_any_time_zone(sentence: str) -> bool:
    """Whether the sentence says any time zone will do ("all time zones welcome", "regardless of
    your time zone"): no window is asked then."""
    lowered = sentence.lower()
    return any(word in lowered for word in _ANY_WORDS) and bool(_ANY_RE.search(sentence))


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

# Sentences end at line breaks, at ". " before a capital, and at bullets. Every separator starts
# with a white space, written first so the regex engine skips other characters at once; then
# "\n+", "(?<=[.!?;])\s+(?=[A-Z...])" and "\s+[bullet]\s*" in that order.
_SENTENCE_SPLIT_RE = re.compile(r"\s(?:(?<=\n)\n*|(?<=[.!?;]\s)\s*(?=[A-Z*_(\"'])|\s*[\u2022\u25cf\u25aa]\s*)")


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
