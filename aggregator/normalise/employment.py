"""Employment type and seniority from JSON-LD ``employmentType`` and the job title.

Pure functions, no I/O.

``employment_type(jsonld_value, title)`` → ``full_time | part_time | contract | internship |
temporary | unknown``

* A JSON-LD value that maps to a type wins: ``FULL_TIME``, ``PART_TIME``, ``CONTRACTOR``,
  ``TEMPORARY``, ``INTERN``, ``PER_DIEM`` (→ temporary), free text (``"Full-time"``, ``"Contract"``,
  ``"Permanent"``, ``"Freelance"``, ``"Vollzeit"``, ``"CDI"`` …) or a list or comma-separated string
  of them. In a list the first value that maps is used, except that an internship anywhere wins
  (``["FULL_TIME", "INTERN"]`` is an internship posted as full time).
* ``OTHER``, ``VOLUNTEER``, empty or unknown values say nothing; the title decides.
* From text the most specific word wins: internship > temporary > contract > part_time >
  full_time, so ``"(Full-Time Contractor)"`` is contract and ``"Part-time Internship"`` internship.
  Temporary covers Temp, Seasonal, Fixed-term, Interim, cover roles and per diem; contract covers
  Contractor, Freelance, 1099, C2C, contract-to-hire (and ``B2B`` in a JSON-LD field, not a title).
  Words match whole: ``Internal``/``International`` are not internships, ``Contracts Manager``
  is a job, not a contract.

``seniority(title)`` → ``intern | junior | mid | senior | staff | principal | lead | manager |
director | unknown``; see its docstring for the precedence.

The words themselves, in English and the other languages (Vollzeit, CDI, tiempo completo,
Werkstudent, Leitender, confirmé, Pleno, Starszy …), live in :mod:`aggregator.normalise.vocab`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aggregator.normalise.vocab import (
    EMPLOYMENT_ENUMS,
    EMPLOYMENT_STRUCTURED_ONLY,
    EMPLOYMENT_WORDS,
    SENIORITY_WORDS,
    fold,
    phrase_pattern,
)

__all__ = ["EMPLOYMENT_TYPES", "SENIORITIES", "employment_type", "seniority"]

EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "internship", "temporary", "unknown")
SENIORITIES = (
    "intern",
    "junior",
    "mid",
    "senior",
    "staff",
    "principal",
    "lead",
    "manager",
    "director",
    "unknown",
)

# --- employment type -------------------------------------------------------------------------

_TEXT_RULES: list[tuple[str, re.Pattern[str]]] = [
    (kind, phrase_pattern(words)) for kind, words in EMPLOYMENT_WORDS.items()
]
_STRUCTURED_RULES: list[tuple[str, re.Pattern[str]]] = [
    (kind, phrase_pattern(words + EMPLOYMENT_STRUCTURED_ONLY.get(kind, ()))) for kind, words in EMPLOYMENT_WORDS.items()
]
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Enum values written without spaces ("tiempocompleto", "plnýúvazek", "períodointegral", as job
# sites' filters and JobSpy spell them): the same words with their spacing taken out, whole value.
_SPACING_RE = re.compile(r"\\s[+*?]|\[\\s[^\]]*\][+*?]?")
_COMPACT_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        kind,
        re.compile(
            "|".join(
                _SPACING_RE.sub("", word if word.isascii() else fold(word))
                for word in words + EMPLOYMENT_STRUCTURED_ONLY.get(kind, ())
            )
        ),
    )
    for kind, words in EMPLOYMENT_WORDS.items()
]


def _from_text(text: str | None, *, structured: bool = False) -> str | None:
    if not text:
        return None
    folded = fold(text)
    for kind, rx in _STRUCTURED_RULES if structured else _TEXT_RULES:
        if rx.search(folded):
            return kind
    return None


def _jsonld_values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # "full-or-part-time", "Freelance / Indépendant": alternatives, the first that maps wins
        return [v for v in re.split(r"[,;|/]|[\s_-]+(?:or|oder|ou)[\s_-]+", value) if v.strip()]
    if isinstance(value, dict):
        return _jsonld_values(value.get("name") or value.get("@value") or value.get("value"))
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            out.extend(_jsonld_values(item))
        return out
    return []


def _from_jsonld(value: Any) -> str | None:
    kinds: list[str] = []
    for raw in _jsonld_values(value):
        word = raw.strip().strip("\"'").rsplit("/", 1)[-1]  # "https://schema.org/FULL_TIME"
        spaced = _CAMEL_RE.sub(" ", word).replace("_", " ")  # "PartTime", "SALARIED_FT"
        code = re.sub(r"[\s_-]+", "", fold(word))
        if code in EMPLOYMENT_ENUMS:
            kind = EMPLOYMENT_ENUMS[code]
        elif compact := next((k for k, rx in _COMPACT_RULES if rx.fullmatch(code)), None):
            kind = compact
        else:
            kind = _from_text(spaced, structured=True)
        if kind:
            kinds.append(kind)
    if not kinds:
        return None
    if "internship" in kinds:
        return "internship"
    return kinds[0]


def employment_type(jsonld_value: Any, title: str | None) -> str:
    """Employment type from JSON-LD ``employmentType`` (which wins when informative), else the title."""
    return _from_jsonld(jsonld_value) or _from_text(title) or "unknown"


# --- seniority -------------------------------------------------------------------------------

_ROLE_NOUN = (
    r"(?:engineer|developer|dev|programmer|scientist|analyst|designer|architect|specialist|consultant|"
    r"administrator|admin|technician|associate|representative|rep|researcher|writer|accountant|"
    r"manager|recruiter|tester|coordinator|sre|devops|ops|support|agent|advisor|officer|editor|"
    r"producer|artist|attorney|counsel|nurse|auditor|strategist|marketer|planner|generalist)"
)
_LEVEL_RE = re.compile(
    rf"\b{_ROLE_NOUN}s?\s*[-,]?\s*(?:(?P<roman>(?-i:VI|IV|V|III|II|I))|(?:level\s*|l)?(?P<arabic>[1-6]))(?![\w+#.])",
    re.I,
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_LEVEL_NAME = {1: "junior", 2: "mid", 3: "senior"}  # 4 and above: staff

_SENIORITY_RULES: list[tuple[str, re.Pattern[str]]] = [
    (level, phrase_pattern(words)) for level, words in SENIORITY_WORDS.items()
]


# "<X> Manager" titles that name a role rather than a people-management level.
_ROLE_MANAGER_RE = re.compile(
    r"\b(?:product|project|program|programme|account|community|case|success|release|change|content|"
    r"campaign|partner|partnerships?|property|media|delivery|portfolio|category|brand|territory|"
    r"marketing|social|office|relationship|key\s+account|channel|event|events|growth|seo|"
    r"ecommerce|e-commerce|store|shop|inventory|payroll|facilities|configuration|incident|"
    r"technical\s+account|solutions?|implementation|onboarding|vendor|contracts?)\s*\Z",
    re.I,
)


def seniority(title: str | None) -> str:
    """Seniority from a job title.

    Precedence, first match wins:

    1. **intern**: Intern, Internship, Trainee, Apprentice, Working Student, Werkstudent,
       Alternance, Co-op (whole words: "Internal", "International" do not count).
    2. **director**: Director, Head of, VP/SVP/Vice President, Chief … Officer, CTO/CEO/CIO ….
    3. **manager**: Manager/Mgr, so "Senior Engineering Manager" is manager. Product, Project,
       Program, Account, Community, Customer Success, Release, Delivery … Manager are roles, not
       people-management levels; for those the other words decide ("Senior Product Manager" →
       senior, "Product Manager" → unknown).
    4. **principal**: Principal (also the common misspelling "Principle"), Distinguished, Fellow.
    5. **staff**: Staff ("Senior Staff Engineer" → staff).
    6. **lead**: Lead, Tech Lead, Team Lead, Technical Lead, Leader ("Senior Lead" → lead;
       "Lead Generation" is not a level).
    7. **senior**: Senior, Sr, Sr., Snr, Sênior.
    8. **mid**: Mid, Mid-Level, Middle, Intermediate, Medior, Pleno, Semi-Senior.
    9. **junior**: Junior, Jr, Jr., Entry-Level, Graduate, New Grad, Associate.

    Numbered levels after a role noun are used when no word above matched
    ("Software Engineer II", "Data Scientist 3", "Engineer, Level 2"):
    I/1 → junior, II/2 → mid, III/3 → senior, IV/4 and above → staff.
    A title with several level words takes the highest in this order ("Senior/Principal
    Engineer" → principal); a title with none is unknown.
    """
    if not title or not title.strip():
        return "unknown"
    text = re.sub(r"\s+", " ", title)
    folded = fold(text)
    for level, rx in _SENIORITY_RULES:
        if level == "manager":
            if any(not _ROLE_MANAGER_RE.search(folded[: m.start()]) for m in rx.finditer(folded)):
                return level
            continue
        if rx.search(folded):
            return level
    m = _LEVEL_RE.search(text)
    if m:
        n = _ROMAN[m.group("roman").upper()] if m.group("roman") else int(m.group("arabic"))
        return _LEVEL_NAME.get(n, "staff")
    return "unknown"
