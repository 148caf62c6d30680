"""The employer a description names for itself ("About Writer", "At Vanta, our mission…",
"Join the Snowflake team", "Deel is a …"): what stands in for an empty company field."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from aggregator.dedup.vocab import words

# A name: one to four capitalised words ("Snowflake", "Local Kitchens", "Arch Global Services").
_NAME = r"([A-Z][\w&'’.-]*[\w&](?: (?:[A-Z][\w&'’.-]*[\w&]|&|of|de)){0,3})"
_PATTERNS = (
    re.compile(r"^About " + _NAME + r"\s*:?\s*$"),  # a heading "About Writer"
    re.compile(r"(?:^|\. )At " + _NAME + r","),  # "At Vanta, our mission …"
    re.compile(r"\bJoin (?:the )?" + _NAME + r" (?:team|family)\b"),  # "Join the Snowflake team"
    re.compile(r"^" + _NAME + r" (?:is|was|are) (?:a|an|the|one of)\b"),  # "Deel is a …"
    re.compile(r"\b(?:work|working|career|careers|life) at " + _NAME + r"\b"),  # "Life at Writer"
)
# Capitalised words that open those phrases without naming anyone ("About the role").
_NOT_NAMES = words("not_employers.txt")


def employer_named(lines: Sequence[str]) -> str | None:
    """The name the text gives its employer most often through those phrases, or None."""
    found: Counter[str] = Counter()
    for line in lines[:200]:
        for pattern in _PATTERNS:
            for name in pattern.findall(line):
                name = name.strip(".'’-")
                if name.split()[0].lower() not in _NOT_NAMES and len(name) > 1:
                    found[name] += 1
    if not found:
        return None
    return found.most_common(1)[0][0]
