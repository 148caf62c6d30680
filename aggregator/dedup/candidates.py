"""Finding candidates: MinHash signatures and LSH band keys, and the candidate index protocol
the matcher queries, with an in-memory implementation on datasketch's ``MinHashLSH``.

The signatures and band keys are datasketch's (``MinHash`` with the "affine32" scheme,
``MinHashLSH`` buckets; tests check both against the library), computed here with numpy:
importing datasketch imports scipy (for an LSH parameter search this project never runs),
which costs a crawl about 60 MB and 0.7 s. datasketch is loaded only by the in-memory index.

A band key is a short string ("b" + band number + 12 hex digits), so a SQL table
(``dedup_keys``, see ``repository.SqlCandidateIndex``) can store and look it up; the in-memory
index is a datasketch ``MinHashLSH`` whose buckets are keyed by exactly those digests.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash, MinHashLSH

    from aggregator.dedup.fingerprint import PostingFingerprint

NUM_PERM = 64
BANDS = 21  # 21 bands × 3 rows: P(candidate) ≈ 0.5 at Jaccard 0.33, ≈ 0.94 at 0.5, ≈ 0.99 at 0.6
ROWS = 3
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"  # datasketch ≥ 2.0
_DIGEST_BYTES = 6
# The rows of each band, as MinHashLSH(params=(BANDS, ROWS)) cuts a signature.
_HASHRANGES = tuple((i * ROWS, (i + 1) * ROWS) for i in range(BANDS))


@cache
def permutations(num_perm: int) -> np.ndarray:
    """datasketch's affine32 permutations ``h → a·h + b mod 2³²`` for ``MINHASH_SEED``: odd
    ``a``, then ``b``, drawn from numpy's legacy ``RandomState`` (a stream numpy keeps fixed)."""
    gen = np.random.RandomState(MINHASH_SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: datasketch's pre-mix of every input hash."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(shingles: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """datasketch's MinHash signature (affine32) of a set of 32-bit shingle hashes."""
    if not len(shingles):
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = permutations(num_perm)
    # One row per permutation: the minimum runs along contiguous memory, and in place.
    h = np.multiply.outer(a, _fmix32(np.asarray(shingles, dtype=np.uint32)))
    h += b[:, None]  # uint32 arithmetic wraps: the mod 2³²
    return h.min(axis=1)


def _band_digest(band: bytes) -> bytes:
    return hashlib.blake2b(band, digest_size=_DIGEST_BYTES).digest()


def new_lsh() -> MinHashLSH:
    """An LSH index with the project's banding; its bucket keys are ``_band_digest`` values."""
    from datasketch import MinHashLSH

    return MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS), hashfunc=_band_digest)


def band_keys(signature: np.ndarray) -> list[str]:
    """One key per LSH band: the digest MinHashLSH(hashfunc=_band_digest) files the band under
    (the bytes of the band's values, byte-swapped as datasketch does), with the band number."""
    swapped = np.asarray(signature, dtype=np.uint32).byteswap().tobytes()  # once, then sliced per band
    return [
        f"b{band:02d}{_band_digest(swapped[4 * start : 4 * end]).hex()}"
        for band, (start, end) in enumerate(_HASHRANGES)
    ]


def as_minhash(signature: np.ndarray) -> MinHash:
    """A stored signature as a datasketch MinHash (for MinHashLSH)."""
    from datasketch import MinHash

    return MinHash(
        num_perm=len(signature),
        hashvalues=np.asarray(signature, dtype=np.uint64),
        permutations=permutations(len(signature)),
        scheme=MINHASH_SCHEME,
    )


def title_keys(company_key: str | None, title_tokens: Sequence[str], level: Sequence[str]) -> list[str]:
    """The key of a posting with (almost) no description: a MinHash says nothing, the title,
    level and company do."""
    digest = hashlib.blake2b(
        f"{company_key or ''}|{' '.join(title_tokens)}|{' '.join(level)}".encode(), digest_size=_DIGEST_BYTES
    ).hexdigest()
    return [f"e{digest}"]


def translation_keys(company_key: str | None, title_tokens: Sequence[str]) -> list[str]:
    """Keys that let another-language copy of a posting find it: company × title word stem."""
    keys = []
    for stem in sorted({t[:5] for t in title_tokens if t != "engineer" and len(t) >= 2}):
        digest = hashlib.blake2b(f"{company_key or ''}|{stem}".encode(), digest_size=_DIGEST_BYTES).hexdigest()
        keys.append(f"t{digest}")
    return keys


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
    """CandidateIndex in memory (tests, benchmarks, one-off runs): LSH bands in a datasketch
    ``MinHashLSH``, exact keys and the title / translation keys in dicts."""

    def __init__(self) -> None:
        self._entries: list[tuple[PostingFingerprint, Any]] = []
        self._lsh = new_lsh()
        self._by_source_id: dict[tuple[str | None, str], list[int]] = {}
        self._by_url: dict[str, list[int]] = {}
        self._by_apply: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}  # "e…" and "t…" keys

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
        if any(k.startswith("b") for k in fp.band_keys) and len(fp.minhash) == NUM_PERM:
            self._lsh.insert(i, as_minhash(fp.minhash), check_duplication=False)
        for key in fp.band_keys:
            if not key.startswith("b"):
                self._by_key.setdefault(key, []).append(i)

    def _get(self, ids: Sequence[int]) -> list[tuple[PostingFingerprint, Any]]:
        return [self._entries[i] for i in ids]

    def by_source_id(self, source: str | None, source_id: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_source_id.get((source, source_id), ()))

    def by_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_url.get(canonical, ()))

    def by_apply_url(self, canonical: str) -> list[tuple[PostingFingerprint, Any]]:
        return self._get(self._by_apply.get(canonical, ()))

    def _newest(self, key: str, cap: int) -> list[int]:
        """The newest ``cap`` postings filed under a key."""
        if key.startswith("b"):
            band, digest = int(key[1:3]), bytes.fromhex(key[3:])
            bucket = self._lsh.hashtables[band].get(digest)
            return heapq.nlargest(cap, bucket) if len(bucket) > cap else list(bucket)
        return self._by_key.get(key, [])[-cap:]

    def by_band_keys(
        self, keys: Sequence[str], company_key: str | None, limit: int = 60
    ) -> list[tuple[PostingFingerprint, Any]]:
        cap = 2 * limit  # a bounded slice of the newest postings per key
        buckets = [b for b in (self._newest(key, cap) for key in keys) if b]
        if not buckets:
            return []
        hits = Counter(itertools.chain.from_iterable(buckets))
        ranked = sorted(hits.items(), key=lambda item: (-item[1], -item[0]))
        out = []
        for i, _ in ranked:
            fp, job_id = self._entries[i]
            if company_key is None or fp.company_key is None or fp.company_key == company_key:
                out.append((fp, job_id))
                if len(out) >= limit:
                    break
        return out
