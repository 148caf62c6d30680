"""The employer a description names for itself ("About Writer", "At Vanta, our mission…",
"Join the Snowflake team", "Deel is a …"): what stands in for an empty company field."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from aggregator.dedup.vocab import words

# A name: one to four capitalised words ("Snowflake", "Local Kitchens", "Arch Global Services").
_NAME = r"([A-Z][\w&'’.-]*[\w&](?: (?:[A-Z][\w&'’.-]*[\w&]|&|of|de)){0,3})"
# Each with the words a line must contain for it to match: most lines contain none, and a
# substring test is far cheaper than the search.
_PATTERNS = (
    (("About ",), re.compile(r"^About " + _NAME + r"\s*:?\s*$")),  # a heading "About Writer"
    (("At ",), re.compile(r"(?:^|\. )At " + _NAME + r",")),  # "At Vanta, our mission …"
    (("Join ",), re.compile(r"\bJoin (?:the )?" + _NAME + r" (?:team|family)\b")),  # "Join the Snowflake team"
    ((" is ", " was ", " are "), re.compile(r"^" + _NAME + r" (?:is|was|are) (?:a|an|the|one of)\b")),  # "Deel is a …"
    ((" at ",), re.compile(r"\b(?:work|working|career|careers|life) at " + _NAME + r"\b")),  # "Life at Writer"
)
# Capitalised words that open those phrases without naming anyone ("About the role").
_NOT_NAMES = words("not_employers.txt")


def employer_named(lines: Sequence[str]) -> str | None:
    """The name the text gives its employer most often through those phrases, or None."""
    found: Counter[str] = Counter()
    lines = lines[:200]
    whole = "\n".join(lines)
    patterns = [(cues, pattern) for cues, pattern in _PATTERNS if any(map(whole.__contains__, cues))]
    if not patterns:
        return None
    for line in lines:
        for cues, pattern in patterns:
            if not any(map(line.__contains__, cues)):
                continue
            for name in pattern.findall(line):
                name = name.strip(".'’-")
                if name.split()[0].lower() not in _NOT_NAMES and len(name) > 1:
                    found[name] += 1
    if not found:
        return None
    return found.most_common(1)[0][0]
