"""Salary strings and schema.org ``baseSalary`` → :class:`Salary` (min, max, currency, period).

Pure functions, no I/O. The rules are those of the salary labelling spec
(``tests/fixtures/labels/salary-dev.tsv`` holds the hand labels); in short:

* **Numbers** are read by shape: a separator followed by exactly three digits is a thousands
  separator (``174,000``, ``65.000``, ``181 000``, ``1.190.000``); when both ``.`` and ``,``
  appear the last one is the decimal mark (``1.200,00``, ``110,127.60``). ``k`` ×1000, ``M``
  ×1e6, lakh ×1e5, crore ×1e7; a suffix on one end of a range carries to a bare small end
  (``£95-115k``).
* **Ranges** are amounts joined by ``-``/``~``/``to``/``up to``/``between … and``; three or more
  rising figures are min–mid–max (first and last kept); a falling chain is two ranges (first kept).
  A single amount gives min = max; ``Up to X`` gives max only; ``From X``/``X+`` give min only.
* **Alternatives** (``or``, ``/``, ``and``, ``;``, ``,``, parentheses, ``US: … CA: …``, a ``+``
  add-on) split the string into groups; the first group carrying money is labelled, except that a
  full-time figure beats a part-time one and a base figure beats an OTE one.
* **Currency**: ISO codes and symbols attached to the figures (``CAD $`` → CAD, ``R$`` → BRL,
  ``zł`` → PLN, ``kr`` → the code next to it, ``RM`` → MYR, ``CAN`` after an amount → CAD …);
  a bare ``$`` is USD unless a stronger marker is present. The job board prefixes ``$`` to
  whatever the employer typed, so ``$`` followed by text is not an amount, and a string whose only
  ``$`` is that prefix takes the currency of any other symbol shown (``$38,000 basic (£45,000
  OTE)`` → GBP). A range whose ends carry different currencies keeps the currency of the min.
* **Period**: a stated period wins (``/yr``, ``per annum``, ``monthly``, ``/hr`` …); otherwise
  it is inferred from the larger amount: ≥10000 year, 1000–9999 month, <1000 hour (MYR and SGD
  pay, quoted monthly, is month up to 39999).
* **Languages and notations**: range words (von … bis, entre … et, od … do, tussen … en, от … до
  …), lower bounds and caps (ab, à partir de, no less than, bis zu, jusqu'à …), periods
  (brutto/Jahr, mensuel, por hora, měsíčně, 月給, 연봉 …) and unit words (тыс., juta, 万, 만 …) in
  the main languages; the world's currency symbols (Kč, Ft, lei, лв, руб, грн, Rp, ₩, 円, đ, Fr.)
  come from price-parser's table (see :mod:`aggregator.normalise.currency`), and price-parser
  reads a string's currency when no symbol is next to the figures.
* **Not pay**: counts of years, reports, hours, nights, countries (``5–7 years``, ``3 direct
  reports``, ``37.5-hour week``), bands and levels (``Band 7``), percentages.
* **No salary** → ``None``: text only, zero placeholders (``$0/yr - $0/yr``), ``$1``
  placeholders, company figures (``$140M``, ``$50M - $12B``), benefit/equipment stipends and
  ``$13th salary``. Never a zero or made-up figure.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from aggregator.normalise.currency import currency_of_symbol, currency_of_text, symbol_pattern

__all__ = ["PERIODS", "Salary", "annualise", "parse_salary", "salary_from_base_salary"]

PERIODS = ("year", "month", "week", "day", "hour")
_ANNUAL_FACTOR = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}


@dataclass(frozen=True)
class Salary:
    min: float | None
    max: float | None
    currency: str | None
    period: str | None


# --------------------------------------------------------------------------------------------
# Currencies
# --------------------------------------------------------------------------------------------

_ISO_CODES = frozenset(
    """USD CAD EUR GBP AUD NZD CHF SEK NOK DKK ISK PLN CZK HUF RON BGN HRK RSD UAH RUB BYN TRY
    AZN KZT ILS AED SAR QAR KWD BHD OMR JOD EGP MAD TND NGN KES GHS ZAR UGX TZS ETB INR PKR BDT
    LKR NPR CNY JPY KRW TWD HKD SGD MYR THB IDR PHP VND BRL MXN ARS CLP COP PEN UYU PYG CRC
    GTQ DOP""".split()
)
# Codes also accepted in lower case (the rest are English words or too rare: can, try, pen, …).
_LOWER_OK = frozenset("usd cad eur gbp aud nzd chf sek nok dkk pln czk huf ron inr brl mxn sgd myr zar".split())
_CODE_ALIASES = {"CAN": "CAD", "CDN": "CAD", "PLZ": "PLN", "RMB": "CNY", "NTD": "TWD", "EURO": "EUR", "EUROS": "EUR"}
# Currencies whose salaries are routinely quoted in millions (an ``M`` figure may be pay).
_MILLIONS_OK = frozenset(
    "JPY KRW IDR VND COP CLP HUF NGN PKR LKR ARS UGX TZS INR PHP RUB THB TWD CZK ISK KZT UAH TRY "
    "EGP BDT NPR CRC PYG SEK NOK DKK MXN BRL KES ZAR HKD CNY".split()
)
# Local pay quoted per month (spec rule 3 exception).
_MONTHLY_NORM = frozenset({"MYR", "SGD"})

# symbol → (currency, strong). A weak marker only decides when nothing stronger is present.
_SYMBOLS: dict[str, tuple[str, bool]] = {
    "US$": ("USD", True),
    "USD$": ("USD", True),
    "CA$": ("CAD", True),
    "CAD$": ("CAD", True),
    "CAN$": ("CAD", True),
    "C$": ("CAD", True),
    "AU$": ("AUD", True),
    "AUD$": ("AUD", True),
    "A$": ("AUD", True),
    "NZ$": ("NZD", True),
    "R$": ("BRL", True),
    "MX$": ("MXN", True),
    "SG$": ("SGD", True),
    "S$": ("SGD", True),
    "HK$": ("HKD", True),
    "$": ("USD", False),
    "€": ("EUR", True),
    "£": ("GBP", True),
    "₹": ("INR", True),
    "RS": ("INR", True),
    "¥": ("JPY", True),
    "₱": ("PHP", True),
    "₩": ("KRW", True),
    "₺": ("TRY", True),
    "₴": ("UAH", True),
    "₦": ("NGN", True),
    "₪": ("ILS", True),
    "₫": ("VND", True),
    "฿": ("THB", True),
    "ZŁ": ("PLN", True),
    "ZL": ("PLN", True),
    "RM": ("MYR", True),
    "KR": ("SEK", False),  # kr takes the code written next to it; SEK only as a last resort
    "DOLLAR": ("USD", False),
    "DOLLARS": ("USD", False),
}

_PREFIX_SYM = (
    r"US\$|USD\$|CA\$|CAD\$|CAN\$|C\$|AU\$|AUD\$|A\$|NZ\$|R\$|MX\$|SG\$|S\$|HK\$|\$|€|£|₹|¥|₱|₩|₺|₴|₦|₪|₫|฿"
    r"|(?<![A-Za-z])(?:RM|Rs\.?|zł|kr\.?|Kr\.?)"
    rf"|{symbol_pattern()}"  # the world's symbols and abbreviations (Kč, Ft, lei, руб, ₩, 円 …)
)
_PREFIX_RE = re.compile(rf"(?:(?<![A-Za-z])(?P<code>[A-Za-z]{{3}}|[Ee]uros?|EUROS?)\s*)?(?P<sym>{_PREFIX_SYM})?\s*\Z")
_SUFFIX_SYM_RE = re.compile(
    rf"\s?(?P<sym>€|£|zł|zl(?![A-Za-z])|kr\.?(?![A-Za-z])|Kr\.?(?![A-Za-z])|₹|\$|{symbol_pattern()})"
)
_SUFFIX_WORD_RE = re.compile(
    r"\s?(?P<word>(?:US\s+|Canadian\s+|Australian\s+)?dollars?|[A-Za-z]{3}|[Ee]uros?|EUROS?)(?![A-Za-z])"
)
# Any currency marker, for the context and whole-string fallbacks.
_ANY_CUR_RE = re.compile(rf"(?<![A-Za-z])(?P<code>[A-Z]{{3}}|[Ee]uros?)(?![A-Za-z])|(?P<sym>{_PREFIX_SYM}|zł)")


def _code(word: str | None) -> str | None:
    """ISO code for a code-like word next to an amount, or None."""
    if not word:
        return None
    if word == "CAN":
        return "CAD"
    up = word.upper()
    if up in _CODE_ALIASES and up != "CAN":
        return _CODE_ALIASES[up]
    if up in _ISO_CODES and (word.isupper() or word.lower() in _LOWER_OK):
        return up
    return None


def _symbol(sym: str | None) -> tuple[str, bool] | None:
    if not sym:
        return None
    key = sym.rstrip(".").upper()
    found = _SYMBOLS.get(key)
    if found is None:
        code = currency_of_symbol(sym)
        found = (code, True) if code else None
    return found


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_NUM_RE = re.compile(
    r"""(?<![\d])
    (?:
        (?P<indian>\d{1,2}(?:,\d{2})+,\d{3})(?:\.(?P<indian_dec>\d+))?
      | (?P<grouped>\d{1,3}(?P<tsep>[,.'’ ])\d{3}(?:(?P=tsep)\d{3})*)(?:(?P<gdec_sep>[.,])(?P<gdec>\d+))?
      | (?P<plain>\d+)(?:(?P<pdec_sep>[.,])(?P<pdec>\d+))?
    )
    (?![\d])""",
    re.X,
)

_MULT_RE = re.compile(
    r"""(?:
        (?P<k>[kK](?![^\W\d_])|\s?(?:[kK]|thousand|tys\.?|тыс\.?|тис\.?|ribu|rb|[Tt]sd\.?|[Tt]ausend|nghìn|ngàn|mil|mila|tis\.?|bin|ezer)(?![^\W\d_])
           |\s?T(?=\s?(?:€|EUR\b))|\s?t(?=\.?kr\b)|e(?=\s?(?:Ft|HUF)\b))
      | (?P<m>(?:MM|mm|M|m|Mn|mn)(?![^\W\d_])|\s(?:MM|M|Mn|mn)(?![^\W\d_])
             |\s?(?:million|millions|mio|Mio|mln|Mln|млн\.?|juta|triệu|miljoen|millones|milhões)(?![^\W\d_]))
      | (?P<b>(?:B|bn|Bn)(?![^\W\d_])|\s(?:B|bn|Bn)(?![^\W\d_])|\s?(?:billion|billions)(?![^\W\d_]))
      | (?P<lpa>\s?(?:LPA|lpa)(?![^\W\d_]))
      | (?P<lakh>\s?(?:lakhs?|lacs?|Lakhs?|Lacs?)(?![^\W\d_])|L(?![^\W\d_]))
      | (?P<senman>\s?(?:[千천]만|千万|千萬)(?=\s*(?:円|元|원|\W|\Z)))
      | (?P<man>\s?[万萬만](?=\s*(?:円|元|원|\W|\Z)))
      | (?P<sen>\s?[千천](?=\s*(?:円|元|원)))
      | (?P<oku>\s?[億억](?=\s*(?:円|元|원|\W|\Z)))
      | (?P<crore>\s?(?:crores?|Crores?|cr|Cr)(?![^\W\d_]))
    )""",
    re.X,
)
_MULT_VALUE = {
    **{"senman": 1e7, "sen": 1e3, "man": 1e4, "oku": 1e8},
    **{"k": 1e3, "m": 1e6, "b": 1e9, "lpa": 1e5, "lakh": 1e5, "crore": 1e7},
}

_LEVEL_WORD_RE = re.compile(
    r"(?:\b(?:zone|level|tier|band|grade|step|phase|part|section|stage|round|series|no\.?|number|"
    r"in|since|by|of|fy|q|top|over|under|than|for|iso|iec|soc|version|v|"
    r"id|ref\.?|reference|req|code|postcode|zip|plz)\s*:?\s*|#)\Z",  # identifiers are not pay
    re.I,
)
_UNIT_AFTER_RE = re.compile(
    # "5 years", "5-7 years", "3 to 5 years": a count of something, not money
    r"\s*\+?\s*(?:(?:-|~|to)\s*\d+(?:[.,]\d+)?\s*\+?\s*)?(?:-\s*(?:day|hour|week|month|year|person)\b|(?:-\s*)?(?:years?|yrs|nights|shifts|months|weeks|days|hours|hrs|employees|people|members|countries|"
    r"time\s*zones?|timezones?|offices|locations|languages|continents|direct\s+reports|reports|"
    r"engineers|users|customers|x\b|%|percent"
    # years (of experience) in the other languages: "от 3 лет", "5 Jahre", "3 ans", "5년", "3年"
    r"|лет\b|года?\b|рок(?:и|ів)\b|років\b|jahre?n?\b|ans\b|años\b|anni\b|anos\b|lat[a]?\b|let\b|roky?\b"
    r"|års?\b|vuo(?:tta|den)\b|jaar\b|y[ıi]l\b|년|年(?![収俸薪])"
    # hours and days (of work, of leave) in the other languages
    r"|uur\b|stunden\b|heures\b|horas\b|ore\b|godzin\b|hodin\b|timmar\b|timer\b|tuntia\b|часов\b|годин\b"
    r"|tage\b|jours\b|d[ií]as\b|giorni\b|dagen\b|dni\b|dagar\b|dage\b|päivää\b|дней\b|днів\b|gün\b))",
    re.I,
)


def _parse_number(m: re.Match[str]) -> float:
    """Value of a ``_NUM_RE`` match, reading separators by shape (spec rule 1)."""
    if m.group("indian"):
        whole = m.group("indian").replace(",", "")
        dec = m.group("indian_dec")
        return float(f"{whole}.{dec}") if dec else float(whole)
    if m.group("grouped"):
        whole = re.sub(r"[,.'’ ]", "", m.group("grouped"))
        dec = m.group("gdec")  # the other separator after thousands groups: the decimal mark
        return float(f"{whole}.{dec}") if dec is not None else float(whole)
    whole = m.group("plain")
    dec = m.group("pdec")
    if dec is None:
        return float(whole)
    if len(dec) == 3:  # a separator followed by exactly three digits is a thousands separator
        return float(whole + dec)
    return float(f"{whole}.{dec}")


def _number_from_string(text: str) -> float | None:
    """First plain number in a string (for structured data fields), with k/M suffixes."""
    for m in _NUM_RE.finditer(text):
        value = _parse_number(m)
        mm = _MULT_RE.match(text, m.end())
        if mm:
            value *= _MULT_VALUE[mm.lastgroup or "k"]
        return value
    return None


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


# --------------------------------------------------------------------------------------------
# Amount tokens and groups
# --------------------------------------------------------------------------------------------


@dataclass
class _Token:
    start: int  # span start, including a currency prefix
    end: int  # span end, including multiplier, '+', currency suffix
    num_start: int
    value: float  # before applying a multiplier
    mult: float | None
    mult_kind: str | None
    plus: bool
    strong: str | None  # currency from a strong marker (code or unambiguous symbol)
    weak: str | None  # currency from a weak marker ($, kr)
    lpa: bool = False

    @property
    def amount(self) -> float:
        return self.value * (self.mult or 1)


_GLUED_PERIOD_RE = re.compile(r"(?:pa|p\.a\.?|ph|pd|pw|pcm)(?![^\W\d_])", re.I)
_PLUS_RE = re.compile(r"\+(?!\s*(?:[$€£]|[A-Z]{3})?\s*\d)")
_LETTER_RE = re.compile(r"[A-Za-z]")
_PERCENT_RE = re.compile(r"\s?%")
_BETWEEN_RE = re.compile(
    r"\b(?:between|zwischen|entre|tra|fra|tussen|mellem|mellan|mellom|między|mezi|medzi|între|között|между|між)"
    r"(?:\s+(?:the|de|le|la|el|o|a|de\s+la))?\s*\Z",
    re.I,
)


def _glued_script(char: str) -> bool:
    """A letter of a script written without spaces, glued to figures as words are (時給1,500円)."""
    return unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))


def _tokens(s: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _NUM_RE.finditer(s):
        ns, ne = m.start(), m.end()
        before = s[max(0, ns - 40) : ns]  # windows keep long inputs linear
        after = s[ne : ne + 40]
        # ratios, dates, times: 70/30, 12/2024, 9:00
        if re.match(r"[/:]\d", after) or re.search(r"\d[/:]\Z", before):
            continue
        # ordinals: 13th, 2nd
        if re.match(r"(?:st|nd|rd|th)(?![A-Za-z])", after, re.I):
            continue
        # retirement plans: 401k, 401(k), 403(b)
        if m.group(0) in ("401", "403", "457") and re.match(r"\s?\(?[kKbB]\)?", after):
            continue
        value = _parse_number(m)
        pos = ne
        mult = mult_kind = None
        mm = _MULT_RE.match(s, pos)
        if mm:
            mult_kind = mm.lastgroup
            mult = _MULT_VALUE[mult_kind or "k"]
            pos = mm.end()
        plus = False
        pm = _PLUS_RE.match(s, pos)
        if pm:
            plus = True
            pos = pm.end()
        # currency prefix
        strong = weak = None
        start = ns
        pre = _PREFIX_RE.search(s, max(0, ns - 40), ns)
        if pre and (pre.group("code") or pre.group("sym")):
            code = _code(pre.group("code"))
            sym = _symbol(pre.group("sym"))
            if code:
                strong = code
                start = pre.start()
            if sym:
                if sym[1]:
                    strong = strong or sym[0]
                else:
                    weak = sym[0]
                start = pre.start("sym") if not code else pre.start()
        # currency suffix (after multiplier/plus)
        sm = _SUFFIX_SYM_RE.match(s, pos)
        if sm:
            sym = _symbol(sm.group("sym"))
            if sym:
                if sym[1]:
                    strong = strong or sym[0]
                else:
                    weak = weak or sym[0]
                pos = sm.end()
        wm = _SUFFIX_WORD_RE.match(s, pos)
        if wm:
            word = wm.group("word")
            code = _code(word)
            if not code and re.fullmatch(r"(?:Canadian\s+)dollars?", word, re.I):
                code = "CAD"
            elif not code and re.fullmatch(r"(?:Australian\s+)dollars?", word, re.I):
                code = "AUD"
            elif not code and re.fullmatch(r"US\s+dollars?", word, re.I):
                code = "USD"
            if code:
                strong = strong or code
                pos = wm.end()
            elif re.fullmatch(r"dollars?", word, re.I):
                weak = weak or "USD"
                pos = wm.end()
        has_cur = bool(strong or weak)
        # a letter glued to the number that is not a currency marker: B2B, Q4, H1B
        if before[-1:].isalpha() and not _glued_script(before[-1]):
            glued_ok = pre is not None and (
                (pre.group("sym") and pre.end("sym") == ns)
                or (pre.group("code") and _code(pre.group("code")) and pre.end("code") == ns)
            )
            if not glued_ok:
                continue
        # a letter glued to the figure (B2B, Q4) is no amount; after a symbol it is the next word ("600€HT")
        if _LETTER_RE.match(s, pos) and not mm and not sm and not _GLUED_PERIOD_RE.match(s, pos):
            continue
        if not has_cur and not mult:
            if _LEVEL_WORD_RE.search(before) or _UNIT_AFTER_RE.match(after):
                continue
        if _PERCENT_RE.match(s, pos):
            continue
        out.append(
            _Token(
                start=start,
                end=pos,
                num_start=ns,
                value=value,
                mult=mult,
                mult_kind=mult_kind,
                plus=plus,
                strong=strong,
                weak=weak,
                lpa=mult_kind == "lpa",
            )
        )
    return out


_GAP_CUR_RE = re.compile(rf"(?<![A-Za-z])(?:[A-Za-z]{{3}}|[Ee]uros?)(?![A-Za-z])|{_PREFIX_SYM}|zł")
_GAP_FILLER_RE = re.compile(r"\b(?:gross|net|brutto|netto|min(?:imum)?|mid(?:point)?|max(?:imum)?)\b|[\s:.,]", re.I)
# Range words: "X to Y" in the main languages (von X bis Y, de X à Y, od X do Y, от X до Y …).
_CONNECTORS = {
    "-", "~", "to", "-to", "to-", "upto", "-upto", "till", "until", "bis", "do", "a", "à", "al", "ate", "até",
    "tot", "til", "до", "по", "-до", "〜", "～", "iki", "līdz", "kuni", "að", "allt að", "đến",
}  # fmt: skip
# "X and Y" is a range only after a "between" word: zwischen X und Y, entre X et/y/e Y, tussen X en Y …
_AND_WORDS = {"and", "&", "-and", "und", "et", "y", "e", "en", "og", "och", "i", "a", "és", "și", "и", "та"}


def _connected(s: str, a: _Token, b: _Token, chain_start: _Token) -> bool:
    if b.start < a.end:
        return False
    gap = _strip_periods(s[a.end : b.start])
    if re.search(r"[()\[\];|/+,]", gap):
        return False
    gap = _GAP_CUR_RE.sub(lambda m: "" if _code(m.group(0)) or _symbol(m.group(0)) else m.group(0), gap)
    gap = _GAP_FILLER_RE.sub("", gap).lower()
    gap = re.sub(r"-+", "-", gap).replace("~-", "~").replace("-~", "~")
    if gap in _CONNECTORS:
        return True
    if gap in _AND_WORDS:
        return bool(_BETWEEN_RE.search(s[max(0, chain_start.start - 20) : chain_start.start]))
    return False


_CUT_RE = re.compile(
    r"[()\[\];|,]|\s(?:or|and|plus|OR|AND)\s|\+|\s/\s(?!\s*(?:hrs?|hours?|h|yrs?|years?|annum|months?|mo|weeks?|wk|days?)\b)"
)


@dataclass
class _Group:
    tokens: list[_Token]
    start: int
    end: int
    left: str = ""  # text since the previous group
    right: str = ""  # text up to the next group
    left_cut: str = ""  # left context after the last separator
    right_cut: str = ""  # right context before the first separator

    @property
    def has_money(self) -> bool:
        return any(t.strong or t.weak or t.mult for t in self.tokens)

    @property
    def region(self) -> tuple[int, int]:
        return self.start - len(self.left_cut), self.end + len(self.right_cut)


def _groups(s: str, toks: list[_Token]) -> list[_Group]:
    chains: list[list[_Token]] = []
    for t in toks:
        if chains and _connected(s, chains[-1][-1], t, chains[-1][0]):
            chains[-1].append(t)
        else:
            chains.append([t])
    groups = [_Group(c, c[0].start, c[-1].end) for c in chains]
    for i, g in enumerate(groups):
        lo = groups[i - 1].end if i else 0
        hi = groups[i + 1].start if i + 1 < len(groups) else len(s)
        g.left = s[lo : g.start] if lo <= g.start else ""
        g.right = s[g.end : hi] if g.end <= hi else ""
        cuts = list(_CUT_RE.finditer(g.left))
        g.left_cut = g.left[cuts[-1].end() :] if cuts else g.left
        cut = _CUT_RE.search(g.right)
        g.right_cut = g.right[: cut.start()] if cut else g.right
    return groups


# --------------------------------------------------------------------------------------------
# Classifying groups
# --------------------------------------------------------------------------------------------

_STIPEND_RE = re.compile(
    r"(?:budget|zuschuss|pauschale|budżet)\w*|\b(?:stipend|reimburse(?:ment|d)?|allowance|towards|set\s?-?up|equipment|wi-?fi|coworking|"
    r"co-working|sign(?:ing)?[\s-]+on\s+bonus)\b",
    re.I,
)
# Perks whose figure follows their name ("Relocation assistance up to $5,000"); after a salary
# ("$120,000 with relocation") the word does not make the salary a perk.
_PERK_BEFORE_RE = re.compile(r"\b(?:relocation|moving|referral(?:\s+bonus)?|sign(?:ing)?[\s-]*on)\b", re.I)
_PAY_WORD_RE = re.compile(r"\b(?:salary|base|compensation|pay|wages?|ote|earnings|income|rate)\b", re.I)
_LABEL_END_RE = re.compile(r"[;,/|]|\s(?:or|OR)\s")
_OTE_RE = re.compile(r"\bOTE\b|on[\s-]target|\btotal\s+(?:comp|compensation|earnings)\b", re.I)
_BASE_RE = re.compile(r"\bbase\b|\bbasic\b|\bbase\s+salary\b", re.I)
_PART_RE = re.compile(r"\bpart[\s-]?time\b", re.I)
_FULL_RE = re.compile(r"\bfull[\s-]?time\b", re.I)
_UPTO_RE = re.compile(
    r"(?:\bup\s*to|\bmax(?:imum)?\.?|\bunder|\bbelow|(?<!no\s)(?<!not\s)\bless\s+than|\bjusqu'?\s?(?:à|a)|"
    r"\bfino\s+a|\bat[eé]|\btot|\bupp\s+till|\bop\s+til|\bdo|\bдо|\baž|\biki|\blīdz|\bkuni|\benint[äa][äa]n|\ballt\s+að|\btối\s+đa|"
    r"\bnot\s+more\s+than|\bno\s+more\s+than|"
    r"\buntil|\btill|\bbis(?:\s+zu)?|\bopp\s+til|\bhasta|\bat\s+most)(?:\s+of)?\s*:?\s*\Z",
    re.I,
)
_FROM_RE = re.compile(
    r"(?:\bfrom|\bstarting(?:\s+(?:at|from))?|\bstarts?\s+at|\bmin(?:imum)?\.?|\bat\s+least|\bover|\babove|"
    r"\bmore\s+than|\bab|\bod|\bdesde|\ba\s+partir\s+de|\bà\s+partir\s+de|\bstarting\s+salary(?:\s+of)?|"
    r"\bno\s+less\s+than|\bnot\s+less\s+than|\bvanaf|\bfrån|\bfra|\bот|\bвід|\bda|\bmindestens|\bau\s+moins|"
    r"\bminimo|\bmínimo|\bnuo|\balates|\balkaen|\bfrá|\btừ|\btrên|"
    r"\b\w*mindest\w*\s+(?:betr[äa]gt|von|liegt\s+bei)|\bminimum\s+(?:salary|pay|wage)\s+(?:is|of))"
    r"(?:\s+of)?\s*:?\s*\Z",
    re.I,
)
_OPEN_AFTER_RE = re.compile(
    # "$135k+" is open-ended; "$120k + super" is an add-on, not an open top
    r"(?:\+|\s+\+(?!\s*[^\W\d_])|\s*[-~]\s*(?:\(|\Z)|\s*alkaen\b|'?\w{0,3}\s+(?:başlayan|itibaren)\b|\s*以上|\s*이상|\s*\bund\s+mehr\b|\bo\s+más\b|\bou\s+plus\b|\bou\s+mais\b|and\s+(?:up|above)\b|or\s+(?:more|above|higher)\b|and\s+more\b|plus\b(?!\s*\S)|"
    r"\(?\s*min(?:imum)?\b\.?\)?)",
    re.I,
)
_CAP_AFTER_RE = re.compile(
    # Japanese, Korean, Turkish ("60 bin TL'ye kadar") and Finnish ("5 000 € asti") caps come after
    r"\s*(?:以下|이하|まで|까지|'?\w{0,3}\s+kadar\b|asti\b|saakka\b|\(?\s*max(?:imum)?\b\.?\)?|or\s+(?:less|below|lower)\b)",
    re.I,
)
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
# Words that say a figure is pay, in the main languages.
_PAY_CONTEXT_RE = re.compile(
    r"\b(?:salary|salaries|pay|paid|wages?|rate|compensation|remuneration|earnings|income|ote|"
    r"gehalt|lohn|verg[üu]tung|stundensatz|salaire|r[ée]mun[ée]ration|tjm|sueldo|salario|sal[áa]rio|"
    r"remunera[çc][ãa]o|stipendio|retribuzione|ral|salaris|loon|wynagrodzenie|pensja|p[łl]aca|stawka|"
    r"mzda|plat|fizet[ée]s|b[ée]r|salariu|l[øöo]nn?|gaji|l[ưu][ơo]ng|зарплата|заработная|оклад|"
    r"зарплатня|base|basic|gross|net|brutto|netto|brut|bruto|lordo|ctc|package|doe|negotiable|depending|dependent|experience|tips|plus)\b"
    r"|薪|給|年収|월급|연봉|시급",
    re.I,
)
_HIGH_VALUE = frozenset("USD EUR GBP CHF CAD AUD NZD SGD".split())


# "kr" alone is Danish, Norwegian or Swedish: the language of the words around it decides.
_KRONE_LANGUAGE = (  # Norwegian's own words first: "måned" is Danish and Norwegian
    ("NOK", re.compile(r"\b(?:lønn|mellom|årslønn|månedslønn|timelønn)\b", re.I)),
    ("DKK", re.compile(r"\b(?:løn|lønnen|mellem|måned|måneden|timen|årsløn|månedsløn|timeløn)\b", re.I)),
    ("SEK", re.compile(r"\b(?:lön|lönen|mellan|månad|mån|månadslön|årslön|timme)\b", re.I)),
)


def _krone(s: str) -> str:
    for code, rx in _KRONE_LANGUAGE:
        if rx.search(s):
            return code
    return "SEK"


def _group_currency(s: str, g: _Group, groups: list[_Group]) -> str | None:
    code = _group_currency_any(s, g, groups)
    if code == "SEK" and not re.search(r"SEK|svenska|swedish", s, re.I):
        return _krone(s)
    return code


def _group_currency_any(s: str, g: _Group, groups: list[_Group]) -> str | None:
    toks = g.tokens
    if toks[0].strong:
        return toks[0].strong  # a mixed-currency range keeps the currency of the min
    for t in toks:
        if t.strong:
            return t.strong
    # a strong marker in the group's own context, e.g. "Salary (EUR): 50,000 - 60,000"
    for text in (g.left_cut, g.right_cut, g.left, g.right):
        for m in _ANY_CUR_RE.finditer(text):
            code = _code(m.group("code")) if m.group("code") else None
            sym = _symbol(m.group("sym")) if m.group("sym") else None
            if code:
                return code
            if sym and sym[1]:
                return sym[0]
    weak = next((t.weak for t in toks if t.weak), None)
    if weak is None:
        # anywhere in the string: strong first, then weak ($ board prefix, kr)
        found_weak = None
        for m in _ANY_CUR_RE.finditer(s):
            code = _code(m.group("code")) if m.group("code") else None
            sym = _symbol(m.group("sym")) if m.group("sym") else None
            if code:
                return code
            if sym and sym[1]:
                return sym[0]
            if sym and found_weak is None:
                found_weak = sym[0]
        weak = found_weak
    if weak is None:
        weak = currency_of_text(s)  # price-parser's own reading: "рублей", "Р" …
    if weak == "USD" and s.startswith("$") and s.count("$") == 1:
        # the board's "$" prefix: the employer's own symbol elsewhere decides
        for other in groups:
            for t in other.tokens:
                if t.strong:
                    return t.strong
    return weak


def _values(g: _Group) -> tuple[float | None, float | None] | None:
    toks = g.tokens
    mults = [t for t in toks if t.mult]
    amounts: list[float] = []
    for t in toks:
        if t.mult is None and mults and t.value < 1000:
            carrier = mults[-1] if t is toks[0] else mults[0]
            amounts.append(t.value * (carrier.mult or 1))
        else:
            amounts.append(t.amount)
    amounts = [round(a, 2) for a in amounts]
    if len(amounts) == 1:
        (v,) = amounts
        if _UPTO_RE.search(g.left_cut) or _CAP_AFTER_RE.match(g.right):
            return None, v
        if toks[0].plus or _FROM_RE.search(g.left_cut) or _OPEN_AFTER_RE.match(g.right):
            return v, None
        return v, v
    if len(amounts) == 2:
        low, high = min(amounts), max(amounts)
        if not mults and low < 1000 <= high / 2 <= low * 1000 <= high:
            low *= 1000  # "$125 - $140000": the low end written in thousands
        return low, high
    if all(a <= b for a, b in zip(amounts, amounts[1:], strict=False)):
        return amounts[0], amounts[-1]
    return amounts[0], amounts[1]


def _is_company_figure(g: _Group, currency: str | None) -> bool:
    for t in g.tokens:
        if t.mult_kind == "b":
            return True
        if t.mult_kind == "m" and (currency is None or currency not in _MILLIONS_OK):
            return True
        if t.mult is None and t.amount >= 10_000_000 and (currency is None or currency in _HIGH_VALUE):
            return True
    return False


def _choose(groups: list[_Group]) -> _Group:
    money = [g for g in groups if g.has_money]
    pool = money or groups
    chosen = pool[0]

    def label(g: _Group, rx: re.Pattern[str]) -> bool:
        return bool(rx.search(g.left_cut) or rx.search(g.right_cut))

    def side(g: _Group) -> str | None:
        """'full'/'part' from the nearest part-/full-time label before the figures, else after."""
        end = _LABEL_END_RE.search(g.right)
        for text in (g.left_cut, g.right[: end.start()] if end else g.right):
            fulls = [m.start() for m in _FULL_RE.finditer(text)]
            parts = [m.start() for m in _PART_RE.finditer(text)]
            if fulls or parts:
                return "full" if max(fulls, default=-1) > max(parts, default=-1) else "part"
        return None

    if side(chosen) == "part":
        full = next((g for g in pool if side(g) == "full"), None)
        if full is not None:
            chosen = full
    if label(chosen, _OTE_RE) and not label(chosen, _BASE_RE):
        base = next((g for g in pool if g is not chosen and label(g, _BASE_RE) and not label(g, _OTE_RE)), None)
        if base is not None:
            chosen = base
    return chosen


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_MARKDOWN_ESCAPE_RE = re.compile(r"\\([-$+.,()\[\]*_~#!])")
_SWISS_DASH_RE = re.compile(r"(\d)[.,][-–—](?!\s*\d)")
_DASH_RE = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACE_RE = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


def _clean(raw: str) -> str:
    s = raw.replace("\uff5e", "~").replace("\u301c", "~")
    s = _DASH_RE.sub("-", s)
    s = _MARKDOWN_ESCAPE_RE.sub(r"\1", s)  # "\$121,755 \- \$132,713" scraped from Markdown
    s = _SWISS_DASH_RE.sub(r"\1", s)  # "95'000.-", "4.000,-": a whole amount (Swiss, Dutch, German)
    return _SPACE_RE.sub(" ", s).strip()


def _infer_period(top: float, currency: str | None) -> str:
    if currency in _MONTHLY_NORM and 1000 <= top < 40000:
        return "month"
    if top >= 10000:
        return "year"
    if top >= 1000:
        return "month"
    return "hour"


def parse_salary(raw: str | None) -> Salary | None:
    """Normalise a posted salary string; ``None`` when it carries no usable salary."""
    if raw is None or not isinstance(raw, str):
        return None
    return _parse_salary_text(raw)


@functools.lru_cache(maxsize=8192)  # boards repeat the same strings; Salary is immutable
def _parse_salary_text(raw: str) -> Salary | None:
    s = _clean(raw)
    if not re.search(r"\d", s):
        return None
    toks = _tokens(s)
    if not toks:
        return None
    groups = _groups(s, toks)

    candidates: list[_Group] = []
    for g in groups:
        amounts = [t.amount for t in g.tokens]
        if all(a == 0 for a in amounts):
            continue  # placeholder (zero)
        if max(amounts) <= 1:
            continue  # placeholder ($1)
        context = g.left_cut + " " + g.right_cut
        perk = _STIPEND_RE.search(context) or _PERK_BEFORE_RE.search(g.left_cut)
        if perk and not _PAY_WORD_RE.search(context):
            continue  # not salary (benefit/equipment stipend)
        candidates.append(g)
    if not candidates:
        return None
    g = _choose(candidates)
    currency = _group_currency(s, g, groups)
    if currency is None and any(t.mult_kind in ("lakh", "lpa", "crore") for t in g.tokens):
        currency = "INR"  # lakh and crore are Indian units
    if _is_company_figure(g, currency):
        return None
    values = _values(g)
    if values is None:
        return None
    lo, hi = values
    if lo == 0:
        lo = None
    if hi == 0:
        hi = None
    if lo is None and hi is None:
        return None

    bare = currency is None and not any(t.mult for t in g.tokens)
    top = max(v for v in (lo, hi) if v is not None)
    if top < 1000 and bare and not _PAY_CONTEXT_RE.search(s):
        # a small bare figure followed by a noun that is no period counts things ("3 releases a
        # week", "2 spotkania w tygodniu"), whatever period words come later
        noun = re.match(r"\s*[^\W\d_]{2,}", g.right)
        if noun and not _ANY_PERIOD_RE.match(g.right.lstrip()):
            return None

    # stated period: the group's own stretch first, then anywhere not claimed by another group
    period = None
    if any(t.lpa for t in g.tokens):
        period = "year"
    if period is None:
        a, b = g.region
        found = _find_period(s[a:b])
        if found:
            period = found[1]
    if period is None:
        masked = list(s)
        for other in groups:
            if other is g:
                continue
            a, b = other.region
            masked[a:b] = " " * (b - a)
        found = _find_period("".join(masked))
        if found:
            period = found[1]
    if period is None:
        top = max(v for v in (lo, hi) if v is not None)
        bare = currency is None and not any(t.mult for t in g.tokens)
        if top < 1000 and bare and _WORD_RE.search(s) and not _PAY_CONTEXT_RE.search(s):
            # a small bare number in words that say nothing of money ("4 time zones", "top 10"); a
            # salary field holding only figures ("25-30") or a bound ("From 85000") still reads as pay
            return None
        period = _infer_period(top, currency)
    return Salary(lo, hi, currency, period)


# --- schema.org baseSalary -------------------------------------------------------------------

_UNIT_MAP = {
    "HOUR": "hour",
    "HOURLY": "hour",
    "HUR": "hour",
    "DAY": "day",
    "DAILY": "day",
    "WEEK": "week",
    "WEEKLY": "week",
    "WEE": "week",
    "MONTH": "month",
    "MONTHLY": "month",
    "MON": "month",
    "YEAR": "year",
    "YEARLY": "year",
    "ANNUAL": "year",
    "ANNUALLY": "year",
    "ANN": "year",
    "ANNUM": "year",
}


def _unit(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    key = re.sub(r"^(?:PER[_\s-]*)", "", value.strip().upper())
    return _UNIT_MAP.get(key)


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return _number_from_string(_clean(value))
    return None


def _currency_field(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    code = _code(v) or _code(v.upper())
    if code:
        return code
    sym = _symbol(v)
    return sym[0] if sym else None


def _from_amount(obj: Any, currency: str | None, unit: str | None) -> Salary | None:
    """One MonetaryAmount / QuantitativeValue / number / string."""
    if obj is None:
        return None
    if isinstance(obj, list | tuple):
        for item in obj:
            found = _from_amount(item, currency, unit)
            if found:
                return found
        return None
    if isinstance(obj, str) and obj.strip()[:1] in ("{", "["):
        try:
            decoded = json.loads(obj)  # a JSON-LD fragment kept as text
        except ValueError:
            decoded = None
        if isinstance(decoded, dict | list):
            return _from_amount(decoded, currency, unit)
    if isinstance(obj, str):
        parsed = parse_salary(obj)
        if parsed is None:
            return None
        explicit_usd = re.search(r"USD|US\$|dollar", obj, re.I)
        if currency and (parsed.currency is None or (parsed.currency == "USD" and not explicit_usd)):
            # the structured currency field beats a bare "$"
            parsed = Salary(parsed.min, parsed.max, currency, parsed.period)
        if unit and not _find_period(_clean(obj)):
            parsed = Salary(parsed.min, parsed.max, parsed.currency, unit)
        return parsed
    if isinstance(obj, int | float) and not isinstance(obj, bool):
        lo = hi = _num(obj)
        return _build(lo, hi, currency, unit)
    if not isinstance(obj, dict):
        return None
    currency = _currency_field(obj.get("currency")) or currency
    unit = _unit(obj.get("unitText")) or _unit(obj.get("unitCode")) or unit
    inner = obj.get("value")
    if isinstance(inner, dict | list | tuple) or (isinstance(inner, str) and not _num_only(inner)):
        if isinstance(inner, str):
            return _from_amount(inner, currency, unit)
        found = _from_amount(inner, currency, unit)
        if found:
            return found
    lo = _num(obj.get("minValue"))
    hi = _num(obj.get("maxValue"))
    if lo is None and hi is None and not isinstance(inner, dict | list | tuple):
        lo = hi = _num(inner)
    return _build(lo, hi, currency, unit)


def _num_only(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[\d.,'’ ]+\s*", text))


def _build(lo: float | None, hi: float | None, currency: str | None, unit: str | None) -> Salary | None:
    lo = lo if lo else None  # zero and negative placeholders are not figures
    hi = hi if hi else None
    if lo is not None and lo < 0:
        lo = None
    if hi is not None and hi < 0:
        hi = None
    if lo is None and hi is None:
        return None
    if max(v for v in (lo, hi) if v is not None) <= 1:
        return None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    top = max(v for v in (lo, hi) if v is not None)
    period = unit or _infer_period(top, currency)
    return Salary(lo, hi, currency, period)


def salary_from_base_salary(base_salary: Any) -> Salary | None:
    """schema.org JobPosting ``baseSalary`` → Salary, or None without a usable figure.

    Accepts a MonetaryAmount (``currency`` + ``value``), whose value is a QuantitativeValue
    (``minValue``/``maxValue``/``value`` + ``unitText`` HOUR/DAY/WEEK/MONTH/YEAR, or a UN/CEFACT
    ``unitCode``), a number or a string; a bare number or string; a list of any of these (the first
    usable one wins); or the same as JSON text. Strings go through :func:`parse_salary`'s number
    rules; the structured ``currency`` beats a bare ``$``; without a unit the period is inferred
    from the amount as for strings. Zero and $1 placeholders give None.
    """
    try:
        return _from_amount(base_salary, None, None)
    except (TypeError, ValueError, OverflowError):
        return None


def salary_from_stated(stated: Any) -> Salary | None:
    """A board's structured salary (:class:`aggregator.items.StatedSalary`: numbers, currency code,
    period word) → Salary, by the same rules as a ``baseSalary`` QuantitativeValue: zero and $1
    placeholders give None, a missing period is inferred from the amount."""
    if stated is None:
        return None
    return _build(_num(stated.min), _num(stated.max), _currency_field(stated.currency), _unit(stated.period))


def read_salary(stated: Any, base_salary: Any, salary_raw: str | None) -> Salary | None:
    """A raw item's salary, in the one order every caller uses: the board's structured numbers,
    then schema.org ``baseSalary``, then the string (read only when there are no numbers)."""
    return salary_from_stated(stated) or salary_from_base_salary(base_salary) or parse_salary(salary_raw)


def annualise(salary: Salary) -> tuple[float | None, float | None]:
    """Annual (min, max) in the posted currency; None where unknown."""
    factor = _ANNUAL_FACTOR.get(salary.period or "")
    if factor is None:
        return None, None

    def scale(v: float | None) -> float | None:
        return None if v is None else round(v * factor, 2)

    return scale(salary.min), scale(salary.max)
