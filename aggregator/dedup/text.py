"""Text → comparison words: folding, punctuation, phrases, synonyms, stemming, word hashes and
shingles. Titles and descriptions go through the same steps, so a title word can be looked up
in the text."""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np
import snowballstemmer

from aggregator.dedup.vocab import FUNCTION_WORDS, PHRASES, STOPWORDS, SYNONYMS, UNSTEMMED
from aggregator.normalise.vocab import fold as vocab_fold

SHINGLE = 3  # words per shingle
SENTINEL = "\x00"  # line separator inside a token stream

# Punctuation → space (words are what remains between spaces). "c#", "c++", "f#" are
# protected first; "#", "+" elsewhere are punctuation too.
_PUNCT = "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~’‘“”„‚–—―•·…«»‹›¿¡©®™°§¶†‡│¦¬¨´¸·‐‑‒⁄、。，：；！？（）【】「」"
_ASCII_PUNCT_TABLE = bytes.maketrans(
    bytes(ch for ch in range(128) if chr(ch) in _PUNCT), b" " * sum(1 for ch in range(128) if chr(ch) in _PUNCT)
)
_COMMON_UNICODE = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"),
    ("\u2022", " "), ("\u00a0", " "), ("\u2026", " "), ("\u00b7", " "), ("\u200b", ""),
)  # fmt: skip
_PROTECT_RE = re.compile(r"c\+\+|[cf]#", re.IGNORECASE)
_PROTECTED_SPELLINGS = {"c++": " cpp ", "c#": " csharp ", "f#": " fsharp "}
_UNICODE_PUNCT_RE = re.compile("[" + re.escape("".join(ch for ch in _PUNCT if ord(ch) > 127)) + "]")


def depunct(text: str) -> str:
    """Punctuation → spaces ("/" kept as a word of its own, it blocks phrase merges)."""
    # Every spelling protected has "#" or "++" (a lone "+" is common, and the search is not cheap).
    if "#" in text or "++" in text:
        text = _PROTECT_RE.sub(lambda m: _PROTECTED_SPELLINGS[m.group(0).lower()], text)
    if "/" in text:
        text = text.replace("/", " / ")
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_PUNCT_TABLE).decode("ascii")
    for old, new in _COMMON_UNICODE:
        if old in text:
            text = text.replace(old, new)
    # ASCII punctuation bytes never occur inside a multi-byte UTF-8 sequence.
    text = text.encode("utf-8").translate(_ASCII_PUNCT_TABLE).decode("utf-8")
    if not text.isascii() and _UNICODE_PUNCT_RE.search(text):
        text = _UNICODE_PUNCT_RE.sub(" ", text)
    return text


_PHRASE_FIRST = frozenset(k[0] for k in PHRASES)


def merge_phrases(words: list[str]) -> list[str]:
    """Merge known phrases; a "/" between two words ("Senior/Staff") blocks a merge."""
    if not _PHRASE_FIRST.intersection(words):
        return [w for w in words if w != "/"] if "/" in words else words
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if w in _PHRASE_FIRST:
            if i + 2 < n and (w, words[i + 1], words[i + 2]) in PHRASES:
                out.append(PHRASES[(w, words[i + 1], words[i + 2])])
                i += 3
                continue
            if i + 1 < n and (w, words[i + 1]) in PHRASES:
                out.append(PHRASES[(w, words[i + 1])])
                i += 2
                continue
        if w != "/":
            out.append(w)
        i += 1
    return out


# One word → one normalised word (after folding). Role nouns in several languages become
_STEMMER = snowballstemmer.stemmer("english")

# The word caches below only save time, never change a result, and live as long as a crawl's writer
# process: sized for the words a crawl meets often, not for every word it meets. A month of one
# board has ~20k distinct tokens and the count keeps growing with a crawl's size (about as its
# square root), so unbounded they held ~130 MB per 200k words; these sizes keep them to ~25 MB.
WORD_CACHE_SIZE = 30_000
# RAW_HASH and _TOKEN_HASH (plain dicts, for speed) are emptied when one grows past this.
TOKEN_CACHE_LIMIT = 40_000


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _stem(word: str) -> str:
    """Snowball's English stem ("Training"/"trained", "Evaluation"/"evaluating" meet); short
    words, acronyms and the role and level words are kept as they are."""
    if len(word) <= 4 or word in UNSTEMMED or not word.isalpha():
        return word
    return _STEMMER.stemWord(word)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def norm_word(word: str) -> str:
    """A folded word → its comparison form: synonyms mapped, then stemmed."""
    return _stem(SYNONYMS.get(word, word))


def plain(text: str) -> str:
    """Curly quotes, dashes, bullets, non-breaking spaces → their ASCII stand-ins."""
    if not text.isascii():
        for old, new in _COMMON_UNICODE:
            if old in text:
                text = text.replace(old, new)
    return text


