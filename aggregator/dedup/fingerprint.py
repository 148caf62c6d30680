"""The fingerprint of a posting: everything the matcher needs to compare it with later
postings, computed once and stored (``to_record`` / ``from_record``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aggregator.dedup.boilerplate import TEAM_LINE, boilerplate_flags, text_lines
from aggregator.dedup.candidates import band_keys, minhash, title_keys, translation_keys
from aggregator.dedup.employer import employer_named
from aggregator.dedup.language import detect_language
from aggregator.dedup.text import (
    ANCHOR_TOKENS,
    RAW_HASH,
    SENTINEL,
    TOKEN_CACHE_LIMIT,
    depunct,
    fold,
    merge_hashes,
    norm_word,
    phrase_tables,
    plain,
    shingles,
    sorted_set,
    split_words,
    token_info,
    trim_caches,
    word_hash,
)
from aggregator.dedup.titles import TEXT_LEVEL_TOKENS, gazetteer, text_level, title_analysis
from aggregator.dedup.vocab import LANGUAGE_NAMES, NOISE_WORDS
from aggregator.normalise.company import company_key as _company_key
from aggregator.normalise.urls import canonical_url

# Bump when anything that goes into a stored fingerprint changes (tokenisation, hashing,
# permutations, banding): stored fingerprints of another version must be recomputed.
# 3: level words and place names from the shared vocabulary; 4: the normalisers' folding (it strips
# every combining mark and case-folds: Greek, Hebrew, Arabic, Indic and kana words fold otherwise),
# the language read from 400 characters.
FINGERPRINT_VERSION = 4
MIN_TOKENS = 20  # shorter descriptions get a title key instead of LSH band keys


def _encode(arr: np.ndarray) -> str:
    return base64.b64encode(np.asarray(arr, dtype="<u4").tobytes()).decode("ascii")


# What base64.b64decode does with a str (it checks the text is ASCII and calls this), one call less
# for each array of every candidate read back.
_b64decode = binascii.a2b_base64


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(_b64decode(text), dtype="<u4").astype(np.uint32)


def _decode_minhash(stored: str | list[int] | None) -> np.ndarray:
    # Base64 like the other arrays; a list of numbers in records written before (same values): a
    # candidate's record is read back many times, and 128 numbers cost JSON more than one string.
    if isinstance(stored, str):
        return _decode(stored)
    return np.asarray(stored or (), dtype=np.uint32)


def _decode_mask(text: str, tokens: np.ndarray) -> np.ndarray:
    if not text:
        return np.ones(len(tokens), dtype=bool)
    bits = np.unpackbits(np.frombuffer(_b64decode(text), dtype=np.uint8))
    return bits[: len(tokens)].astype(bool)


@dataclass(eq=False)
class PostingFingerprint:
    """Everything the matcher needs to know about one posting. Serialise with ``to_record``.

    Indexed lookups (what a SQL index must answer): ``(source, source_id)``, ``url``,
    ``apply_url``, each of ``band_keys`` (joined with ``company_key``).
    """

    posting_id: Any
    source: str | None
    source_id: str | None
    url: str | None  # canonical_url() of the posting page
    apply_url: str | None  # canonical_url() of the apply link
    company_key: str | None  # company_key(); None = unknown
    title: str
    title_tokens: tuple[str, ...]  # specialism words of the title (normalised, sorted)
    title_level: tuple[str, ...]  # level words of the title
    level: tuple[str, ...]  # the effective level: the title's, else the one the text states
    places: tuple[str, ...]  # place / language words set aside from the title
    language: str | None  # description language ("en", "fr", …) or None
    minhash: np.ndarray = field(repr=False)  # NUM_PERM uint32 MinHash values of the text shingles
    band_keys: list[str]  # LSH band keys ("b07a1b2c3d4e5f6") + translation keys ("t…")
    tokens: np.ndarray = field(repr=False)  # uint32 hashes of the normalised words, in order
    core_mask: np.ndarray = field(repr=False)  # bool per token: not a boilerplate line
    anchors: np.ndarray = field(repr=False)  # uint32 hashes of language-neutral words, in order
    team: str | None = None  # "Engineering Pod: …" / "Team: …" line, if the text has one
    employer: str | None = None  # company_key() of the employer the text names ("About Writer")
    # Title words whose text has no form of them (None: not known, ask ``has_word``).
    title_unsupported: tuple[str, ...] | None = None
    version: int = FINGERPRINT_VERSION

    # -- derived (cached, not stored) ---------------------------------------------------------
    def _cache(self, name: str, fn) -> Any:
        cache = self.__dict__.setdefault("_derived", {})
        if name not in cache:
            cache[name] = fn()
        return cache[name]

    @property
    def shingles(self) -> np.ndarray:
        return self._cache("shingles", lambda: shingles(self.tokens))

    @property
    def has_boilerplate(self) -> bool:
        return self._cache("has_boilerplate", lambda: not bool(self.core_mask.all()))

    @property
    def core_tokens(self) -> np.ndarray:
        """The tokens of the job itself (company blurb, benefits, pay and legal lines left out)."""
        return self._cache("core_tokens", lambda: self.tokens[self.core_mask] if self.has_boilerplate else self.tokens)

    @property
    def core_shingles(self) -> np.ndarray:
        return self._cache("core_shingles", lambda: shingles(self.core_tokens))

    @property
    def token_set(self) -> np.ndarray:
        return self._cache("token_set", lambda: sorted_set(self.tokens))

    @property
    def lsh_keys(self) -> list[str]:
        return [k for k in self.band_keys if k[0] in "be"]

    @property
    def translation_keys(self) -> list[str]:
        return [k for k in self.band_keys if k.startswith("t")]

    def has_word(self, word: str) -> bool:
        h = np.uint32(word_hash(word))
        ts = self.token_set
        i = int(np.searchsorted(ts, h))
        return i < len(ts) and ts[i] == h

    def supports_title_word(self, word: str) -> bool:
        """Whether the text has the word in some form ("Trainer" ~ "training")."""
        if self.title_unsupported is not None and word in self.title_tokens:
            return word not in self.title_unsupported
        return self.has_word(word)

    def has_phrase(self, words: Sequence[str]) -> bool:
        if not words:
            return False
        hs = [np.uint32(word_hash(w)) for w in words]
        toks = self.tokens
        starts = np.nonzero(toks == hs[0])[0]
        for s in starts:
            if s + len(hs) <= len(toks) and all(toks[s + i] == hs[i] for i in range(1, len(hs))):
                return True
        return False

    # -- storage ------------------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """A JSON-serialisable dict (arrays as base64 little-endian uint32; the MinHash was a list of
        numbers before, which :meth:`from_record` still reads)."""
        return {
            "version": self.version,
            "posting_id": self.posting_id,
            "source": self.source,
            "source_id": self.source_id,
            "url": self.url,
            "apply_url": self.apply_url,
            "company_key": self.company_key,
            "title": self.title,
            "title_tokens": list(self.title_tokens),
            "title_level": list(self.title_level),
            "level": list(self.level),
            "places": list(self.places),
            "language": self.language,
            "minhash": _encode(self.minhash),
            "band_keys": list(self.band_keys),
            "tokens": _encode(self.tokens),
            "core_mask": base64.b64encode(np.packbits(self.core_mask).tobytes()).decode("ascii"),
            "anchors": _encode(self.anchors),
            "team": self.team,
            "employer": self.employer,
            "title_unsupported": None if self.title_unsupported is None else list(self.title_unsupported),
        }

    @classmethod
    def from_record(
        cls, record: dict[str, Any], words: Callable[[], dict[str, Any]] | None = None
    ) -> PostingFingerprint:
        """The fingerprint a record holds. Its word arrays (``WORD_ARRAYS``) are decoded when first
        read: a stored posting is read back as a candidate many times, and most candidates are set
        aside on their MinHash, language or company before any word is compared. A record stored
        without them (``split_record``) comes with ``words``, which reads them when first needed."""
        fp = cls.__new__(cls)
        fp.__dict__.update(
            posting_id=record["posting_id"],
            source=record.get("source"),
            source_id=record.get("source_id"),
            url=record.get("url"),
            apply_url=record.get("apply_url"),
            company_key=record.get("company_key"),
            title=record.get("title") or "",
            title_tokens=tuple(record.get("title_tokens") or ()),
            title_level=tuple(record.get("title_level") or ()),
            level=tuple(record.get("level") or ()),
            places=tuple(record.get("places") or ()),
            language=record.get("language"),
            minhash=_decode_minhash(record.get("minhash")),
            band_keys=list(record.get("band_keys") or ()),
            team=record.get("team"),
            employer=record.get("employer"),
            title_unsupported=(None if record.get("title_unsupported") is None else tuple(record["title_unsupported"])),
            version=int(record.get("version", FINGERPRINT_VERSION)),
            _encoded=_word_arrays(record) if words is None or "tokens" in record else words,
        )
        return fp


class _StoredArray:
    """A word array of a fingerprint read from a record, decoded on first read (then an ordinary
    attribute: the instance's own value hides this, as it does for one built by ``fingerprint``)."""

    def __init__(self, decode) -> None:
        self._decode = decode

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, fp: PostingFingerprint | None, owner: type | None = None) -> Any:
        if fp is None:
            return self
        encoded = fp.__dict__["_encoded"]
        if callable(encoded):  # stored apart, not read yet
            encoded = fp.__dict__["_encoded"] = _word_arrays(encoded())
        value = fp.__dict__[self._name] = self._decode(fp, encoded.pop(self._name))
        return value


