"""Description lines: which are the job itself and which are company blurb, benefits, pay or
legal text (spec rule 4 tolerates any change in the latter), and the named team, if any."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from aggregator.dedup.vocab import BOILERPLATE_KEYS, INTRO_KEYS

_JOB_HEAD = re.compile(
    r"^(?:job description|description du poste|the role|the job|the position|the opportunity|"
    r"about the (?:role|job|position|opportunity|team|work)|about this (?:role|job|position)|about you|"
    r"role overview|position overview|overview|summary|job summary|position summary|"
    r"(?:key |main |your |primary )?responsibilit|(?:key |your )?duties|what you.ll|what you will|what will you|"
    r"what we.re looking for|what we are looking for|who you are|you are|you have|you will|"
    r"(?:minimum |basic |preferred |required |desired |key )?(?:requirements|qualifications|skills)|"
    r"must have|nice to have|bonus|preferred|the ideal candidate|ideal candidate|"
    r"your (?:role|profile|mission|missions|tasks|impact|day)|in this role|day.to.day|tasks|"
    r"missions?|vos missions|votre mission|votre profil|profil|le poste|"
    r"deine aufgaben|dein profil|ihre aufgaben|ihr profil|aufgaben|"
    r"wat ga je doen|wat zoeken we|responsabilidades|requisitos)\b"
)
_BOILER_HEAD = re.compile(
    r"^(?:about (?!the (?:role|job|position|opportunity|team|work)\b|this (?:role|job|position)\b|you\b)"
    r"|company description|company overview|who we are|our (?:story|mission|values|culture|company)|"
    r"why (?:join|work)|why you.ll love|life at|working at|what we offer|what you.ll get|we offer|"
    r"(?:our |the )?benefits|perks|compensation|pay (?:range|transparency)|salary|total rewards|"
    r"equal (?:employment )?opportunit|eeo|diversity|additional information|our commitment|"
    r"accommodation|privacy|notice|legal|disclaimer|nos avantages|avantages|qui sommes|[aà] propos|"
    r"l.entreprise|[uü]ber uns|wir bieten|was wir bieten|benefits|location|how to apply|"
    r"hiring process|interview process|recruitment process)"
)
# Substrings of a folded line that make it boilerplate wherever it stands.

TEAM_LINE = re.compile(
    r"^(?:engineering\s+)?(?:pod|team|squad|tribe|product area|product|department|group|org|organization)\s*"
    r"(?:name)?\s*[:\-–]\s*(.{2,80})$"
)


_BULLETS = " \t*•·-–—>▪◦●○■□➢✓✔→"


def text_lines(prepared_text: str) -> list[str]:
    out = []
    for line in prepared_text.split("\n"):
        line = line.strip(_BULLETS)
        if line:
            out.append(line)
    return out


def _guarded(keys: Sequence[str], last_word_complete: bool) -> tuple[tuple[str | None, str], ...]:
    """(a whole word of the key, or None; key): a key with a word that does not occur in a
    text is not searched for (its longest whole word is the cheapest test)."""
    out = []
    for key in keys:
        words = key.split()
        whole = words if last_word_complete else words[:-1]
        whole = [w for w in whole if w.isalpha() and len(w) > 3]
        out.append((max(whole, key=len) if whole else None, key))
    return tuple(out)


_BOILER_GUARDED = _guarded(BOILERPLATE_KEYS, last_word_complete=False)
_INTRO_GUARDED = _guarded(INTRO_KEYS, last_word_complete=True)


def _key_lines(
    keys: Sequence[tuple[str | None, str]], joined: str, starts: list[int], words: set[str] | None
) -> set[int]:
    hits = set()
    for first, key in keys:
        if first is not None and words is not None and first not in words:
            continue
        pos = joined.find(key)
        while pos >= 0:
            hits.add(bisect.bisect_right(starts, pos) - 1)
            pos = joined.find(key, pos + 1)
    return hits


def _heading(line: str) -> str | None:
    """The section a heading line opens ("job", "boiler"); None for any other line."""
    if len(line) <= 80 and line.count(" ") < 8:
        head = line.rstrip(":").strip()
        if _JOB_HEAD.match(head):
            return "job"
        if _BOILER_HEAD.match(head):
            return "boiler"
    return None


def boilerplate_flags(lines: list[str], company_words: tuple[str, ...], words: set[str] | None = None) -> list[bool]:
    """True for lines that are company blurb, benefits, pay or legal text (rule 4 tolerates
    any change there), False for the job itself."""
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    joined = "\n".join(lines)
    headings = [_heading(line) for line in lines]
    boiler_lines = _key_lines(_BOILER_GUARDED, joined, starts, words)
    # Intro phrases count only before the first heading: searched there alone (no key holds a
    # line break, so one found in those lines lies within them).
    first = next((i for i, heading in enumerate(headings) if heading), len(lines))
    intro_lines = _key_lines(_INTRO_GUARDED, joined[: starts[first]] if first < len(lines) else joined, starts, words)
    company_re = re.compile(r"\b" + r"\s+".join(map(re.escape, company_words)) + r"\b") if company_words else None
    flags: list[bool] = []
    section: str | None = None  # None (not yet known), "job", "boiler"
    seen_job = False
    for i, (line, heading) in enumerate(zip(lines, headings, strict=True)):
        if heading == "job":
            section, seen_job = "job", True
            flags.append(False)
            continue
        if heading == "boiler":
            section = "boiler"
            flags.append(True)
            continue
        if i in boiler_lines or section == "boiler":
            flags.append(True)
            continue
        if not seen_job and section is None:
            # Opening paragraphs before any job heading: company intro if they say so.
            if i in intro_lines or (company_re and len(line) > 120 and company_re.search(line)):
                flags.append(True)
                continue
        flags.append(False)
    return flags
