"""What normalisation costs on the crawl's reactor thread: one-time loads, then ms per posting per stage.

The recorded remotewlb months (tests/fixtures/dedup/remotewlb-*) go through the real extractor, then
through ``normalise_posting`` and each field function it calls, one stage at a time over all
postings. Costs are printed, not judged: run it on two commits and read them side by side.

    .venv/bin/python bench/normalise_cost.py [--repeat 3] [--dump results.json]

``--dump`` writes every posting's normalised fields (JSON), to diff two commits' outputs. For the
other commit, copy this file into a checkout of it (``git archive``) and run it there. The location
gazetteer is read from the user's cache folder when an earlier process left it there; for a cold
start, set ``XDG_CACHE_HOME`` to an empty folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import inspect
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "dedup"
DEFAULT_MONTHS = [FIXTURES / "remotewlb-2024-06", FIXTURES / "remotewlb-2025-02"]


def _once(label: str, call: Callable[[], object], rows: list[tuple[str, float]]) -> None:
    started = time.perf_counter()
    call()
    rows.append((label, (time.perf_counter() - started) * 1000))


def one_time_costs() -> list[tuple[str, float]]:
    """Imports and the lazily built tables, each timed at its first use (in this fresh process)."""
    rows: list[tuple[str, float]] = []
    _once("import aggregator.normalise.posting", lambda: __import__("aggregator.normalise.posting"), rows)
    from aggregator.normalise.location import gazetteer
    from aggregator.normalise.timezone import zones

    _once("location gazetteer (_gazetteer)", gazetteer._gazetteer, rows)
    _once("IANA city names (zones._iana_cities)", zones._iana_cities, rows)
    _once("tz countries (zones._countries)", zones._countries, rows)
    return rows


def load_postings(months: list[Path]) -> list:
    """Every posting page of the months' recordings, through the board's own extractor."""
    from aggregator.extract.context import Context
    from aggregator.extract.remotewlb import extract

    postings = []
    for folder in months:
        with open(folder / "manifest.jsonl", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        for row in rows:
            if "/job/" not in row["url"]:
                continue
            ok = [r for r in row["responses"] if r["status"] == 200]
            if not ok:
                continue
            html = (folder / ok[-1]["body"]).read_text("utf-8")
            item = extract(html, Context(url=row["url"]))
            if item is not None:
                postings.append(item)
    return postings


def _clear_memos() -> None:
    """Forget per-string memos, so each repetition pays what a crawl of new postings pays."""
    from aggregator.normalise.location import parse
    from aggregator.normalise.salary import parse as salary_parse

    parse._parse_cached.cache_clear()
    salary_parse._parse_salary_text.cache_clear()


def stage_costs(postings: list, repeat: int) -> list[tuple[str, float]]:
    from aggregator.normalise.dates import end_moment, start_moment
    from aggregator.normalise.employment import employment_type, seniority
    from aggregator.normalise.location import parse_location
    from aggregator.normalise.posting import normalise_posting
    from aggregator.normalise.salary import read_salary
    from aggregator.normalise.text import clean_text, html_to_text, sanitise_html
    from aggregator.normalise.timezone import extract_window

    if "sanitised" in inspect.signature(html_to_text).parameters:  # as normalise_posting calls it
        html_to_text = functools.partial(html_to_text, sanitised=True)
    html = [sanitise_html(p.description_html) for p in postings]
    texts = [html_to_text(h) for h in html]
    titles = [clean_text(p.title) for p in postings]
    stages: list[tuple[str, Callable[[int], object]]] = [
        ("normalise_posting (all)", lambda i: normalise_posting(postings[i])),
        ("sanitise_html", lambda i: sanitise_html(postings[i].description_html)),
        ("html_to_text", lambda i: html_to_text(html[i])),
        ("extract_window (timezone)", lambda i: extract_window(postings[i].location_raw, titles[i], texts[i])),
        ("parse_location", lambda i: parse_location(postings[i].location_raw)),
        (
            "read_salary",
            lambda i: read_salary(postings[i].stated_salary, postings[i].base_salary_raw, postings[i].salary_raw),
        ),
        (
            "dates (start/end_moment)",
            lambda i: (start_moment(postings[i].date_posted), end_moment(postings[i].valid_through)),
        ),
        (
            "employment (type, seniority)",
            lambda i: (employment_type(postings[i].employment_type_raw, titles[i]), seniority(titles[i])),
        ),
    ]
    rows = []
    for label, call in stages:
        best = float("inf")
        for _ in range(repeat):
            _clear_memos()
            started = time.perf_counter()
            for i in range(len(postings)):
                call(i)
            best = min(best, time.perf_counter() - started)
        rows.append((label, best * 1000 / len(postings)))
    return rows


def dump(postings: list, path: Path) -> None:
    from aggregator.normalise.posting import normalise_posting

    out = []
    for raw in postings:
        fields = dataclasses.asdict(normalise_posting(raw))
        out.append({k: v if isinstance(v, (str, int, float, bool, list, type(None))) else repr(v)
                    for k, v in fields.items()})  # fmt: skip
    path.write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False, default=repr), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("months", nargs="*", type=Path, default=DEFAULT_MONTHS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N passes per stage")
    parser.add_argument("--dump", type=Path, help="write every posting's normalised fields here (JSON)")
    args = parser.parse_args()

    once = one_time_costs()
    postings = load_postings(args.months)
    print(f"{len(postings)} postings from {', '.join(m.name for m in args.months)}")
    print("\none-time costs (first use in a fresh process)")
    for label, ms in once:
        print(f"  {label:<40} {ms:8.1f} ms")
    print(f"\nper posting (best of {args.repeat} passes, per-string memos cleared before each)")
    rows = stage_costs(postings, args.repeat)
    for label, ms in rows:
        print(f"  {label:<40} {ms:8.3f} ms")
    if args.dump:
        dump(postings, args.dump)
        print(f"\nwrote {args.dump}")


if __name__ == "__main__":
    main()
