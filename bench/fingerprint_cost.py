"""What job assignment's pure parts cost: the dedup fingerprint by stage, the matcher, and the
one-time loads (imports, py3langid's model, the gazetteer) with the memory they add.

    .venv/bin/python bench/fingerprint_cost.py                    # both recorded months
    .venv/bin/python bench/fingerprint_cost.py --dump fps.jsonl   # also every fingerprint, to diff

Every posting of the recorded months (tests/fixtures/dedup, loaded as bench/dedup_quality.py
does, in crawl order) is fingerprinted several times in this process: pass 1 meets the
per-process word caches cold, as a crawl's first postings do; then the best of the warm passes.
Times are CPU time of this process (the machine is shared). The stage breakdown wraps the
functions ``fingerprint`` calls (a timer per call, not per token); "rest" is the inline work
(token hashes, place words, masks). The matcher runs the postings in crawl order through an
``InMemoryCandidateIndex`` (best of a few runs); its index lookups are timed apart (a crawl
uses the SQL index). Compare two versions by running this in each, one after the other.

The one-time costs are measured in a fresh child process, so nothing loaded here counts:
seconds and resident memory added by each load, and the peak (ru_maxrss) over the start.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_ONE_TIME = r"""
import resource, sys, time
import psutil
sys.path.insert(0, sys.argv[1])
proc = psutil.Process()
def rss():
    return proc.memory_info().rss / 1e6
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
import numpy  # the crawl has numpy loaded long before the dedup stack
base, base_peak = rss(), peak()
rows = []
def step(name, fn):
    before, t = rss(), time.perf_counter()
    fn()
    rows.append((name, time.perf_counter() - t, rss() - before))
step("import aggregator.dedup", lambda: __import__("aggregator.dedup"))
from aggregator.dedup import language, titles, text
step("language model", language.identifier)
step("gazetteer (shared with normalise)", titles.gazetteer)
step("phrase tables", text.phrase_tables)
from aggregator.dedup import fingerprint
step("first fingerprint", lambda: fingerprint(1, "s", "1", "https://x.test/1", None, "Acme", "Senior Engineer",
     "We are looking for a senior engineer to build our platform in Python and Go.\n" * 8))
for name, seconds, mb in rows:
    print(f"{name:<36}{seconds * 1000:>10.0f} ms{mb:>10.1f} MB")
print(f"{'all: resident memory added':<36}{'':>13}{rss() - base:>10.1f} MB")
print(f"{'all: peak over the start':<36}{'':>13}{peak() - base_peak:>10.1f} MB")
"""


class Timers:
    """Wraps module-level functions with accumulating timers (seconds, calls)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, module: object, name: str, label: str | None = None) -> None:
        original = getattr(module, name)
        label = label or name
        seconds, calls = self.seconds, self.calls
        clock = time.process_time  # the machine is shared: CPU time, not wall time

        @functools.wraps(original)
        def timed(*args, **kwargs):
            t = clock()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += clock() - t
                calls[label] += 1

        setattr(module, name, timed)
        self._undo.append((module, name, original))

    def undo(self) -> None:
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)
        self._undo.clear()

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


WARM_PASSES = 3
MATCH_RUNS = 3
FINGERPRINT_STAGES = (
    "title_analysis", "text_lines", "plain", "boilerplate_flags", "depunct", "merge_hashes",
    "text_level", "shingles", "minhash", "band_keys", "title_keys", "translation_keys",
    "detect_language", "employer_named", "_company_key", "canonical_url", "_unsupported_title_words",
)  # fmt: skip


def _fingerprint_all(postings, fingerprint) -> list:
    return [
        fingerprint(
            p.url, p.source, p.source_id, p.url, p.apply_url, p.company, p.title, p.description_text, p.location
        )
        for p in postings
    ]


