"""Pay periods: the words and abbreviations that say per hour / day / week / month / year, in the main languages."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------

_BENEFIT_NOUNS = (
    r"bonus|bonuses|stipend|budget|allowance|reimbursements?|reviews?|performance|leave|pto|vacation|"
    r"holidays?|increases?|raises?|incentives?|equity|refresh(?:ers?)?|retreats?|meetups?|offsites?|"
    r"trips?|plan|targets?|learning|conferences?|wellness|commissions?|costs?|fees?|subscriptions?|team|"
    r"company|check-ins?|meetings?|sync|salary\s+reviews?|profit|rsu|stock|travel|education|training|"
    r"health|gym|internet|phone|home|coworking|contribution|match"
)
_NOT_BENEFIT = rf"(?!\s+(?:{_BENEFIT_NOUNS})\b)"
_PERIOD_PATTERNS: list[tuple[str, str]] = [
    # hour
    (
        "hour",
        r"(?:/|\bper\s+|\ban?\s+|\bp/)\s*(?:hrs?|hours?|hora|heure|stunde|godz\.?|godzin[eę])(?![A-Za-z])",
    ),
    ("hour", r"(?<=[^\s/])/\s*h(?![^\W\d_]|/)"),
    (
        "hour",
        r"\bstundenlohn\b|/\s*std\b|\bza\s+godzin[eę]\b|\bna\s+hodinu\b|/\s*hod\b|/\s*óra\b|\bóránként\b|"
        r"/\s*jam\b|/\s*giờ\b|לשעה|\bsaatlik\b|/\s*saat\b|\bв\s+час\b|/\s*час\b|\bза\s+годину\b|時給|시급|\btimlön\b|\btimeløn\b",
    ),
    ("hour", rf"\bhourly\b{_NOT_BENEFIT}"),
    ("hour", r"\b(?:por|pro|na)\s+(?:hora|stunde|godzin[eę])\b|\bstündlich\b|\bper\s+uur\b"),
    ("hour", r"\b(?:pr\.?|per|i)\s+tim(?:e|me|men)\b|/\s*tim(?:e|me)?\b"),  # Scandinavian
    # day
    ("day", r"(?:/|\bper\s+|\ba\s+)\s*(?:days?|dia|día|jour|tag|dzie[nń])(?![A-Za-z])"),
    ("day", r"(?<=[\d kK€$£)])/\s*d(?![A-Za-z/])"),
    ("day", rf"\bdaily\b{_NOT_BENEFIT}|\bday\s*rate\b|\bper\s+diem\b|\bpar\s+jour\b"),
    (
        "day",
        r"\bdziennie\b|\bdenn[eě]\b|\b(?:pro|am|al|por|per|om)\s+(?:tag|giorno|d[ií]a|dag(?:en)?)\b"
        r"|\b(?:в|за)\s+день\b|/\s*день\b|\bg[üu]nl[üu]k\b|日給|日薪|日当|일급|일당",
    ),
    # French freelance day rate (taux journalier moyen), German Tagessatz
    ("day", r"\bTJM\b|\btaux\s+journalier\b|\btagessatz\b|\bdagtarief\b|\bstawka\s+dzienna\b"),
    # week
    ("week", r"(?:/|\bper\s+|\ba\s+)\s*(?:weeks?|wks?|semana|semaine|woche)(?![A-Za-z])"),
    ("week", r"(?<=[\d kK€$£)])/\s*w(?![A-Za-z/])"),
    ("week", rf"\bweekly\b{_NOT_BENEFIT}"),
    # month
    (
        "month",
        r"(?:/|\bper\s+|\ba\s+|\bp/)\s*(?:months?|mos?|mths?|mon|mes|mês|mois|monat|mese|mies\.?|mc)(?![A-Za-z])",
    ),
    ("month", r"(?<=[\d kK€$£)])/\s*m(?![A-Za-z/²])"),
    ("month", rf"\bmonthly\b{_NOT_BENEFIT}"),
    (
        "month",
        r"\b(?:miesi[eę]cznie|mensal|mensual(?:es)?|mensuel(?:le)?|monatlich|mensile)\b"
        r"|\b(?:al|por)\s+m[eê]s\b|\bpar\s+mois\b|\bpro\s+monat\b|\bal\s+mese\b|\bper\s+maand\b",
    ),
    (
        "month",
        r"\b(?:pr\.?|per|i|om)\s+m[åa]n(?:ed|ad)(?:en)?\b|/\s*(?:m[åa]ned|m[åa]nad|mnd)\b|\bm[åa]nedlig"
        r"|\b(?:pr\.?|per|om|i)\s+md\.?(?!\w)|/\s*md\b|(?<![가-힣])월(?=\s*\d)"
        r"|\bmånadslön\b",
    ),
    (
        # Czech, Hungarian, Romanian, Indonesian, Vietnamese, Russian/Ukrainian, Japanese, Chinese, Korean
        "month",
        r"\bm[eě]s[ií][cč]n[eěíi]\b|\bmesa[cč]n[ée]\b|(?:/|\bza\s+|\bna\s+)\s*m[eě]s[ií]c\b|/\s*m[eě]s\b|/\s*hó\b|\bhavonta\b|\bhavi\b|/\s*lun[aă]\b|\bpe\s+lun[aă]\b|"
        r"\blunar\b|\bper\s+bulan\b|/\s*bulan\b|\bsebulan\b|/\s*tháng\b|\bmỗi\s+tháng\b|\bhàng\s+tháng\b|"
        r"\bв\s+месяц\b|/\s*мес\b|\bв\s+міс|\bна\s+місяць\b|/\s*міс\b|月給|月収|月薪|/\s*月|每月|월급|/\s*월|"
        r"\bmensais\b|/\s*m[åa]n\b|\bmånadsl[öo]n\b|לחודש|בחודש|\baylık\b|/\s*ay\b|شهري|\bμηνιαί|\bτο\s+μήνα\b",
    ),
    (
        "month",
        r"\bm[eē]nes[iī]\b|\bper\s+m[eė]nes[iį]\b|\bkuus\b|\bm[jy]?ese[cč]no\b|\bna\s+mjesec\b"
        r"|\bna\s+mesec\b|\bá\s+mánuði\b",
    ),
    (
        "month",
        r"เงินเดือน|/\s*เดือน|ต่อเดือน|प्रति\s+(?:माह|महीना)|मासिक|\b(?:kada|bawat)\s+buwan\b|\bbuwanan\b"
        r"|\bkwa\s+mwezi\b",
    ),
    ("hour", r"प्रति\s+घंटा|\b(?:kada|bawat)\s+oras\b|\bkwa\s+saa\b|/\s*ชั่วโมง"),
    ("day", r"\bkwa\s+siku\b|/\s*วัน\b|प्रति\s+दिन"),
    ("year", r"प्रति\s+वर्ष|सालाना|\b(?:kada|bawat)\s+taon\b|\bkwa\s+mwaka\b|/\s*ปี"),
    ("month", r"\bmonth\b"),  # bare; filtered in _find_period
    # year
    ("year", r"(?:/|\bper\s+|\ba\s+|\bp/)\s*(?:yrs?|years?|annum|an|año|ano|jahr|rok)(?![A-Za-z])"),
    ("year", r"(?<=[\d kK€$£)])/\s*y(?![A-Za-z/])"),
    ("year", r"\bp\.\s?a\.?(?![A-Za-z])|(?<![^\W\d_])pa(?![^\W\d_])"),
    # ANZ/UK shorthands, also glued to the figure ("$78,400pa", "$40 ph", "£450 pd", "£2,000 pcm")
    ("hour", r"(?<![^\W\d_])ph(?![^\W\d_])"),
    ("day", r"(?<![^\W\d_])pd(?![^\W\d_])"),
    ("week", r"(?<![^\W\d_])pw(?![^\W\d_])"),
    ("month", r"(?<![^\W\d_])pcm(?![^\W\d_])"),
    ("year", r"\bannually\b"),
    ("year", rf"\b(?:annual|yearly){_NOT_BENEFIT}(?![A-Za-z])"),
    (
        "year",
        r"\b(?:rocznie|jährlich|anual(?:es)?|annuel(?:le)?|annuo|annui)\b|\bpar\s+an\b|\bpro\s+jahr\b"
        r"|\b(?:al|por)\s+año\b|\bao\s+ano\b|\bper\s+jaar\b|\bLPA\b|\blpa\b",
    ),
    ("year", r"\b(?:pr\.?|per|om)\s+år(?:et)?\b|/\s*år\b|\bårlig(?:t|en)?\b|\bårslön\b"),
    (
        "year",
        r"\bro[cč]n[eěíi]\b|\bévi\b|\bévente\b|/\s*év\b|\bpe\s+an\b|\bper\s+tahun\b|/\s*tahun\b|/\s*năm\b|"
        r"\bв\s+год\b|/\s*год\b|\bна\s+рік\b|/\s*рік\b|年収|年俸|年薪|/\s*年|연봉|\bRAL\b|\bim\s+jahr\b|"
        r"\bjahresgehalt\b|\bbrutto\s*/?\s*jahr\b|\bárlig|לשנה|בשנה|\byıllık\b|سنوي|\bετήσι",
    ),
    ("year", r"\bgodi[sš]nje\b|\bletno\b|\bgad[aā]\b|\baastas\b|\bper\s+metus\b|\bá\s+ári\b"),
    ("year", r"\byear\b"),  # bare; filtered in _find_period
]
_PERIOD_RES = [(p, re.compile(rx, re.I)) for p, rx in _PERIOD_PATTERNS]
# One pass that says whether any period word is there at all (most strings need no more).
_ANY_PERIOD_RE = re.compile("|".join(f"(?:{rx})" for _, rx in _PERIOD_PATTERNS), re.I)
_BARE_PERIOD_BLOCK = re.compile(
    r"(?:\d|\d(?:st|nd|rd|th)|first|second|third|this|next|last|each|every|one|two|three|six|twelve|"
    r"full|calendar|fiscal|financial|school|academic)[\s-]*\Z",
    re.I,
)


_WORKLOAD_RE = re.compile(r"\b(?:hours?|hrs?|days?|shifts?|weeks?|times)\s*\Z", re.I)
# "/год" is Russian "per year" but Ukrainian "per hour" (година): the language decides.
_SLASH_GOD_RE = re.compile(r"/\s*год\Z")
_UKRAINIAN_RE = re.compile(r"[іїєґІЇЄҐ]|грн|₴")


def _find_period(text: str) -> tuple[int, str] | None:
    """Earliest stated period in ``text`` as (position, period)."""
    if not _ANY_PERIOD_RE.search(text):
        return None
    best: tuple[int, str] | None = None
    for period, rx in _PERIOD_RES:
        for m in rx.finditer(text):
            before = text[max(0, m.start() - 20) : m.start()]
            if _WORKLOAD_RE.search(before):
                continue  # "40 hours per week", "5 days a week": workload, not pay period
            if rx.pattern in (r"\bmonth\b", r"\byear\b"):
                after = text[m.end() : m.end() + 3]
                if _BARE_PERIOD_BLOCK.search(before) or after.startswith(("-", "'")):
                    continue
            found = period
            if _SLASH_GOD_RE.match(m.group(0)) and _UKRAINIAN_RE.search(text):
                found = "hour"
            if best is None or m.start() < best[0]:
                best = (m.start(), found)
            break
    return best


def _strip_periods(text: str) -> str:
    for _, rx in _PERIOD_RES:
        text = rx.sub(" ", text)
    return text
