"""Hacker News "Ask HN: Who is hiring?" threads (Algolia HN API) → RawPosting.

``GET https://hn.algolia.com/api/v1/items/<thread id>`` answers the whole thread as one nested
object: ``children[]`` are the top-level comments — one job posting each — and their own
``children`` are replies, never postings. A comment has ``id``, ``author``, ``text`` (HTML; in
2011/2023 every paragraph is ``<p>…</p>``, in 2026 ``<p>`` only separates), ``created_at`` and
``created_at_i``. Deleted or dead comments have no text (and no author).

A posting is free text. Its first line usually follows the convention
``Company | Role | Location | REMOTE | salary`` (any order after the company, any subset), older
ones ``Location - Role`` or "Acme is hiring engineers in Berlin". The first line is cut into
segments (on ``|``, else on dashes and semicolons) and each segment is classified by what it is:
a remote/onsite marker, a salary, a link, an employment type, a role (it names a job word), a
place (the location parser recognises it) — and, in the pipe convention, the first segment is the
company. The first link anywhere in the comment is the apply URL; the comment's permalink is the
posting URL.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company
from aggregator.normalise.location import parse_location

SOURCE = "hackernews"
PERMALINK = "https://news.ycombinator.com/item?id={id}"
THREAD_TITLE = re.compile(r"(?i)^\s*ask hn:\s*who is hiring\??")

_TAG = re.compile(r"<[^>]+>")
# Paragraphs, line breaks, and the literal "\n" some old comments carry.
_PARAGRAPH = re.compile(r"(?i)<p\b[^>]*>|</p>|<br\s*/?>|\n|\\n")
_HREF = re.compile(r"""(?i)<a\b[^>]*?href\s*=\s*["']([^"']+)["']""")
_BARE_URL = re.compile(r"(?i)\bhttps?://[^\s<>\"')\]]+")
_DOMAIN = re.compile(r"(?i)^(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?$")
_WORKPLACE = re.compile(r"(?i)\b(remote|onsite|on-site|on site|in-office|in office|hybrid|wfh|anywhere)\b")
_SALARY = re.compile(
    r"(?i)(?:[$€£¥₹]|\b(?:usd|eur|gbp|cad|aud|chf|sek|nok|dkk|inr|jpy)\b)\s*\d|\d\s*(?:k|K)\b\s*(?:[-–—]|to|\+|/)"
    r"|\b\d{2,3}(?:[.,]\d{3})+\b|\b\d{2,3}\s*[-–—]\s*\d{2,3}\s*[kK]\b|\bsalary\b|\bequity\b|\bcompensation\b"
    r"|\bper (?:year|annum|hour)\b"
)
_EMPLOYMENT = re.compile(
    r"(?i)^\W*(?:full[\s-]?time|part[\s-]?time|contract(?:or)?|freelance|intern(?:ship)?s?|permanent|"
    r"ft|pt|visa|h1b|h-1b|no visa|visa sponsorship|relocation)\b"
)
_ROLE = re.compile(
    r"(?i)\b(engineer\w*|developer\w*|devs?\b|programmer\w*|designer\w*|architect\w*|scientist\w*|analyst\w*|"
    r"manager\w*|director\w*|head of|lead\b|vp\b|cto\b|ceo\b|coo\b|cfo\b|founder\w*|sre\b|devops|"
    r"researcher\w*|recruiter\w*|writer\w*|tester\w*|qa\b|marketing|marketer\w*|sales|support|"
    r"administrator\w*|sysadmin|specialist\w*|consultant\w*|intern\b|interns\b|internship|hacker\w*|"
    r"positions?\b|roles?\b|engineering|ops\b|technician\w*|accountant\w*|operations|product|"
    r"frontend|front-end|backend|back-end|full[\s-]?stack|mobile|ios|android|data|ml\b|ai\b)"
)
_HIRING = re.compile(r"(?i)^(?P<company>.{2,80}?)\s+(?:is|are)\s+(?:now\s+)?(?:hiring|looking|seeking)\b"
                     r"(?:\s+(?:for|an?)\b)*\s*(?P<rest>.*)$")  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.!]\s+(?=[A-Z])")
_NOT_REMOTE = re.compile(r"(?i)\b(?:no|not|non)[\s-]+remote")
_SEGMENT_SPLIT = re.compile(r"\s+[-–—]+\s+|\s*;\s*|\s+::\s+")
_STRICT_ROLE = re.compile(
    r"(?i)\b(engineer|developer|designer|manager|scientist|analyst|architect|director|"
    r"head of|programmer|recruiter|researcher)"
)
_LABEL = re.compile(
    r"(?i)^(?:company|employer|role|position|title|job|location|locations|salary|comp|pay|"
    r"type|remote)\s*:\s*"
)
_YC_BATCH = re.compile(r"\s*[(\[]\s*YC\b[^)\]]*[)\]]", re.I)
_PARENS_URL = re.compile(r"\s*[(\[]\s*(?:https?://|www\.)?[^()\[\]\s]+\.[a-z]{2,}[^()\[\]]*[)\]]", re.I)


def plain_lines(text: str | None) -> list[str]:
    """The comment's text as plain lines (paragraphs and line breaks split; tags and entities gone)."""
    if not text:
        return []
    lines = []
    for part in _PARAGRAPH.split(text):
        line = squash(html.unescape(_TAG.sub("", part)))
        if line:
            lines.append(line)
    return lines


