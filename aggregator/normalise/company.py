"""Company names → comparison keys.

``company_key`` folds what is only typography (case, accents, punctuation, spacing) and the
legal form ("Inc.", "GmbH & Co. KG", "Pty Ltd" …), nothing else: two spellings of an employer
that differ in a word ("Outlier" / "Outlier AI") keep different keys, because the dedup labels
treat a different company field as a different company (DEDUP-SPEC rule 1).

A placeholder the boards print instead of a name ("None", "N/A", "Confidential" …) is no
company: its key is ``None`` (unknown), never a company called "None".
"""

from __future__ import annotations

import re

from aggregator.normalise.vocab import COMPANY_PLACEHOLDERS, fold, is_company_placeholder

__all__ = ["company_key", "is_placeholder", "real_company", "PLACEHOLDERS", "LEGAL_SUFFIXES"]

# Compared after folding (lower case, no accents, punctuation → space); the shared vocabulary.
PLACEHOLDERS = COMPANY_PLACEHOLDERS

# Legal forms, as folded token sequences. Only removed at the end of a name (repeatedly, so
# "GmbH & Co. KG" and "Pty Ltd" go), and never when nothing would be left.
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in (
        # English-speaking
        "inc",
        "incorporated",
        "llc",
        "l l c",
        "llp",
        "l l p",
        "lp",
        "ltd",
        "limited",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "pty",
        "pty ltd",
        "pvt",
        "pvt ltd",
        "private limited",
        "pte",
        "pte ltd",
        "pbc",
        # German-speaking
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ug",
        "e v",
        "ev",
        "gmbh co kg",
        "se",
        # French, Spanish, Portuguese, Italian
        "sa",
        "s a",
        "sas",
        "s a s",
        "sasu",
        "sarl",
        "s a r l",
        "eurl",
        "srl",
        "s r l",
        "spa",
        "s p a",
        "sl",
        "s l",
        "ltda",
        "sa de cv",
        "s a de c v",
        "de cv",
        # Benelux, Nordics, Central Europe
        "bv",
        "b v",
        "nv",
        "n v",
        "ab",
        "oy",
        "oyj",
        "as",
        "a s",
        "asa",
        "aps",
        "sp z o o",
        "s r o",
        "sro",
        "kft",
        "zrt",
        "d o o",
        "doo",
    )
)
_MAX_SUFFIX = max(len(s) for s in LEGAL_SUFFIXES)
_SUFFIXES = frozenset(LEGAL_SUFFIXES)
_NON_WORD = re.compile(r"[^\w]+")


def _comparison_words(text: str) -> str:
    """Folded (vocab.fold), ``&`` and punctuation as spaces, apostrophes joining."""
    text = fold(text).replace("&", " ")
    # Apostrophes join ("McDonald's" → "mcdonalds"); all other punctuation separates.
    text = re.sub(r"['’`´]", "", text)
    return _NON_WORD.sub(" ", text).replace("_", " ").strip()


def is_placeholder(name: object) -> bool:
    """Whether a company field holds no company: missing, blank or a placeholder ("N/A", "None",
    "Confidential", a literal field name such as ``name``)."""
    return not isinstance(name, str) or is_company_placeholder(name)


def real_company(*names: object) -> str | None:
    """The first of a source's company fields that names a company (API name, configured name,
    board slug …), stripped; None when every one is a placeholder."""
    for name in names:
        if not is_placeholder(name):
            return " ".join(str(name).split())
    return None


def company_key(name: str | None) -> str | None:
    """The comparison key of a company name, or None when the name is a placeholder.

    >>> company_key("Turnitin, LLC")
    'turnitin'
    >>> company_key("E. Breuninger GmbH & Co.")
    'e breuninger'
    >>> company_key("Outlier AI") == company_key("Outlier")
    False
    >>> company_key("None") is None
    True
    """
    if name is None:
        return None
    folded = _comparison_words(str(name))
    if folded in PLACEHOLDERS:
        return None
    tokens = folded.split()
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_MAX_SUFFIX, len(tokens) - 1), 0, -1):
            if tuple(tokens[-size:]) in _SUFFIXES:
                tokens = tokens[:-size]
                changed = True
                break
    key = " ".join(tokens)
    if not key or key in PLACEHOLDERS:
        return None
    return key
