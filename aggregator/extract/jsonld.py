"""Finding schema.org JobPosting objects in JSON-LD, leniently.

Real pages put the posting at the top level, inside ``@graph``, in a list, or nested in another
object; some ship invalid JSON (trailing commas, comments, raw newlines in strings). Everything
here is pure: text in, Python data out.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import json5
from parsel import Selector

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The faults real pages have, found in one pass that steps over strings whole: a comma before a
# closing bracket (group 1 is the bracket), and // or /* */ comments.
_COMMON_FAULTS = re.compile(r'"(?:[^"\\]++|\\.)*+"|,(\s*[}\]])|//[^\n]*|/\*.*?\*/', re.DOTALL)


def _without_common_faults(text: str) -> str:
    def repair(match: re.Match) -> str:
        token = match.group(0)
        if token.startswith('"'):
            return token
        return match.group(1) or " "

    return _COMMON_FAULTS.sub(repair, text)


class JsonLdError(ValueError):
    """A JSON-LD block that no lenient parse could read."""


def loads_lenient(text: str) -> Any:
    """Parse JSON the way browsers' authors wrote it: strict first, then with trailing commas and
    comments taken out (fast: the C parser again), and only then by JSON5 rules (a hundred times
    slower: single quotes, unquoted keys, hex numbers)."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    if text.endswith(";"):
        text = text[:-1]
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_without_common_faults(text), strict=False)
    except ValueError:
        pass
    try:
        return json5.loads(_CONTROL_CHARS.sub(" ", text))
    except ValueError as exc:
        raise JsonLdError(str(exc)) from exc


def json_ld_blocks(selector: Selector) -> tuple[list[Any], list[str]]:
    """All parsed JSON-LD blocks of a page, and an error message for each block that failed."""
    blocks, errors = [], []
    for raw in selector.xpath('//script[@type="application/ld+json"]/text()').getall():
        if not raw.strip():
            continue
        try:
            blocks.append(loads_lenient(raw))
        except JsonLdError as exc:
            errors.append(f"invalid JSON-LD: {exc}")
    return blocks, errors


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in values}


def iter_typed(data: Any, wanted: str) -> Iterator[dict[str, Any]]:
    """Every object of ``@type`` ``wanted`` anywhere in ``data`` (graphs, lists, nesting)."""
    if isinstance(data, list):
        for element in data:
            yield from iter_typed(element, wanted)
    elif isinstance(data, dict):
        if wanted in _types(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from iter_typed(value, wanted)


def first_job_posting(selector: Selector) -> tuple[dict[str, Any] | None, list[str]]:
    blocks, errors = json_ld_blocks(selector)
    for posting in iter_typed(blocks, "JobPosting"):
        return posting, errors
    return None, errors


def text_value(value: Any) -> str | None:
    """A schema.org value that should be text: take a name/value out of objects and lists."""
    if value is None:
        return None
    if isinstance(value, list):
        for element in value:
            found = text_value(element)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_value(value.get("name") or value.get("value") or value.get("@id"))
    text = str(value).strip()
    return text or None


def identifier_value(value: Any) -> str | None:
    """schema.org identifier: a PropertyValue's ``value`` (its ``name`` is the issuer, not the id)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("value") or value.get("@id")
    return text_value(value)


def description_html(value: Any) -> str | None:
    """The description as HTML, unescaping boards that HTML-escape it a second time."""
    text = text_value(value)
    if text and "<" not in text and re.search(r"&lt;\s*/?\s*[a-zA-Z]", text):
        text = html.unescape(text)
    return text


# The structured hints of a JobPosting that the normalisers read, kept as found.
STRUCTURED_HINTS = (
    "employment_type_raw", "base_salary_raw", "job_location_type_raw", "applicant_location_raw", "job_location_raw",
)  # fmt: skip


def structured_hints(fields: dict[str, Any]) -> dict[str, Any]:
    """The hint fields of a job_posting_fields() result, for RawPosting(**…)."""
    return {name: fields.get(name) for name in STRUCTURED_HINTS}


def job_posting_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """Raw item fields from a schema.org JobPosting object (values as found, not normalised)."""
    return {
        "title": text_value(posting.get("title")),
        "company": text_value(posting.get("hiringOrganization")),
        "description_html": description_html(posting.get("description")),
        "date_posted": text_value(posting.get("datePosted")),
        "valid_through": text_value(posting.get("validThrough")),
        "employment_type_raw": posting.get("employmentType"),
        "base_salary_raw": posting.get("baseSalary"),
        "job_location_type_raw": posting.get("jobLocationType"),
        "applicant_location_raw": posting.get("applicantLocationRequirements"),
        "job_location_raw": posting.get("jobLocation"),
        "identifier": identifier_value(posting.get("identifier")),
        "url": text_value(posting.get("url")),
    }
