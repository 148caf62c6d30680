"""Accuracy of the salary and location normalisers against the hand labels.

Usage::

    .venv/bin/python bench/normalisation_accuracy.py
    .venv/bin/python bench/normalisation_accuracy.py --salary salary-test.tsv --location location-test.tsv
    .venv/bin/python bench/normalisation_accuracy.py a.tsv b.tsv   # salary/location told by the header

With no arguments it also scores the held-out sets in ``tests/fixtures/heldout/`` — case files
the rules were not tuned on (see that folder's README) — salary strings, and employment-type,
seniority and workplace cases, and ends with a table of development vs held-out accuracy.

Both label files are tab-separated with a header line (see SALARY-SPEC.md / LOCATION-SPEC.md):

* salary:   ``count  raw  min  max  currency  period  note``
* location: ``count  raw  workplace  worldwide  countries  regions  note``

For each set it prints exact-match accuracy over distinct strings and weighted by ``count``,
per-field accuracy, and every miss (raw, expected, got). A missing normaliser module is reported
for its section instead of stopping the run.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "fixtures" / "labels"
HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SALARY_COLUMNS = ["count", "raw", "min", "max", "currency", "period", "note"]
LOCATION_COLUMNS = ["count", "raw", "workplace", "worldwide", "countries", "regions", "note"]


SUMMARY: list[tuple[str, str, int, int]] = []


@dataclass
class Row:
    count: int
    raw: str
    fields: dict[str, str]


def read_tsv(path: Path) -> tuple[list[str], list[Row]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].rstrip("\r").split("\t")
    rows = []
    for line in lines[1:]:
        line = line.rstrip("\r")
        if not line.strip():
            continue
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        fields = dict(zip(header, cells, strict=False))
        rows.append(Row(int(fields["count"] or 1), fields["raw"], fields))
    return header, rows


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def _same_num(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.005)


def _fmt_num(v: float | None) -> str:
    if v is None:
        return "-"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# --- salary ----------------------------------------------------------------------------------


def salary_expected(row: Row) -> tuple[Any, ...]:
    f = row.fields
    return (_num(f["min"]), _num(f["max"]), f["currency"] or None, f["period"] or None)


def salary_got(parse: Callable[[str | None], Any], raw: str) -> tuple[Any, ...]:
    s = parse(raw)
    if s is None:
        return (None, None, None, None)
    return (s.min, s.max, s.currency, s.period)


def salary_equal(exp: tuple[Any, ...], got: tuple[Any, ...]) -> list[bool]:
    return [_same_num(exp[0], got[0]), _same_num(exp[1], got[1]), exp[2] == got[2], exp[3] == got[3]]


def salary_fmt(t: tuple[Any, ...]) -> str:
    if all(v is None for v in t):
        return "(none)"
    return f"{_fmt_num(t[0])}..{_fmt_num(t[1])} {t[2] or '-'} {t[3] or '-'}"


# --- location --------------------------------------------------------------------------------


def _codes(text: str) -> tuple[str, ...]:
    return tuple(sorted(c.strip() for c in text.split(",") if c.strip()))


def location_expected(row: Row) -> tuple[Any, ...]:
    f = row.fields
    return (
        f["workplace"],
        f["worldwide"].strip().lower() == "yes",
        _codes(f["countries"]),
        _codes(f["regions"]),
    )


def location_got(parse: Callable[[str | None], Any], raw: str) -> tuple[Any, ...]:
    loc = parse(raw)
    return (
        loc.workplace,
        bool(loc.worldwide),
        tuple(sorted(loc.countries or ())),
        tuple(sorted(loc.regions or ())),
    )


def location_equal(exp: tuple[Any, ...], got: tuple[Any, ...]) -> list[bool]:
    return [a == b for a, b in zip(exp, got, strict=True)]


def location_fmt(t: tuple[Any, ...]) -> str:
    worldwide = "yes" if t[1] else "no"
    return f"{t[0]} ww={worldwide} countries={','.join(t[2]) or '-'} regions={','.join(t[3]) or '-'}"


# --- report ----------------------------------------------------------------------------------


def evaluate(
    title: str,
    path: Path,
    rows: list[Row],
    parse: Callable[[str | None], Any],
    expected: Callable[[Row], tuple[Any, ...]],
    got_fn: Callable[[Callable[[str | None], Any], str], tuple[Any, ...]],
    equal: Callable[[tuple[Any, ...], tuple[Any, ...]], list[bool]],
    fmt: Callable[[tuple[Any, ...]], str],
    field_names: Sequence[str],
) -> float:
    n = len(rows)
    total_weight = sum(r.count for r in rows)
    hits = weighted_hits = 0
    field_hits = [0] * len(field_names)
    misses = []
    for row in rows:
        exp = expected(row)
        try:
            got = got_fn(parse, row.raw)
            fields_ok = equal(exp, got)
            got_text = fmt(got)
        except Exception as exc:  # a crash on one row is a miss, not the end of the run
            fields_ok = [False] * len(field_names)
            got_text = f"ERROR {type(exc).__name__}: {exc}"
        for i, ok in enumerate(fields_ok):
            field_hits[i] += ok
        if all(fields_ok):
            hits += 1
            weighted_hits += row.count
        else:
            misses.append((row, exp, got_text))
    overall = hits / n if n else 0.0
    weighted = weighted_hits / total_weight if total_weight else 0.0
    SUMMARY.append((title, path.name, hits, n))
    print(f"== {title}: {path}")
    print(f"   distinct strings: {hits}/{n} = {overall:.2%}")
    print(f"   weighted by count: {weighted_hits}/{total_weight} = {weighted:.2%}")
    per_field = ", ".join(f"{name} {h / n:.1%}" for name, h in zip(field_names, field_hits, strict=True)) if n else ""
    print(f"   per field: {per_field}")
    print(f"   misses: {len(misses)}")
    for row, exp, got_text in misses:
        note = row.fields.get("note", "")
        print(f"   - [{row.count}] {row.raw!r}")
        print(f"       expected: {fmt(exp)}" + (f"   (note: {note})" if note else ""))
        print(f"       got:      {got_text}")
    print()
    return overall


# --- employment type, seniority, workplace ----------------------------------------------------


def vocab_rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]


def evaluate_vocab(title: str, path: Path, rows: list[dict[str, str]], decide: Callable[[dict[str, str]], str]) -> None:
    misses = []
    for row in rows:
        try:
            got = decide(row)
        except Exception as exc:  # a crash on one row is a miss
            got = f"ERROR {type(exc).__name__}: {exc}"
        if got != row["expected"]:
            misses.append((row, got))
    hits = len(rows) - len(misses)
    SUMMARY.append((title, path.name, hits, len(rows)))
    print(f"== {title}: {path}")
    print(f"   cases: {hits}/{len(rows)} = {hits / len(rows):.2%}" if rows else "   no cases")
    for row, got in misses:
        shown = {k: v for k, v in row.items() if k not in ("expected", "note")}
        print(f"   - {shown}: expected {row['expected']}, got {got}")
    print()


def run_vocab() -> None:
    from aggregator.normalise.employment import employment_type, seniority
    from aggregator.normalise.location import parse_location

    def employment(row: dict[str, str]) -> str:
        if row["source"] == "field":
            return employment_type(row["input"], None)
        return employment_type(None, row["input"])

    cases = [
        ("employment type", "employment-heldout", employment),
        ("seniority", "seniority-heldout", lambda row: seniority(row["title"])),
        ("workplace", "workplace-heldout", lambda row: parse_location(row["text"]).workplace),
    ]
    for title, stem, decide in cases:
        for path in sorted(HELDOUT.glob(f"{stem}*.tsv")):
            evaluate_vocab(title, path, vocab_rows(path), decide)


def _first_scores() -> dict[str, tuple[str, str]]:
    """Each held-out file's score when it was first measured, before any rule was fitted to it."""
    path = HELDOUT / "first-scores.tsv"
    if not path.exists():
        return {}
    rows = vocab_rows(path)
    return {row["file"]: (f"{row['first_hits']}/{row['first_total']}", row["tuned_on_afterwards"]) for row in rows}