def first_link(text: str | None) -> str | None:
    """The first link in the comment: an ``<a href>``, else a bare URL in the text."""
    if not text:
        return None
    anchors = [(match.start(), html.unescape(match.group(1))) for match in _HREF.finditer(text)]
    bare = [(match.start(), html.unescape(match.group(0))) for match in _BARE_URL.finditer(_TAG.sub(" ", text))]
    found = anchors[:1] or bare[:1]
    return found[0][1].strip() if found else None


@dataclass
class Header:
    """What the first line of a posting says."""

    company: str | None = None
    title: str | None = None
    places: list[str] = field(default_factory=list)
    workplace: list[str] = field(default_factory=list)
    salary: str | None = None
    employment: list[str] = field(default_factory=list)


def _is_place(segment: str) -> bool:
    location = parse_location(segment)
    return bool(location.countries or location.regions or location.worldwide)


def _clean_company(segment: str) -> str:
    segment = _YC_BATCH.sub("", _PARENS_URL.sub("", segment)).strip(" :,-–—")
    if _DOMAIN.match(segment) and "/" not in segment:
        return segment  # "SurveyMonkey.com" is a name
    if _BARE_URL.fullmatch(segment):  # only a link: its host names the company
        host = urlsplit(segment).hostname or segment
        return host.removeprefix("www.")
    return (squash(_BARE_URL.sub("", segment)) or "").strip(" :,-–—") or segment


def _known(segment: str) -> bool:
    """Whether a segment reads as anything but a name."""
    return bool(_ROLE.search(segment) or _WORKPLACE.search(segment) or _SALARY.search(segment)
                or _EMPLOYMENT.match(segment) or _DOMAIN.match(segment) or _is_place(segment))  # fmt: skip


