"""Lenient JSON-LD: the common faults of real pages are repaired for the fast parser, the rest is
read by JSON5 rules, and what no rule reads is an error (a counted reject upstream)."""

from __future__ import annotations

import json5
import pytest

from aggregator.extract.jsonld import JsonLdError, loads_lenient

CASES = [
    ('{"title": "Engineer", "tags": ["a", "b",],}', {"title": "Engineer", "tags": ["a", "b"]}),
    ('{"a": 1, // a comment\n "b": 2 /* another */}', {"a": 1, "b": 2}),
    # What looks like a fault inside a string is text, and stays.
    ('{"url": "https://x.example/a,}", "note": "/* not a comment */ // nor this",}',
     {"url": "https://x.example/a,}", "note": "/* not a comment */ // nor this"}),
    ('{"quote": "say \\"hi\\",]", "n": [1,\n  ],}', {"quote": 'say "hi",]', "n": [1]}),
    ('{"text": "raw\nnewline",}', {"text": "raw\nnewline"}),
    ("<!-- {\"a\": 1,}; -->", {"a": 1}),
    # JSON5-only syntax still reads, by the slow parser.
    ("{title: 'Engineer', count: 0x10,}", {"title": "Engineer", "count": 16}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_common_faults_are_read(text, expected):
    assert loads_lenient(text) == expected


@pytest.mark.parametrize("text", ['{"a": 1', '{"a": }', "not json at all"])
def test_what_no_rule_reads_is_an_error(text):
    with pytest.raises(JsonLdError):
        loads_lenient(text)


def test_the_repair_reads_what_json5_reads():
    text = '{"@type": "JobPosting", "url": "https://remotewlb.com/job/a-b",}'
    assert loads_lenient(text) == json5.loads(text)