def fold(text: str) -> str:
    """The normalisers' folding (lower case, compatibility forms, no accents; non-Latin letters
    kept) after ``plain``: typographic bullets and dots become spaces, zero-width spaces go."""
    return vocab_fold(plain(text))


def split_words(folded: str) -> list[str]:
    """Words of a folded line / title, phrases merged ("machine learning" → "ml")."""
    return merge_phrases(depunct(folded).split())


def normalise_words(text: str) -> list[str]:
    """The normalised words of a text (title or description), in order."""
    return [norm_word(w) for w in split_words(fold(text))]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


_TOKEN_HASH: dict[str, int] = {}  # folded word → hash of its normalised form
# Words that are never anchors, even capitalised at the start of a sentence.
ANCHOR_STOP = STOPWORDS | FUNCTION_WORDS
RAW_HASH: dict[str, int] = {}  # original-case token → hash of its normalised form
ANCHOR_TOKENS: set[str] = set()  # original-case tokens that are anchors (see token_info)


def token_hash(folded: str) -> int:
    h = _TOKEN_HASH.get(folded)
    if h is None:
        h = _TOKEN_HASH[folded] = word_hash(norm_word(folded))
    return h


@lru_cache(maxsize=1)
def phrase_tables() -> tuple[dict[tuple[int, ...], int], np.ndarray, int, int]:
    """Phrases as hash tuples → merged hash; hashes that start a phrase; sentinel, slash."""
    table = {tuple(token_hash(w) for w in k): token_hash(v) for k, v in PHRASES.items()}
    firsts = np.array(sorted({k[0] for k in table}), dtype=np.uint32)
    return table, firsts, token_hash(SENTINEL), token_hash("/")


def merge_hashes(arr: np.ndarray) -> np.ndarray:
    """``merge_phrases`` on a token-hash stream ("machine learning" → "ml")."""
    table, firsts, _, _ = phrase_tables()
    pos = np.searchsorted(firsts, arr)
    pos[pos == len(firsts)] = 0
    starts = np.flatnonzero(firsts[pos] == arr)
    if len(starts) == 0:
        return arr
    merges: list[tuple[int, int, int]] = []  # (start, words, merged hash)
    prev = 0
    for i in starts.tolist():
        if i < prev:
            continue
        for size in (3, 2):
            key = tuple(arr[i : i + size].tolist())
            if len(key) == size and key in table:
                merges.append((i, size, table[key]))
                prev = i + size
                break
    if not merges:
        return arr
    # The stream is rebuilt in numpy: a few phrases in a text of hundreds of words.
    out = arr.astype(np.uint32)  # a copy
    keep = np.ones(len(arr), dtype=bool)
    for i, size, merged in merges:
        out[i] = merged
        keep[i + 1 : i + size] = False
    return out[keep]


def trim_caches() -> None:
    """Called between postings: the token caches are dropped when they grow too big (they
    only ever speed things up; their content never changes a result)."""
    if len(RAW_HASH) > TOKEN_CACHE_LIMIT or len(_TOKEN_HASH) > TOKEN_CACHE_LIMIT:
        RAW_HASH.clear()
        _TOKEN_HASH.clear()
        ANCHOR_TOKENS.clear()


def token_info(token: str) -> int:
    """Hash of an original-case token; records whether it is an anchor (capitalised or with a
    digit: names, products, numbers)."""
    h = RAW_HASH.get(token)
    if h is None:
        folded = fold(token)
        h = RAW_HASH[token] = token_hash(folded)
        if (token[0].isupper() or token[0].isdigit()) and len(folded) >= 2 and folded not in ANCHOR_STOP:
            ANCHOR_TOKENS.add(token)
    return h


def sorted_set(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-d array, by sort and neighbour test: numpy 2's ``unique`` goes through
    a hash table first, several times slower on arrays of a text's size."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def shingles(tokens: np.ndarray, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique 32-bit hashes of the k-word shingles of a token-hash sequence."""
    n = len(tokens)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    if n < k:
        k = n
    with np.errstate(over="ignore"):
        h = tokens[: n - k + 1].astype(np.uint32) * np.uint32(0x9E3779B1)
        for i in range(1, k):
            h = (h ^ (h >> np.uint32(15))) * np.uint32(0x85EBCA77)
            h = h ^ tokens[i : n - k + 1 + i]
        h = (h ^ (h >> np.uint32(13))) * np.uint32(0xC2B2AE3D)
    return sorted_set(h)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard of two sorted, duplicate-free arrays (``shingles``)."""
    if len(a) == 0 or len(b) == 0:
        return 1.0 if len(a) == len(b) else 0.0
    if len(a) > len(b):
        a, b = b, a
    # Each value of the shorter array looked up in the longer: no sort of both together.
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    inter = int(np.count_nonzero(b[pos] == a))
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------------------------------------
# Vocabularies for titles: levels, places, languages, noise
