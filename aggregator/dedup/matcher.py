"""The matcher: which known job, if any, a new posting belongs to. Exact signals first (board
id, URL, apply URL), then near-duplicates among the LSH candidates, judged by the rules."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from aggregator.dedup.candidates import CandidateIndex
from aggregator.dedup.fingerprint import PostingFingerprint
from aggregator.dedup.rules import Thresholds, Verdict, company_rule, compare, text_similarity
from aggregator.dedup.titles import levels_compatible


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


def _titles_compatible(a: PostingFingerprint, b: PostingFingerprint) -> bool:
    return levels_compatible(a.level, b.level) and (
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

    def read_ahead(self, fps: list[PostingFingerprint]) -> None:
        """Tell an index that reads ahead (the SQL one: one round trip for a batch instead of
        several per posting) every lookup :meth:`match` will make for these postings."""
        if (read_ahead := getattr(self.index, "read_ahead", None)) is not None:
            lookups = [keys for fp in fps for keys in (fp.lsh_keys, fp.translation_keys) if keys]
            read_ahead(fps, lookups, self.thresholds.candidate_limit)

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
                if _titles_compatible(fp, cand) and not company_rule(fp, cand):
                    return Match(job_id, "same_source_id", 1.0, cand.posting_id, "same source and id")
        if fp.url:
            for cand, job_id in self.index.by_url(fp.url):
                if _titles_compatible(fp, cand) and not company_rule(fp, cand):
                    return Match(job_id, "same_url", 1.0, cand.posting_id, "same canonical URL")
        same_apply = self.index.by_apply_url(fp.apply_url) if fp.apply_url else []
        if same_apply:
            # A generic apply page shared by different jobs says nothing.
            distinct = {(c.title_tokens, c.level) for c, _ in same_apply}
            if len(distinct) == 1 and fp.apply_url != fp.url:
                for cand, job_id in same_apply:
                    if not _titles_compatible(fp, cand) or company_rule(fp, cand):
                        continue
                    sim, _ = text_similarity(fp, cand)
                    if sim >= th.apply_url_min_similarity:
                        return Match(job_id, "same_apply_url", sim, cand.posting_id, "same canonical apply URL")
        # 2. Near duplicates among LSH candidates.
        found: dict[Any, tuple[PostingFingerprint, Any]] = {}
        for cand, job_id in self.index.by_band_keys(fp.lsh_keys, fp.company_key, th.candidate_limit):
            found.setdefault(cand.posting_id, (cand, job_id))
        # Another-language copies: same company and a title word, or the same apply link.
        translated = self.index.by_band_keys(fp.translation_keys, fp.company_key, th.candidate_limit)
        for cand, job_id in [*translated, *same_apply[: th.candidate_limit]]:
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
