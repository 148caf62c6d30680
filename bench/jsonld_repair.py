"""What a page with invalid JSON-LD costs: the lenient reader against JSON5 alone, side by side.

Usage::

    .venv/bin/python bench/jsonld_repair.py

Every JSON-LD block of both recorded months (tests/fixtures/dedup/) that the standard parser
refuses is read by ``aggregator.extract.jsonld.loads_lenient`` (common faults repaired, then the C
parser; JSON5 last) and by ``json5.loads``; the results must be equal. Printed: ms per block for
each, the ratio, and the cost of a valid block for scale.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import json5
from parsel import Selector

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aggregator.extract.jsonld import loads_lenient  # noqa: E402

MONTHS = sorted((ROOT / "tests" / "fixtures" / "dedup").glob("remotewlb-*"))


def blocks() -> tuple[list[str], list[str]]:
    valid, invalid = [], []
    for month in MONTHS:
        for line in (month / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            for response in json.loads(line)["responses"]:
                if "body" not in response or response["status"] != 200:
                    continue
                page = (month / response["body"]).read_text(encoding="utf-8", errors="replace")
                for raw in Selector(text=page).xpath('//script[@type="application/ld+json"]/text()').getall():
                    try:
                        json.loads(raw, strict=False)
                    except ValueError:
                        invalid.append(raw)
                    else:
                        valid.append(raw)
    return valid, invalid


def per_block_ms(read, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        read(text)
    return 1e3 * (time.perf_counter() - started) / max(1, len(texts))


def main() -> int:
    valid, invalid = blocks()
    assert all(loads_lenient(text) == json5.loads(text) for text in invalid), "the repair read something else"
    lenient, slow = per_block_ms(loads_lenient, invalid), per_block_ms(json5.loads, invalid)
    print(f"{len(invalid)} invalid JSON-LD blocks of {len(valid) + len(invalid)}: lenient reader {lenient:.2f} ms, "
          f"json5 {slow:.1f} ms per block; {slow / lenient:.0f}× faster (a valid block: "
          f"{per_block_ms(loads_lenient, valid):.2f} ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
