"""One folding: the normalisers' ``strip_accents`` / ``fold``, which dedup also folds with."""

from __future__ import annotations

import random
import unicodedata

from aggregator.dedup.text import fold as dedup_fold
from aggregator.normalise.vocab import LETTER_TABLE, fold, strip_accents

# Letters, accents and marks of several scripts, typographic punctuation, Hangul syllables and
# jamo, kana with voicing marks, ligatures, spaces of other widths.
_POOL = [
    chr(c)
    for block in (
        range(0x20, 0x7F), range(0xC0, 0x250), range(0x300, 0x370), range(0x370, 0x400), range(0x400, 0x4FF),
        range(0x590, 0x600), range(0x600, 0x660), range(0x900, 0x980), range(0x1100, 0x1120), range(0x2000, 0x2030),
        range(0x3040, 0x3100), range(0xAC00, 0xAC40), range(0xFB00, 0xFB07), range(0xFF01, 0xFF5E),
    )
    for c in block
]  # fmt: skip


def _whole_text(text: str) -> str:
    """The definition: the whole text decomposed, then every combining mark dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LETTER_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_strip_accents_is_the_whole_text_decomposed_without_marks() -> None:
    rng = random.Random(17)
    for _ in range(20_000):
        text = "".join(rng.choice(_POOL) for _ in range(rng.randint(1, 16)))
        assert strip_accents(text) == _whole_text(text), repr(text)
        assert fold(text) == _whole_text(text).casefold(), repr(text)
    assert strip_accents("Łódź, Zürich, Geschäftsführer") == "Lodz, Zurich, Geschaftsfuhrer"
    assert strip_accents("e\u0301te\u0301") == "ete"  # marks after ASCII letters


def test_dedup_folds_with_the_normalisers_fold_after_its_plain_step() -> None:
    assert dedup_fold("Zürich • Remote\u200b") == fold("Zürich   Remote") == "zurich   remote"
    assert dedup_fold("ΛΟΓΟΣ") == fold("λόγος") == "λογοσ"
