"""Dedup quality and scaling bench.

    .venv/bin/python bench/dedup_quality.py                       # both recorded months + scaling
    .venv/bin/python bench/dedup_quality.py path/to/month ...     # other labelled months
    .venv/bin/python bench/dedup_quality.py --no-scaling --sizes 1000,10000
    .venv/bin/python bench/dedup_quality.py --no-cv               # skip the threshold search (minutes)

Quality: every posting of a month fixture (manifest.jsonl + body/ + expected.jsonl +
clusters.tsv) goes through the real Matcher in crawl order (sitemap order, oldest first, as a
nightly crawl meets them); the resulting jobs are scored against the hand-labelled clusters with
pairwise precision / recall / F1. Every wrong merge and every missed pair is listed with the
rule that decided it.

Cross-validation: the thresholds of aggregator.dedup.rules.Thresholds are chosen by a
coordinate search over GRID (middle of each plateau of best values). The bench tunes them on
each month alone and measures on the other month (held out), and prints, per month, the
shipped thresholds' score (dev), the score tuned on that month itself, and the held-out score
side by side; the shipped values are the search's choice on all months together.

Scaling: 1k / 10k / 100k synthetic postings (recorded ones with words perturbed, companies
swapped, titles re-levelled …) through the same Matcher + InMemoryCandidateIndex; prints the
seconds per posting at each size, which should stay roughly flat.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import multiprocessing
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import html_text  # noqa: E402

from aggregator.dedup import InMemoryCandidateIndex, Matcher, Thresholds, compare, fingerprint  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "dedup"
DEFAULT_MONTHS = [FIXTURES / "remotewlb-2024-06", FIXTURES / "remotewlb-2025-02"]

try:  # the project's extractor, once it exists
    from aggregator.extract.context import Context
    from aggregator.extract.remotewlb import extract as _extract_posting
except ImportError:  # pragma: no cover - fallback while the extractor is being written
    _extract_posting = None


# ---------------------------------------------------------------------------------------------
# Loading a month fixture
# ---------------------------------------------------------------------------------------------


@dataclass
class Posting:
    url: str
    source: str
    source_id: str | None
    apply_url: str | None
    company: str | None
    title: str | None
    description_text: str
    date_posted: str | None
    location: str | None = None


def _fallback_extract(url: str, html: str) -> dict[str, Any] | None:
    """Minimal JSON-LD reader, only used when aggregator.extract.remotewlb is missing."""
    import html as htmllib

    import json5

    for raw in re.findall(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S):
        try:
            data = json.loads(raw)
        except ValueError:
            data = json5.loads(raw)
        items = data.get("@graph", [data]) if isinstance(data, dict) else data
        for item in items:
            if isinstance(item, dict) and item.get("@type") == "JobPosting":
                desc = item.get("description") or ""
                if "<" not in desc and "&lt;" in desc:
                    desc = htmllib.unescape(desc)
                org = item.get("hiringOrganization") or {}
                company = org.get("name") if isinstance(org, dict) else None
                if not company:
                    m = re.search(r'"companyName":\s*"([^"]*)"', html)
                    company = m.group(1) if m else None
                slug = url.rstrip("/").rsplit("/", 1)[-1]
                m = re.search(r'class="btn btn-apply" href="([^"]+)"', html)
                loc = re.search(r'"location":\s*"([^"]*)"', html)
                return {
                    "location": loc.group(1) if loc else None,
                    "source": "remotewlb",
                    "source_key": slug,
                    "apply_url": m.group(1) if m else None,
                    "title": item.get("title"),
                    "company": company,
                    "description_html": desc,
                    "date_posted": item.get("datePosted"),
                }
    return None


def _extract(url: str, html: str) -> dict[str, Any] | None:
    if _extract_posting is None:
        return _fallback_extract(url, html)
    item = _extract_posting(html, Context(url=url))
    if item is None:
        return None
    return {
        "source": item.source,
        "source_key": item.source_key or item.source_id,
        "apply_url": item.apply_url,
        "title": item.title,
        "company": item.company,
        "description_html": item.description_html,
        "date_posted": item.date_posted,
        "location": item.location_raw,
    }


def _crawl_order(folder: Path, manifest: dict[str, dict]) -> list[str]:
    """Posting URLs as a crawl meets them: job sitemap shards oldest first, each oldest first,
    redirects followed."""
    shards = sorted(u for u in manifest if "/sitemaps/jobs/" in u)
    order: list[str] = []
    for shard in shards:
        body = folder / manifest[shard]["responses"][-1]["body"]
        order += re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", body.read_text("utf-8"))
    return order


def _final_page(url: str, manifest: dict[str, dict], folder: Path) -> tuple[str, str] | None:
    seen = set()
    while url in manifest and url not in seen:
        seen.add(url)
        responses = manifest[url]["responses"]
        ok = [r for r in responses if r["status"] == 200]
        if ok:
            return url, (folder / ok[-1]["body"]).read_text("utf-8")
        moved = [r for r in responses if r["status"] in (301, 302, 307, 308)]
        if not moved:
            return None
        url = moved[-1]["headers"].get("Location") or moved[-1]["headers"].get("location")
    return None


def load_month(folder: str | Path) -> list[Posting]:
    """The postings of a month fixture, in crawl order."""
    folder = Path(folder)
    manifest = {}
    with open(folder / "manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                manifest[row["url"]] = row
    expected = []
    with open(folder / "expected.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                expected.append(json.loads(line))
    wanted = [e["url"] for e in expected if e.get("expect", "item") == "item"]
    position = {}
    for i, url in enumerate(_crawl_order(folder, manifest)):
        page = _final_page(url, manifest, folder)
        if page and page[0] not in position:
            position[page[0]] = i
    wanted.sort(key=lambda u: position.get(u, len(position)))
    postings = []
    for url in wanted:
        page = _final_page(url, manifest, folder)
        if page is None:
            continue
        fields = _extract(url, page[1])
        if fields is None:
            continue
        text = html_text.extract_text(fields["description_html"] or "")
        postings.append(
            Posting(
                url=url,
                source=fields["source"],
                source_id=fields["source_key"],
                apply_url=fields["apply_url"],
                company=fields["company"],
                title=fields["title"],
                description_text=text,
                date_posted=fields["date_posted"],
                location=fields.get("location"),
            )
        )
    return postings


def load_clusters(folder: str | Path) -> dict[str, str]:
    """url → cluster id (unlisted postings are singletons)."""
    clusters = {}
    with open(Path(folder) / "clusters.tsv", encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            for url in parts[1].split(","):
                if url.strip():
                    clusters[url.strip()] = parts[0]
    return clusters


# ---------------------------------------------------------------------------------------------
# Running the matcher and scoring
# ---------------------------------------------------------------------------------------------


@dataclass
class Link:
    url: str
    job_id: int
    match: Any  # Match | None


class Jobs:
    """Job ids with merges: a posting that matches two earlier jobs joins them (what the
    lead's store does with ``Match.other_job_ids``)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.next = 0

    def new(self) -> int:
        self.next += 1
        self.parent[self.next] = self.next
        return self.next

    def find(self, job: int) -> int:
        while self.parent[job] != job:
            self.parent[job] = self.parent[self.parent[job]]
            job = self.parent[job]
        return job

    def merge(self, into: int, others: Iterable[int]) -> int:
        root = self.find(into)
        for other in others:
            self.parent[self.find(other)] = root
        return root


def fingerprints(postings: list[Posting]) -> dict[str, Any]:
    return {
        p.url: fingerprint(
            p.url, p.source, p.source_id, p.url, p.apply_url, p.company, p.title, p.description_text, p.location
        )
        for p in postings
    }


def run_matcher(
    postings: list[Posting], fps: dict[str, Any] | None = None, **thresholds: Any
) -> tuple[list[Link], dict[str, Any]]:
    """The postings through the Matcher in order; ``fps`` reuses fingerprints (they do not
    depend on the thresholds)."""
    index = InMemoryCandidateIndex()
    matcher = Matcher(index, **thresholds)
    jobs = Jobs()
    links = []
    fps = fps if fps is not None else fingerprints(postings)
    for p in postings:
        fp = fps[p.url]
        m = matcher.match(fp)
        job = jobs.new() if m is None else jobs.merge(m.job_id, m.other_job_ids)
        matcher.add(fp, job)
        links.append(Link(p.url, job, m))
    for link in links:
        link.job_id = jobs.find(link.job_id)
    return links, fps


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def pair_scores(pred: dict[str, Any], truth: dict[str, Any]) -> tuple[Score, set, set]:
    urls = sorted(pred)

    def pairs(assign: dict[str, Any]) -> set[tuple[str, str]]:
        groups = defaultdict(list)
        for u in urls:
            groups[assign[u]].append(u)
        out = set()
        for members in groups.values():
            out.update(itertools.combinations(sorted(members), 2))
        return out

    p, t = pairs(pred), pairs(truth)
    tp = len(p & t)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp, len(p - t), len(t - p)), p - t, t - p


