"""RemoteOK API records (``GET https://remoteok.com/api``) → RawPosting.

The body is one JSON array: a legal notice (no ``id``) and then postings. Text fields carry
double-encoded UTF-8 (``Youâ\\x80\\x99ll``, ``GdaÅ\\x84sk``), descriptions end with an anti-spam
trailer ("Please mention the word **X** and tag RM…") and some hold literal ``\\n`` between tags.
``salary_min``/``salary_max`` are USD amounts, ``0`` when not stated.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.extract.api_fields import epoch_text, repaired, structured_salary, text
from aggregator.extract.context import Context
from aggregator.items import RawPosting

SOURCE = "remoteok"

# "<br/><br/>Please mention the word **REFORMS** and tag RMjcu…= when applying to show you read
# the job post completely (#RMjcu…=). This is a beta feature to avoid spam applicants. …"
_ANTI_SPAM = re.compile(
    r"(?:\s|<br\s*/?>|\\n)*Please mention the word\s*\*\*[^*]*\*\*.*?when applying.*\Z",
    re.IGNORECASE | re.DOTALL,
)
# A literal backslash-n the board left between tags ("</p>\n<p>" as two characters).
_LITERAL_NEWLINE = re.compile(r"(?<=>)\\n|\\n(?=<)")


def is_posting(record: Any) -> bool:
    """Postings have an id; the legal notice (``{"last_updated", "legal"}``) has none."""
    return isinstance(record, dict) and text(record.get("id")) is not None


def clean_description(html: Any) -> str | None:
    fixed = repaired(html)
    if not fixed:
        return None
    fixed = _ANTI_SPAM.sub("", fixed)
    fixed = _LITERAL_NEWLINE.sub("\n", fixed).strip()
    return fixed or None


def extract(record: Any, context: Context) -> RawPosting | None:
    """A posting, or None for the legal notice and anything else that is not a posting."""
    if not is_posting(record):
        return None
    url = text(record.get("url")) or text(record.get("apply_url"))
    if url is None and text(record.get("slug")):
        url = f"https://remoteok.com/remote-jobs/{text(record.get('slug'))}"
    # The board's own fields only: amounts of 0 mean "not stated"; the currency is USD.
    stated_salary, salary_raw = structured_salary(record.get("salary_min"), record.get("salary_max"), "USD")
    return RawPosting(
        source=SOURCE,
        # The listing on Remote OK: its terms ask for a followed link back to it.
        url=url,
        source_id=text(record.get("id")),
        apply_url=text(record.get("apply_url")),
        title=text(repaired(record.get("position"))),
        company=text(repaired(record.get("company"))),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=text(repaired(record.get("location"))),
        description_html=clean_description(record.get("description")),
        date_posted=text(record.get("date")) or epoch_text(record.get("epoch")),
    )
