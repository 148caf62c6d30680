"""Personio XML feed → RawPosting.

``GET https://<company>.jobs.personio.de/xml`` (or ``.com``; ``?language=en|de`` picks the texts)
answers ``<workzag-jobs>`` with one ``<position>`` per job: ``id``, ``subcompany?``, ``office``,
``additionalOffices/office*``, ``department``, ``recruitingCategory``, ``name`` (the title),
``jobDescriptions/jobDescription{name, value}`` (CDATA HTML padded with whitespace),
``employmentType``, ``seniority``, ``schedule`` (full-time/part-time), ``yearsOfExperience``,
``keywords``, ``occupation``, ``createdAt`` (ISO) and ``salaryInformation{min, max,
currencyCode, type}``. There is no job URL: it is ``https://<host>/job/<id>``. An employer without
jobs answers ``<workzag-jobs></workzag-jobs>``.
"""

from __future__ import annotations

import html
from typing import Any

from lxml import etree

from aggregator.extract.api_fields import structured_salary
from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting, StatedSalary
from aggregator.normalise.company import real_company

SOURCE = "personio"
# Personio's pay periods → the salary helper's words.
PERIODS = {"yearly": "year", "monthly": "month", "weekly": "week", "daily": "day", "hourly": "hour"}


class NotAPersonioFeed(ValueError):
    """The body is not a Personio ``<workzag-jobs>`` document."""


def _text(node: etree._Element | None, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    return squash(found.text) if found is not None and found.text else None


def positions(body: bytes) -> list[dict[str, Any]]:
    """Every ``<position>`` as a plain dict (lists for offices and descriptions)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(body.strip(), parser=parser) if body.strip() else None
    except etree.XMLSyntaxError as exc:
        raise NotAPersonioFeed(f"unreadable XML: {exc}") from exc
    if root is None or root.tag != "workzag-jobs":
        raise NotAPersonioFeed(f"root element is {getattr(root, 'tag', None)!r}, not workzag-jobs")
    result = []
    for position in root.iter("position"):
        record: dict[str, Any] = {}
        for child in position:
            if child.tag == "jobDescriptions":
                record["jobDescriptions"] = [
                    {"name": _text(entry, "name"), "value": (entry.findtext("value") or "").strip()}
                    for entry in child.iter("jobDescription")
                ]
            elif child.tag == "additionalOffices":
                record["additionalOffices"] = [squash(office.text) for office in child if squash(office.text)]
            elif child.tag == "salaryInformation":
                record["salaryInformation"] = {field.tag: squash(field.text) for field in child}
            elif isinstance(child.tag, str):
                record[child.tag] = squash(child.text)
        result.append(record)
    return result


def position_salary(salary: Any) -> tuple[StatedSalary | None, str | None]:
    """``salaryInformation`` → the typed salary and its readable twin."""
    if not isinstance(salary, dict):
        return None, None
    period = PERIODS.get((salary.get("type") or "").lower(), salary.get("type"))
    return structured_salary(salary.get("min"), salary.get("max"), salary.get("currencyCode"), period)


def description_html(record: dict[str, Any]) -> str | None:
    parts = []
    for section in record.get("jobDescriptions") or []:
        if section.get("value"):
            heading = f"<h3>{html.escape(section['name'])}</h3>" if section.get("name") else ""
            parts.append(f"{heading}{section['value']}")
    return "\n".join(parts) or None


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    host, company = context.board, context.company
    job_id = record.get("id")
    offices = [record.get("office"), *(record.get("additionalOffices") or [])]
    offices = list(dict.fromkeys(office for office in offices if office))
    remote = any(office.lower() == "remote" for office in offices)
    url = f"https://{host}/job/{job_id}" if job_id else None
    stated_salary, salary_raw = position_salary(record.get("salaryInformation"))
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=job_id,
        apply_url=url,  # the application form is on the job page
        title=record.get("name"),
        # The configured name is the employer; a subcompany names one of its entities.
        company=real_company(company, record.get("subcompany"), host.split(".")[0]),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw="; ".join(offices) or None,
        description_html=description_html(record),
        date_posted=record.get("createdAt"),
        employment_type_raw=first(record.get("schedule"), record.get("employmentType")),
        job_location_type_raw="remote" if remote else None,
    )