@dataclass
class Month:
    """A labelled month, fingerprinted once (fingerprints do not depend on the thresholds)."""

    name: str
    postings: list[Posting]
    truth: dict[str, str]
    fps: dict[str, Any]


def prepare_month(folder: str | Path) -> Month:
    folder = Path(folder)
    postings = load_month(folder)
    clusters = load_clusters(folder)
    truth = {p.url: clusters.get(p.url, f"single:{p.url}") for p in postings}
    return Month(folder.name, postings, truth, fingerprints(postings))


def score_month(month: Month, **thresholds: Any) -> Score:
    links, _ = run_matcher(month.postings, month.fps, **thresholds)
    return pair_scores({ln.url: ln.job_id for ln in links}, month.truth)[0]


def evaluate_month(folder: str | Path | Month, verbose: bool = True, **thresholds: Any) -> Score:
    month = folder if isinstance(folder, Month) else prepare_month(folder)
    postings, truth, fps = month.postings, month.truth, month.fps
    InMemoryCandidateIndex()  # its datasketch loads on first use: no matching time
    t0 = time.perf_counter()
    links, fps = run_matcher(postings, fps, **thresholds)
    elapsed = time.perf_counter() - t0
    pred = {ln.url: ln.job_id for ln in links}
    score, wrong, missed = pair_scores(pred, truth)
    if verbose:
        by_url = {p.url: p for p in postings}
        jobs = len(set(pred.values()))
        print(f"\n=== {month.name}: {len(postings)} postings, {jobs} jobs, {elapsed:.1f}s matching")
        print(
            f"pairwise precision {score.precision:.4f}  recall {score.recall:.4f}  F1 {score.f1:.4f}"
            f"   (tp {score.tp}, wrong {score.fp}, missed {score.fn})"
        )
        reasons = Counter(ln.match.reason for ln in links if ln.match)
        print("links by reason:", dict(reasons))
        if thresholds:
            print("thresholds:", thresholds)

        def slug(u: str) -> str:
            return u.rstrip("/").rsplit("/", 1)[-1]

        def who(u: str) -> str:
            p = by_url[u]
            return f"{slug(u)} [{p.title} | {p.company}] ({truth[u] if not truth[u].startswith('single') else '-'})"

        bad_links = [ln for ln in links if ln.match and truth[ln.url] != truth[ln.match.matched_posting_id]]
        print(f"\nwrong merges: {len(wrong)} pairs from {len(bad_links)} wrong links")
        for ln in bad_links:
            m = ln.match
            n = sum(1 for a, b in wrong if ln.url in (a, b))
            print(f"  LINK {who(ln.url)}\n    -> {who(m.matched_posting_id)}")
            print(f"    reason {m.reason} score {m.score:.3f}: {m.detail}  [{n} wrong pairs involve it]")
        for a, b in sorted(wrong):
            print(f"  pair {slug(a)} ~ {slug(b)}  [{by_url[a].title} | {by_url[b].title}]")
        print(f"\nmissed pairs: {len(missed)}")
        for a, b in sorted(missed, key=lambda ab: (truth[ab[0]], ab)):
            v = compare(fps[b], fps[a], Thresholds(**thresholds))
            linked = "direct compare says SAME (chain/candidate issue)" if v.same else ""
            print(f"  {truth[a]}: {who(a)}\n       ~ {who(b)}")
            print(f"       rule {v.rule} score {v.score:.3f}: {v.detail} {linked}")
    return score