def parse_header(line: str) -> Header:
    """Classify the segments of a posting's first line (see the module docstring)."""
    header = Header()
    line = squash(line) or ""
    piped = line.count("|") >= 1
    if not piped:
        line = _SENTENCE_END.split(line, maxsplit=1)[0]  # prose: the first sentence carries the header
    segments = [squash(part) for part in (line.split("|") if piped else _SEGMENT_SPLIT.split(line))]
    segments = [_LABEL.sub("", segment).strip(" .:,") for segment in segments if segment]
    segments = [segment for segment in segments if segment]
    if not segments:
        return header
    if piped:
        # "Role | Company | …" instead of "Company | Role | …": the first segment names a job and
        # the second names nothing we know (no job word, place, marker, salary or link).
        if len(segments) > 1 and _STRICT_ROLE.search(segments[0]) and not _known(segments[1]):
            segments[0], segments[1] = segments[1], segments[0]
        header.company = _clean_company(segments.pop(0))
    else:
        hiring = _HIRING.match(segments[0])
        if hiring:
            header.company = _clean_company(hiring.group("company"))
            rest = squash(_BARE_URL.sub("", hiring.group("rest"))) or ""
            rest = rest.strip(" .:")
            role, _, place = f" {rest}".partition(" in ")
            segments[0:1] = [part for part in (role.strip(" ."), place.strip(" .")) if part]
    leftovers = []
    for segment in segments:
        if _SALARY.search(segment) and not _ROLE.search(segment):
            header.salary = header.salary or segment
        elif _WORKPLACE.search(segment) and (len(segment) < 60 or not _ROLE.search(segment)):
            header.workplace.append(segment)
        elif _EMPLOYMENT.match(segment):
            header.employment.append(segment)
        elif _DOMAIN.match(segment) or _BARE_URL.match(segment):
            continue  # a link: the apply URL is taken from the whole comment
        elif (
            header.title is None
            and _ROLE.search(segment)
            and not (not piped and _is_place(segment) and not _ROLE.search(segment))
        ):
            header.title = segment
        elif _is_place(segment):
            header.places.append(segment)
        else:
            leftovers.append(segment)
    if piped and header.title is None and header.company and _STRICT_ROLE.search(header.company):
        header.title, header.company = header.company, None  # "Senior Engineer | Berlin | Remote"
    if header.company is None and leftovers:
        header.company = _clean_company(leftovers.pop(0))
    if header.title is None and leftovers:
        header.title = leftovers.pop(0)
    return header


def extract(record: dict[str, Any], context: Context) -> RawPosting | None:
    """One top-level comment → a posting; None for a deleted or dead comment (no text)."""
    if record.get("deleted") or record.get("dead") or not squash(record.get("text") or ""):
        return None
    lines = plain_lines(record.get("text"))
    header = parse_header(lines[0]) if lines else Header()
    for line in lines[1:4]:
        if header.title is not None:
            break
        if len(line) <= 100 and _ROLE.search(line):
            # "Boston, MA" on the first line, the role on one of the next ones.
            header.title = parse_header(line).title  # its leftovers are no company: only the first line names one
    comment_id = record.get("id")
    locations = header.places + header.workplace
    remote = any(re.search(r"(?i)remote|anywhere|wfh", part) and not _NOT_REMOTE.search(part)
                 for part in header.workplace)  # fmt: skip
    hybrid = any(re.search(r"(?i)hybrid", part) for part in header.workplace)
    return RawPosting(
        source=SOURCE,
        url=PERMALINK.format(id=comment_id) if comment_id is not None else None,
        source_id=str(comment_id) if comment_id is not None else None,
        apply_url=first_link(record.get("text")),
        # A first line that names no role still titles the posting (cut to a title's length).
        title=first(header.title, (lines[0][:120] if lines else None)),
        company=real_company(header.company),
        salary_raw=header.salary,
        location_raw="; ".join(locations) or None,
        description_html=record.get("text"),
        date_posted=first(squash(record.get("created_at")), str(record.get("created_at_i") or "")),
        employment_type_raw=", ".join(header.employment) or None,
        job_location_type_raw="hybrid" if hybrid else ("remote" if remote else None),
    )


def thread_comments(thread: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level comments of a thread (replies are their children and are not included)."""
    children = thread.get("children") if isinstance(thread, dict) else None
    return [child for child in children or [] if isinstance(child, dict)]


def is_hiring_thread(hit: dict[str, Any]) -> bool:
    """A search hit that is a "Who is hiring?" thread (not "Who wants to be hired?" or freelancers)."""
    return bool(THREAD_TITLE.match(str(hit.get("title") or "")))