def print_summary() -> None:
    """Development (tuned on) and held-out (not tuned on) figures side by side.

    A held-out file's first score is the honest one once rules were fitted to its misses
    ("tuned" yes); its score today is then a development figure in effect."""
    first = _first_scores()
    print("== summary: development vs held-out (exact match over distinct cases)")
    print(f"   {'concept':<16} {'set':<30} {'kind':<9} {'today':>15} {'first':>8} {'tuned':>6}")
    for title, name, hits, n in SUMMARY:
        kind = "dev" if "-dev" in name else "held-out"
        score = f"{hits}/{n} {hits / n:7.2%}" if n else "-"
        was, tuned = first.get(name, ("-", "-"))
        print(f"   {title:<16} {name:<30} {kind:<9} {score:>15} {was:>8} {tuned:>6}")


def _load(module: str, attr: str) -> Callable[[str | None], Any] | str:
    """The normaliser function, or a message saying why it is not available."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        return f"{module} is not available ({exc})"
    except Exception:  # a broken module must not hide the other section
        return f"{module} failed to import:\n{traceback.format_exc()}"
    fn = getattr(mod, attr, None)
    if fn is None:
        return f"{module} has no {attr}()"
    return fn


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="label TSVs; salary or location read from the header")
    ap.add_argument("--salary", type=Path, help="salary label TSV (default: tests/fixtures/labels/salary-dev.tsv)")
    ap.add_argument("--location", type=Path, help="location label TSV (default: .../location-dev.tsv)")
    args = ap.parse_args(argv)

    salary_paths: list[Path] = [args.salary] if args.salary else []
    location_paths: list[Path] = [args.location] if args.location else []
    for path in args.files:
        header, _ = read_tsv(path)
        if header[:6] == SALARY_COLUMNS[:6]:
            salary_paths.append(path)
        elif header[:6] == LOCATION_COLUMNS[:6]:
            location_paths.append(path)
        else:
            ap.error(f"{path}: header {header} is neither a salary nor a location label file")
    defaults = not salary_paths and not location_paths
    if defaults:
        salary_paths = [LABELS / "salary-dev.tsv", *sorted(HELDOUT.glob("salary-*.tsv"))]
        location_paths = [LABELS / "location-dev.tsv"]

    for path in salary_paths:
        _, rows = read_tsv(path)
        parse = _load("aggregator.normalise.salary", "parse_salary")
        if isinstance(parse, str):
            print(f"== salary: {path}\n   SKIPPED: {parse}\n")
            continue
        evaluate(
            "salary",
            path,
            rows,
            parse,
            salary_expected,
            salary_got,
            salary_equal,
            salary_fmt,
            ["min", "max", "currency", "period"],
        )
    for path in location_paths:
        _, rows = read_tsv(path)
        parse = _load("aggregator.normalise.location", "parse_location")
        if isinstance(parse, str):
            print(f"== location: {path}\n   SKIPPED: {parse}\n")
            continue
        evaluate(
            "location",
            path,
            rows,
            parse,
            location_expected,
            location_got,
            location_equal,
            location_fmt,
            ["workplace", "worldwide", "countries", "regions"],
        )
    if defaults:
        run_vocab()
    print_summary()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # output piped into head and cut short
        sys.stdout = open(os.devnull, "w")  # keep the final flush quiet
        raise SystemExit(0) from None