# ---------------------------------------------------------------------------------------------
# Choosing the thresholds: tune on one month, measure on the other
# ---------------------------------------------------------------------------------------------

# The values each threshold may take (coordinate search, two passes).
GRID: dict[str, list[float]] = {
    "same_title": [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85],
    "general_title": [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9],
    "reworded_title": [0.8, 0.85, 0.9, 0.95, 0.98],
    "max_reword_residual": [0, 2, 4, 6, 8, 12],
    "translation_title": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "translation_anchors": [0.1, 0.2, 0.3, 0.4, 0.5],
    "translation_length_ratio": [1.5, 2.0, 3.0],
    "min_estimate": [0.1, 0.2, 0.3, 0.4],
}


def _objective(months: list[Month], thresholds: dict[str, Any]) -> float:
    """Mean pairwise F1 over the months."""
    return sum(score_month(m, **thresholds).f1 for m in months) / len(months)


def tune(months: list[Month], start: dict[str, Any] | None = None, passes: int = 2) -> dict[str, Any]:
    """Coordinate search over GRID for the best mean F1 on ``months``. Among equally good
    values the middle of the longest run of them is taken (the mean of the two middle ones
    for an even run): a threshold the months do not constrain stays away from the edge of
    what was seen to work."""
    chosen = dict(start or {name: getattr(Thresholds(), name) for name in GRID})
    for _ in range(passes):
        for name, values in GRID.items():
            scores = [_objective(months, {**chosen, name: v}) for v in values]
            best = max(scores)
            top = [i for i, sc in enumerate(scores) if sc >= best - 1e-9]
            # the longest run of consecutive best values, and its middle
            runs, run = [], [top[0]]
            for i in top[1:]:
                if i == run[-1] + 1:
                    run.append(i)
                else:
                    runs.append(run)
                    run = [i]
            runs.append(run)
            longest = max(runs, key=len)
            middle = [values[i] for i in longest[(len(longest) - 1) // 2 : len(longest) // 2 + 1]]
            value = sum(middle) / len(middle)
            chosen[name] = round(value) if all(isinstance(v, int) for v in values) else round(value, 3)
    return chosen


def cross_validate(months: list[Month]) -> list[tuple[str, Score, Score, Score, str]]:
    """For each month: the shipped thresholds (dev), thresholds tuned on this month (fit), and
    thresholds tuned on the other months (held out)."""
    print("\n=== thresholds chosen by cross-validation (tuned on one month, measured on the other)")
    tuned = {m.name: tune([m]) for m in months}
    pooled = tune(months)
    defaults = {name: getattr(Thresholds(), name) for name in GRID}
    print("(shipped: aggregator.dedup.rules.Thresholds, chosen as the 'all months' column)")
    print(f"{'threshold':<26}{'shipped':>9}" + "".join(f"{m.name[-7:]:>10}" for m in months) + f"{'all months':>12}")
    for name in GRID:
        cells = "".join(f"{tuned[m.name][name]:>10}" for m in months)
        print(f"{name:<26}{defaults[name]:>9}{cells}{pooled[name]:>12}")
    rows = []
    for m in months:
        others = [o for o in months if o is not m]
        held = tune(others) if len(others) > 1 else tuned[others[0].name] if others else tuned[m.name]
        rows.append(
            (
                m.name,
                score_month(m),
                score_month(m, **tuned[m.name]),
                score_month(m, **held),
                "+".join(o.name for o in others) or "itself",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Scaling
# ---------------------------------------------------------------------------------------------

_LEVELS = ["Junior", "Senior", "Staff", "Principal", "Lead", "Mid-level"]
_LEVEL_RE = re.compile(r"(?i)\b(senior|junior|staff|lead|principal|sr\.?|jr\.?|mid-level|middle)\b")
_PLACES = ["Berlin", "London", "New York", "Toronto", "Remote", "Lisbon", "São Paulo", "Warsaw", "Austin"]


def _mutate(words: list[str], share: float, vocabulary: list[str], rng: random.Random) -> list[str]:
    words = list(words)
    for _ in range(int(len(words) * share)):
        if words:
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
    return words


def synthetic_postings(base: list[Posting], n: int, seed: int = 7) -> list[Posting]:
    """``n`` postings shaped like a board's stream: jobs derived from recorded postings (lines
    shuffled, a third of the words replaced, a new company), each listed 1–8 times — reposts
    with a few words edited, location variants, and now and then the same text at another
    level (a different job). Duplicates per job stay constant as ``n`` grows."""
    rng = random.Random(seed)
    vocabulary = sorted({w for p in base[:300] for w in p.description_text.split() if w.isalpha()})
    out: list[Posting] = []
    family = 0
    while len(out) < n:
        family += 1
        src = base[rng.randrange(len(base))]
        lines = src.description_text.split("\n")
        rng.shuffle(lines)
        text_words = _mutate("\n".join(lines).split(" "), 0.33, vocabulary, rng)
        company = f"{src.company or 'Company'} {family}"
        title = _LEVEL_RE.sub("", src.title or "Engineer").strip() or "Engineer"
        level = rng.choice(_LEVELS)
        size = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 6, 8])
        for member in range(size):
            kind = rng.random()
            words, this_level, this_title = text_words, level, title
            if member and kind < 0.5:  # a repost with small edits
                words = _mutate(text_words, 0.01, vocabulary, rng)
            elif member and kind < 0.85:  # a location variant
                this_title = f"{title} - {rng.choice(_PLACES)}"
            elif member:  # the same text at another level: another job
                this_level = rng.choice([lv for lv in _LEVELS if lv != level])
            i = len(out)
            out.append(
                Posting(
                    url=f"https://example.test/job/{i}",
                    source="synthetic",
                    source_id=str(i),
                    apply_url=f"https://example.test/apply/{i}",
                    company=company,
                    title=f"{this_level} {this_title}",
                    description_text=" ".join(words),
                    date_posted=None,
                )
            )
    out = out[:n]
    # Copies of one job arrive spread over the stream, not back to back.
    order = sorted(range(n), key=lambda i: i + rng.randrange(0, 2000))
    return [out[i] for i in order]


def _fingerprint_timed(p: Posting) -> tuple[Any, float]:
    t0 = time.process_time()
    fp = fingerprint(p.url, p.source, p.source_id, p.url, p.apply_url, p.company, p.title, p.description_text)
    return fp, time.process_time() - t0


def scaling(base: list[Posting], sizes: list[int], workers: int = 2) -> list[tuple[int, float, float, float]]:
    """Fingerprints are computed in ``workers`` processes (they are independent and pure),
    matching runs in this process in arrival order, as it must."""
    print(f"\n=== scaling (synthetic postings, InMemoryCandidateIndex, {workers or 'no'} fingerprint workers)")
    print(
        f"{'postings':>9} {'wall s':>8} {'ms/posting':>11} {'fp cpu ms':>15} {'match cpu ms':>13}"
        f" {'candidates':>11} {'jobs':>8}"
    )
    rows = []
    for n in sizes:
        postings = synthetic_postings(base, n)
        index = InMemoryCandidateIndex()
        matcher = Matcher(index)
        jobs = Jobs()
        t_fp = t_match = 0.0
        counting = _CountingIndex(index)
        matcher.index = counting
        # A long-running batch: the cyclic GC would rescan the whole growing index again and
        # again (nothing here makes cycles), so it is paused for the run.
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        if workers:
            ctx = multiprocessing.get_context("fork")
            pool = ctx.Pool(workers)
            results: Iterable[tuple[Any, float]] = pool.imap(_fingerprint_timed, postings, chunksize=64)
        else:
            pool = None
            results = map(_fingerprint_timed, postings)
        for fp, dt in results:
            t_fp += dt
            t1 = time.process_time()
            m = matcher.match(fp)
            job = jobs.new() if m is None else jobs.merge(m.job_id, m.other_job_ids)
            matcher.add(fp, job)
            t_match += time.process_time() - t1
        wall = time.perf_counter() - start
        if pool is not None:
            pool.close()
            pool.join()
        n_jobs = len({jobs.find(j) for j in jobs.parent})
        gc.enable()
        print(
            f"{n:>9} {wall:>8.1f} {1000 * wall / n:>11.3f} {1000 * t_fp / n:>15.3f} {1000 * t_match / n:>13.3f}"
            f" {counting.returned / n:>11.1f} {n_jobs:>8}"
        )
        rows.append((n, wall, t_fp, t_match))
    return rows


class _CountingIndex:
    """Wraps an index to count how many candidates the LSH lookups return."""

    def __init__(self, inner: InMemoryCandidateIndex) -> None:
        self.inner = inner
        self.returned = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def by_band_keys(self, keys: Any, company_key: Any, limit: int = 60) -> list[Any]:
        found = self.inner.by_band_keys(keys, company_key, limit)
        self.returned += len(found)
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("months", nargs="*", help="month fixture folders (default: the two recorded ones)")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--quiet", action="store_true", help="scores only, no error listing")
    parser.add_argument("--workers", type=int, default=2, help="fingerprint processes for scaling (0: inline)")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation of the thresholds")
    args = parser.parse_args(argv)
    folders = [Path(m) for m in args.months] or DEFAULT_MONTHS
    months = [prepare_month(folder) for folder in folders]
    summary = [(m.name, evaluate_month(m, verbose=not args.quiet)) for m in months]
    print("\n=== summary (shipped thresholds)")
    for name, s in summary:
        print(f"{name:<24} precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}")
    if not args.no_cv and len(months) > 1:
        rows = cross_validate(months)
        print("\n=== dev vs cross-validated: precision / recall (wrong pairs, missed pairs)")
        print(f"{'month':<20}{'dev: shipped':>28}{'tuned on itself':>28}{'held out':>28}  tuned on")
        for name, dev, fit, held, source in rows:
            cells = "".join(
                f"{sc.precision:.4f}/{sc.recall:.4f} ({sc.fp}, {sc.fn})".rjust(28) for sc in (dev, fit, held)
            )
            print(f"{name:<20}{cells}  {source}")
    if not args.no_scaling:
        base = [p for m in months for p in m.postings]
        scaling(base, [int(x) for x in args.sizes.split(",") if x], workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