def _word_arrays(record: dict[str, Any]) -> dict[str, str]:
    return {name: record.get(name) or "" for name in WORD_ARRAYS}


def split_record(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record as (what a candidate is shortlisted on, its word arrays), to be stored apart: the
    arrays are three quarters of a record and only the few candidates compared word by word
    need them (``from_record``'s ``words``)."""
    return (
        {name: value for name, value in record.items() if name not in WORD_ARRAYS},
        {name: record[name] for name in WORD_ARRAYS if name in record},
    )


# Set on the class after the dataclass is made, which would take them for the fields' defaults.
WORD_ARRAYS = {
    "tokens": _StoredArray(lambda fp, text: _decode(text)),
    "core_mask": _StoredArray(lambda fp, text: _decode_mask(text, fp.tokens)),
    "anchors": _StoredArray(lambda fp, text: _decode(text)),
}
for _name, _stored in WORD_ARRAYS.items():
    setattr(PostingFingerprint, _name, _stored)
    _stored.__set_name__(PostingFingerprint, _name)


ROOT_MIN = 5  # shortest shared beginning that makes two word forms one word


def _root_length(word: str) -> int:
    return max(ROOT_MIN, len(word) - 2)


def _unsupported_title_words(
    title_tokens: Sequence[str], raw_tokens: Sequence[str], token_hashes: np.ndarray
) -> tuple[str, ...]:
    """Title words no text word shares a root with: the stems are equal, or a text word or its
    stem begins with the title word less its last two letters (at least ``ROOT_MIN``):
    "trainer" ~ "training", "warehousing" ~ "warehouse", "cryptography" ~ "cryptographic"."""
    if not title_tokens:
        return ()
    # A few title words against the text's hashes: a comparison each, not a set of the text.
    title_tokens = [w for w in title_tokens if not (token_hashes == word_hash(w)).any()]
    if not title_tokens:
        return ()
    folded = set(split_words(fold(" ".join(set(raw_tokens)))))
    stems = {norm_word(w) for w in folded}
    words = [s for s in stems | folded if len(s) >= ROOT_MIN]

    def shares_root(w: str) -> bool:
        root = w[: _root_length(w)]  # at least ROOT_MIN letters: a word of ``words`` may begin so
        return any(s.startswith(root) for s in words)

    return tuple(w for w in title_tokens if w not in stems and (len(w) < ROOT_MIN or not shares_root(w)))


PLACE_HASH = word_hash("\x01place")


def _is_place_token(token: str) -> bool:
    """A capitalised token that names a country, region, city or language ("Germany", "EMEA",
    "German"); two-letter codes only in capitals ("UK", not "in")."""
    if token[:1].isupper() and (len(token) >= 3 or token.isupper()):
        folded = fold(token)
        return folded in gazetteer()[0] or folded in LANGUAGE_NAMES
    return False


# What the token stream needs of an original-case token, in one int per token so that one dict
# lookup answers it and numpy splits it: the hash of its normalised form (low 32 bits), whether
# it is an anchor (``token_info``) and whether it names a place.
_ANCHOR_BIT = 1 << 32
_PLACE_BIT = 1 << 33
_TOKEN_CODE: dict[str, int] = {}


def _token_code(token: str) -> int:
    h = RAW_HASH.get(token) or token_info(token)
    code = h | (_ANCHOR_BIT if token in ANCHOR_TOKENS else 0) | (_PLACE_BIT if _is_place_token(token) else 0)
    if len(_TOKEN_CODE) > TOKEN_CACHE_LIMIT:
        _TOKEN_CODE.clear()
    _TOKEN_CODE[token] = code
    return code


def fingerprint(
    posting_id: Any,
    source: str | None,
    source_id: str | None,
    url: str | None,
    apply_url: str | None,
    company: str | None,
    title: str | None,
    description_text: str | None,
    location: str | None = None,
) -> PostingFingerprint:
    """The fingerprint of one posting.

    ``source_id`` must identify the posting within its source (for remotewlb the slug, since
    different postings share a trailing number). ``company`` is the raw company field
    (placeholders such as "None" mean unknown). ``description_text`` is the plain text of the
    description with one paragraph / list item per line (``html_text.extract_text``).
    ``location`` (optional, the raw location field) helps tell place words in the title.
    """
    trim_caches()
    title = (title or "").strip()
    text = description_text or ""
    ckey = _company_key(company)
    info = title_analysis(title, location)
    company_words = tuple(ckey.split()) if ckey else ()

    lines = text_lines(text)
    joined = f" {SENTINEL} ".join(lines)
    toks = depunct(joined).split()
    # Lower-cased lines (typographic punctuation made plain) for headings and key phrases.
    folded_lines = plain("\n".join(lines)).lower().split("\n")
    flags = boilerplate_flags(folded_lines, company_words, set(map(str.lower, toks)))
    team = None
    for folded, boiler in zip(folded_lines, flags, strict=True):
        if not boiler and (":" in folded or "-" in folded):
            m = TEAM_LINE.match(folded)
            if m:
                team = " ".join(split_words(m.group(1)))
                break

    # One token stream for the whole text, lines separated by a sentinel token.
    codes = list(map(_TOKEN_CODE.get, toks))  # the cache answers most tokens
    if None in codes:
        codes = [_token_code(t) if c is None else c for t, c in zip(toks, codes, strict=True)]
    code_arr = np.array(codes, dtype=np.uint64)
    arr = (code_arr & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    anchors = arr[(code_arr & np.uint64(_ANCHOR_BIT)) != 0]
    # Rule 4, location: the places, nationalities and languages a text names are one word for
    # the comparison, so "customers in Germany" and "customers in the UK" read the same.
    places = (code_arr & np.uint64(_PLACE_BIT)) != 0
    if places.any():
        arr = arr.copy()
        arr[places] = PLACE_HASH
    _, _, sentinel, slash = phrase_tables()
    stream = merge_hashes(arr)
    is_sep = stream == sentinel
    line_of = np.cumsum(is_sep)  # line number of each token
    keep = ~is_sep & (stream != slash)
    tokens = stream[keep]
    boiler = np.asarray(flags + [False], dtype=bool)
    core_mask = (~boiler[np.minimum(line_of, len(flags))])[keep]
    # Too little left after removing boilerplate: the whole text is the job.
    n_core = int(core_mask.sum())
    if n_core < 0.25 * len(tokens) or n_core < 30:
        core_mask = np.ones(len(tokens), dtype=bool)

    level = info.level
    if not level and not TEXT_LEVEL_TOKENS.isdisjoint(toks):  # "as a senior developer"
        level = text_level([t.lower() if t.isascii() else fold(t) for t in toks[:1500]])

    # The set of shingles: the signature's input, and kept for the matcher's text similarity.
    shingle_set = shingles(tokens)
    signature = minhash(shingle_set)
    if len(tokens) >= MIN_TOKENS:
        keys = band_keys(signature)
    else:  # (almost) no description: a MinHash says nothing, the title and company do
        keys = title_keys(ckey, info.tokens, level)
    if info.tokens:
        keys += translation_keys(ckey, [t for t in info.tokens if t not in NOISE_WORDS])

    fp = PostingFingerprint(
        posting_id=posting_id,
        source=source,
        source_id=str(source_id) if source_id is not None else None,
        url=canonical_url(url),
        apply_url=canonical_url(apply_url),
        company_key=ckey,
        title=title,
        title_tokens=info.tokens,
        title_level=info.level,
        level=tuple(level),
        places=info.places,
        language=detect_language("\n".join(lines)),
        minhash=signature,
        band_keys=keys,
        tokens=tokens,
        core_mask=core_mask,
        anchors=anchors,
        team=team,
        employer=_company_key(employer_named(lines)),
        title_unsupported=_unsupported_title_words(info.tokens, toks, tokens),
    )
    fp._derived = {"shingles": shingle_set}
    return fp


# ---------------------------------------------------------------------------------------------