def fingerprint_cost(postings) -> list:
    from aggregator.dedup import fingerprint as fp_module_fn  # noqa: F401 (the package is loaded)
    from aggregator.dedup import language, titles

    fp_module = sys.modules["aggregator.dedup.fingerprint"]
    # One-time loads first: they are reported apart.
    language.identifier()
    titles.gazetteer()
    n = len(postings)
    print(f"\n=== fingerprint: {n} postings, ms per posting (process time)")
    totals = []
    fps = []
    for _ in range(1 + WARM_PASSES):
        t = time.process_time()
        fps = _fingerprint_all(postings, fp_module.fingerprint)
        totals.append(1000 * (time.process_time() - t) / n)
    print(f"{'total, pass 1 (cold word caches)':<36}{totals[0]:>8.3f}")
    print(f"{'total, warm (best of ' + str(WARM_PASSES) + ' passes)':<36}{min(totals[1:]):>8.3f}")
    # Stage breakdown on one more warm pass (the timers add a little per call).
    timers = Timers()
    for name in FINGERPRINT_STAGES:
        if hasattr(fp_module, name):
            timers.wrap(fp_module, name)
    t = time.process_time()
    _fingerprint_all(postings, fp_module.fingerprint)
    spent = time.process_time() - t
    timers.undo()
    print(f"stages (a warm pass, ms per posting; {1000 * spent / n:.3f} in all):")
    staged = 0.0
    for name, seconds in sorted(timers.seconds.items(), key=lambda kv: -kv[1]):
        staged += seconds
        print(f"  {name:<34}{1000 * seconds / n:>8.3f}")
    print(f"  {'rest (token hashes, places, masks)':<34}{1000 * (spent - staged) / n:>8.3f}")
    return fps


def matcher_cost(months) -> None:
    from aggregator.dedup import InMemoryCandidateIndex, Matcher, candidates, matcher, rules

    print("\n=== matcher: ms per posting (process time), crawl order, in-memory index")
    timers = Timers()
    for name in ("by_source_id", "by_url", "by_apply_url", "by_band_keys", "add"):
        timers.wrap(candidates.InMemoryCandidateIndex, name, f"index.{name}")
    for name in ("compare", "text_similarity"):
        timers.wrap(matcher, name, f"matcher.{name}")
    timers.wrap(rules, "text_similarity", "compare→text_similarity")
    timers.wrap(rules, "_diff_residual")
    timers.wrap(rules, "_anchor_overlap")
    InMemoryCandidateIndex()  # datasketch's import is no matching cost
    total = 0.0
    count = 0
    for name, _postings, fps in months:
        # What the matcher derives and caches on a fingerprint is dropped between runs: each run
        # starts from the fingerprints as ``fingerprint`` returned them.
        fresh = [dict(fp.__dict__.get("_derived", {})) for fp in fps]
        runs = []
        for _ in range(MATCH_RUNS):
            for fp, derived in zip(fps, fresh, strict=True):
                fp.__dict__["_derived"] = dict(derived)
            index = InMemoryCandidateIndex()
            m = Matcher(index)
            t = time.process_time()
            for job, fp in enumerate(fps):
                found = m.match(fp)
                m.add(fp, found.job_id if found else job)
            runs.append(time.process_time() - t)
        total += min(runs)
        count += len(fps)
        print(f"{name + ' (best of ' + str(MATCH_RUNS) + ')':<36}{1000 * min(runs) / len(fps):>8.3f}")
    timers.undo()
    scale = 1 / MATCH_RUNS  # the timers summed every run: their mean per run
    index_s = scale * sum(s for k, s in timers.seconds.items() if k.startswith("index."))
    print(f"{'all (match + add)':<36}{1000 * total / count:>8.3f}")
    print(f"{'  of it index lookups and adds':<36}{1000 * index_s / count:>8.3f}")
    print(f"{'  pure matcher':<36}{1000 * (total - index_s) / count:>8.3f}")
    for label, seconds in sorted(timers.seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<34}{1000 * scale * seconds / count:>8.3f}  ({timers.calls[label] // MATCH_RUNS} calls)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", help="write every fingerprint's record (JSON lines) here")
    args = parser.parse_args(argv)

    print("=== one-time costs (fresh process, numpy already loaded)")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", _ONE_TIME, str(ROOT)], check=True)

    from bench.dedup_quality import DEFAULT_MONTHS, load_month

    loaded = [(folder.name, load_month(folder)) for folder in DEFAULT_MONTHS]
    postings = [p for _, ps in loaded for p in ps]
    fps = fingerprint_cost(postings)
    months, i = [], 0
    for name, ps in loaded:
        months.append((name, ps, fps[i : i + len(ps)]))
        i += len(ps)
    matcher_cost(months)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for fp in fps:
                fh.write(json.dumps(fp.to_record(), ensure_ascii=False, sort_keys=True) + "\n")
        print(f"\n{len(fps)} fingerprints written to {args.dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
