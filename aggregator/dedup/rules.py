"""The spec's rules (docs/dedup-spec.md), one function each, and ``compare`` that applies them
in the spec's order: the first rule that decides, decides.

1. ``company_rule``: the company field differs → different; an unknown company must be named
   in the other posting's text (the employer the text shows stands in for the field).
2. ``level_rule``: the level differs → different (the title's level, else the text's).
3. ``team_rule``: a named team / pod differs → different.
4. ``translation_rule``: another-language copy of the same posting → same (language detection
   plus language-neutral signals: names, numbers, products, in order).
4/5. ``text_rule``: the same text (location, boilerplate and small edits tolerated) → same,
   unless the titles name different specialisms.
6. Consecutive requisitions of one text are one job: nothing in the rules looks at ids.

Every threshold is a field of :class:`Thresholds`; bench/dedup_quality.py chooses them by
cross-validation across the two labelled months.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aggregator.dedup.fingerprint import PostingFingerprint
from aggregator.dedup.text import jaccard, normalise_words, word_hash
from aggregator.dedup.titles import levels_compatible
from aggregator.dedup.vocab import LANGUAGE_NAMES, NOISE_WORDS, STOPWORDS


@dataclass(frozen=True)
class Thresholds:
    # Chosen by bench/dedup_quality.py: a coordinate search on both labelled months, the
    # middle of each plateau of best values; its cross-validation (tuned on one month,
    # measured on the other) is printed beside the dev scores.
    same_title: float = 0.70  # text similarity when the titles say the same thing
    general_title: float = 0.825  # one title adds words the other lacks ("…, Payments")
    reworded_title: float = 0.875  # both titles have words of their own
    max_reword_residual: int = 2  # changed text words not explained by the title change
    translation_title: float = 0.55  # Dice of title stems across languages
    translation_anchors: float = 0.2  # order-preserving overlap of language-neutral words
    translation_length_ratio: float = 2.0  # longest / shortest text of a translation pair
    # Search limits; of these only min_estimate is tuned (the others bound the cost).
    candidate_limit: int = 60  # candidates taken from the LSH index per posting
    min_estimate: float = 0.25  # skip candidates whose MinHash Jaccard estimate is lower
    good_enough: float = 0.98  # stop looking once a copy this similar matched
    per_job: int = 3  # postings of one job compared at most (its most similar ones)
    apply_url_min_similarity: float = 0.3


@dataclass(frozen=True)
class Verdict:
    same: bool
    rule: str  # which rule decided: "company", "level", "title", "team", "text", "translation"
    score: float  # text similarity (0..1)
    detail: str


def text_similarity(a: PostingFingerprint, b: PostingFingerprint) -> tuple[float, str]:
    """Word-shingle Jaccard of the whole texts, or of their job parts (boilerplate lines
    removed) when that is higher: a rewritten company blurb or an added benefits / pay / EEO
    section does not make two copies of one job different (rule 4)."""
    full = jaccard(a.shingles, b.shingles)
    if not a.has_boilerplate and not b.has_boilerplate:
        return full, "full"
    core = jaccard(a.core_shingles, b.core_shingles)
    return (core, "job part") if core > full else (full, "full")


# ---------------------------------------------------------------------------------------------
# Rule 1: company
# ---------------------------------------------------------------------------------------------


def company_rule(a: PostingFingerprint, b: PostingFingerprint) -> Verdict | None:
    """Different company fields → different. One unknown company: the same job only if its
    text names the other's company. Both unknown: different when the texts name different
    employers for themselves (neither naming the other's); else left to the text rules,
    with a stricter floor."""
    if a.company_key and b.company_key:
        if a.company_key != b.company_key:
            return Verdict(False, "company", 0.0, f"company {a.company_key!r} ≠ {b.company_key!r}")
        return None
    known, unknown = (a, b) if a.company_key else (b, a)
    if known.company_key:
        if not unknown.has_phrase(normalise_words(known.company_key)):
            return Verdict(False, "company", 0.0, f"text does not name {known.company_key!r}")
        return None
    # Both unknown: the employers the texts name for themselves stand in for the fields.
    if a.employer and b.employer and a.employer != b.employer:
        if not b.has_phrase(normalise_words(a.employer)) and not a.has_phrase(normalise_words(b.employer)):
            return Verdict(False, "company", 0.0, f"texts name {a.employer!r} and {b.employer!r}")
    return None


# ---------------------------------------------------------------------------------------------
# Rule 2: level
# ---------------------------------------------------------------------------------------------


def level_rule(a: PostingFingerprint, b: PostingFingerprint) -> Verdict | None:
    """Different levels → different. The level is the title's, else the one the text states
    for its own role ("as a senior developer"), so an unlevelled title whose text states the
    other title's level is that level."""
    if levels_compatible(a.level, b.level):
        return None
    return Verdict(False, "level", 0.0, f"level {list(a.level) or '-'} ≠ {list(b.level) or '-'}")


# ---------------------------------------------------------------------------------------------
# Rule 3: team
# ---------------------------------------------------------------------------------------------


def team_rule(a: PostingFingerprint, b: PostingFingerprint, sim: float) -> Verdict | None:
    """A named team / pod / squad line that differs → different (Mynd's pods on one text)."""
    if a.team and b.team and a.team != b.team:
        return Verdict(False, "team", sim, f"team {a.team!r} ≠ {b.team!r}")
    return None


# ---------------------------------------------------------------------------------------------
# Rule 4, language: translations
# ---------------------------------------------------------------------------------------------


def _stem_dice(a: Sequence[str], b: Sequence[str]) -> float:
    sa = {t[:5] for t in a if t != "engineer"}
    sb = {t[:5] for t in b if t != "engineer"}
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def _anchor_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Order-preserving overlap of the language-neutral words (names, products, numbers)."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    sm = difflib.SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks())
    return 2 * matched / (len(a) + len(b))


def is_translation_pair(a: PostingFingerprint, b: PostingFingerprint, sim: float) -> bool:
    """Two texts in different detected languages that share little wording."""
    return bool(a.language and b.language and a.language != b.language and sim < 0.5)


def translation_rule(a: PostingFingerprint, b: PostingFingerprint, sim: float, th: Thresholds) -> Verdict:
    """Another-language copy of the same posting: the titles share stems, the lengths are
    comparable, and the language-neutral words (names, numbers, products) follow the same
    order or both link to the same apply page."""
    pair = f"{a.language}/{b.language}"
    dice = _stem_dice(a.title_tokens, b.title_tokens)
    if dice < th.translation_title:
        return Verdict(False, "translation", sim, f"{pair}: titles differ ({dice:.2f})")
    ratio = len(a.tokens) / max(1, len(b.tokens))
    if not 1 / th.translation_length_ratio <= ratio <= th.translation_length_ratio:
        return Verdict(False, "translation", sim, f"{pair}: lengths differ ({ratio:.2f})")
    overlap = _anchor_overlap(a.anchors, b.anchors)
    if a.apply_url and a.apply_url == b.apply_url:
        return Verdict(True, "translation", overlap, f"{pair} translation, same apply link, title {dice:.2f}")
    if overlap < th.translation_anchors:
        return Verdict(False, "translation", overlap, f"{pair}: names differ ({overlap:.2f})")
    return Verdict(True, "translation", overlap, f"{pair} translation, title {dice:.2f}")


# ---------------------------------------------------------------------------------------------
# Rules 4 and 5: text, then titles
# ---------------------------------------------------------------------------------------------

_STOP_HASHES = frozenset(word_hash(w) for w in STOPWORDS | NOISE_WORDS | LANGUAGE_NAMES)


def _diff_residual(a: PostingFingerprint, b: PostingFingerprint, explained: set[int]) -> int:
    """How many changed words between the texts are not title words."""
    sm = difflib.SequenceMatcher(None, a.core_tokens.tolist(), b.core_tokens.tolist(), autojunk=False)
    residual = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        for h in a.core_tokens[i1:i2].tolist() + b.core_tokens[j1:j2].tolist():
            if h not in explained:
                residual += 1
    return residual


def text_rule(a: PostingFingerprint, b: PostingFingerprint, sim: float, how: str, th: Thresholds) -> Verdict:
    """Rule 4: similar enough text is the same job. Rule 5: how similar depends on the titles
    — the same words, one adding words its text supports ("…, Payments"), or a rewording (both
    have words of their own) — and a title word neither text supports names another
    specialism."""
    ta, tb = set(a.title_tokens), set(b.title_tokens)
    extra_a, extra_b = ta - tb, tb - ta
    must_explain = False
    if not extra_a and not extra_b:
        relation, need = "same", th.same_title
    else:
        # Extra title words must be about this text ("Payments" team named in it), else the
        # title names another specialism (CloudSec vs ProdSec on one text).
        for fp, extra in ((a, extra_a), (b, extra_b)):
            missing = [w for w in extra if not fp.supports_title_word(w)]
            if missing:
                return Verdict(False, "title", sim, f"title words {missing} not in its text")
        # A title word the other text lacks: only a retitling if the text changed just there
        # ("AWS Cognito Engineer" → "DevOps Engineer" with that one word changed).
        must_explain = any(not b.has_word(w) for w in extra_a) or any(not a.has_word(w) for w in extra_b)
        if extra_a and extra_b:
            relation, need = "reworded", th.reworded_title
        elif must_explain:
            relation, need = "retitled", th.reworded_title
        else:
            relation, need = "general", th.general_title
    if not a.company_key and not b.company_key:
        # No employer established (one known company named in the other's text is: rule 1
        # checked it), so only a near-identical text stands in for it: as similar as the
        # strictest title case asks.
        need = max(need, th.reworded_title)
    if sim < need:
        return Verdict(False, "text", sim, f"text {how} {sim:.2f} < {need:.2f} ({relation} title)")
    if relation == "reworded" or must_explain:
        explained = {word_hash(w) for w in ta | tb} | _STOP_HASHES
        residual = _diff_residual(a, b, explained)
        if residual > th.max_reword_residual:
            return Verdict(False, "title", sim, f"{relation} title and text changed ({residual} words)")
    return Verdict(True, "text", sim, f"text {how} {sim:.2f}, {relation} title")


def compare(a: PostingFingerprint, b: PostingFingerprint, th: Thresholds | None = None) -> Verdict:
    """Apply the spec's rules to two postings, in order. ``a`` is usually the new one."""
    th = th or Thresholds()
    verdict = company_rule(a, b) or level_rule(a, b)
    if verdict:
        return verdict
    sim, how = text_similarity(a, b)
    if is_translation_pair(a, b, sim):
        return translation_rule(a, b, sim, th)
    return team_rule(a, b, sim) or text_rule(a, b, sim, how, th)
