"""The language a description is written in (py3langid: a naive Bayes model shipped inside
the package, so it works offline). Only "is this another-language copy?" depends on it."""

from __future__ import annotations

from functools import cache

MIN_CHARS = 200  # shorter texts are left undetermined
MIN_CONFIDENCE = 0.9  # below this (mixed-language, code, lists of names) the language is unknown
# Characters read: the classifier's cost grows with them; 400 gave the answers 600 did on every
# posting of the recorded months (dedup fixtures), 300 did not.
_SAMPLE = 400


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or unclear."""
    text = text.strip()
    if len(text) < MIN_CHARS:
        return None
    language, confidence = _identifier().classify(text[:_SAMPLE])
    return language if confidence >= MIN_CONFIDENCE else None
