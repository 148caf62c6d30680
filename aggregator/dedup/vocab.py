"""The word lists dedup reads (``data/``): phrases, synonyms, stop and noise words, place and
language words, boilerplate cues. Data lives in the files; this module only loads it. The level
words are the normalisers' (``aggregator.normalise.vocab.LEVEL_GRADES``): one vocabulary; their
spellings ("sr", "vice president") join the synonyms and phrases here.

File formats: ``*.txt`` holds entries one per line (or words separated by spaces, for word
lists); ``*.tsv`` maps ``<target><TAB><variants>``. Lines starting with ``"# "`` are comments.
"""

from __future__ import annotations

from pathlib import Path

from aggregator.normalise.location.vocabulary import not_places
from aggregator.normalise.vocab import level_spellings, level_word_grades

DATA = Path(__file__).resolve().parent / "data"


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip() and not line.startswith("# ")]


def entries(name: str) -> tuple[str, ...]:
    """One entry per line, spaces kept (substring cues such as " pto ")."""
    return tuple(line.lower() for line in _lines(name))


def words(name: str) -> frozenset[str]:
    """Every whitespace-separated word of the file."""
    return frozenset(w for line in _lines(name) for w in line.split())


def mapping(name: str) -> dict[str, str]:
    """variant → target for a ``<target><TAB><variants>`` file."""
    out: dict[str, str] = {}
    for line in _lines(name):
        target, variants = line.split("\t", 1)
        for variant in variants.split():
            out[variant] = target
    return out


def phrase_mapping(name: str) -> dict[tuple[str, ...], str]:
    """word tuple → word for a ``<phrase><TAB><word>`` file."""
    out: dict[tuple[str, ...], str] = {}
    for line in _lines(name):
        phrase, word = line.split("\t")
        out[tuple(phrase.split())] = word.strip()
    return out


# A level's spellings are its one word ("sr" → senior, "vice president" → vp); a spelling with
# punctuation ("sr.") never meets dedup, whose words have none.
_SPELLINGS = {form: word for form, word in level_spellings().items() if form.replace(" ", "").isalnum()}
PHRASES = phrase_mapping("phrases.tsv") | {tuple(f.split()): w for f, w in _SPELLINGS.items() if " " in f}
SYNONYMS = mapping("synonyms.tsv") | {f: w for f, w in _SPELLINGS.items() if " " not in f}
# Level words of titles, shared with the normaliser: single words, and phrases as word tuples.
LEVEL_WORDS = {form: grade for form, grade in level_word_grades().items() if " " not in form}
LEVEL_PHRASES = {tuple(form.split()): grade for form, grade in level_word_grades().items() if " " in form}
STOPWORDS = words("stopwords.txt")
NOISE_WORDS = words("noise_words.txt")
LANGUAGE_NAMES = words("language_names.txt")
REGION_WORDS = words("region_words.txt")
NOT_PLACES = not_places("titles")  # the location parser's list: one list of place names that are words
PLACE_ALIASES = entries("place_aliases.txt")
BOILERPLATE_KEYS = entries("boilerplate_keys.txt")
INTRO_KEYS = entries("intro_keys.txt")
UNSTEMMED = words("unstemmed.txt")
FUNCTION_WORDS = words("function_words.txt")
LEVEL_CUES = words("level_cues.txt")
ROLE_WORDS = words("role_words.txt")


def gazetteer_names() -> tuple[str, ...]:
    """Place names a title may carry: the location normaliser's gazetteer (countries, states,
    subdivisions, cities of at least 100k people and the other names of those of 1M, regions,
    metro aliases, time zones) and ``place_aliases.txt`` (title abbreviations it lacks). Not kept:
    ``titles.gazetteer`` keeps what it makes of them."""
    from aggregator.normalise.location.gazetteer import place_names

    return tuple(sorted(place_names(min_city_population=100_000, min_alternate_population=1_000_000))) + PLACE_ALIASES
