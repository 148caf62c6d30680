"""Numbers as salaries write them: thousands separators, decimal marks, k/M/lakh/crore suffixes."""

from __future__ import annotations

import re

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
