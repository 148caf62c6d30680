"""Search that answers with jobs: one row per job, however many boards list it.

The one search behind `aggregator search`, `aggregator export`, the web page, the JSON API, the feeds
and the exports. A job matches when one of its open postings matches the text query (the language of
aggregator.query_language) and the posting filters (country, region, time zone, remote, worldwide,
seniority, employment type, excluded companies); ``since`` is the job's first sighting on any board,
and the salary filters compare the job's salary.

A job's salary (the rule that resists one posting's outlier): among its open postings with a salary,
the currency most of them state wins (the searched currency, when there is one; a tie goes to the
first code in the alphabet); within that currency the postings are ordered by their annualised
midpoint and the lower median is the job's salary, as that posting states it. Three postings of
90–110k, 95–105k and 900k–1.1M give 95–105k; two that disagree give the lower, so pay is never
overstated by one board's extra zero.

Every value reaches the database as a bound parameter; only fixed SQL fragments are joined.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aggregator.normalise.employment import EMPLOYMENT_TYPES, SENIORITIES
from aggregator.query_language import (
    QueryError,
    parse_country,
    parse_currency,
    parse_query,
    parse_region,
    parse_since,
    parse_timezone,
    to_fts5,
    to_tsquery,
)

# A word in the title counts 10×, in the company name 4×, what it counts in the description, on both.
# bm25's weights go in column order (title, company, description_text); FTS5 multiplies each column's
# hits by its weight before bm25 saturates them, so many mentions in a description can still win.
SQLITE_RANK = "bm25(10.0, 4.0, 1.0)"
# PostgreSQL: the stored generated column of migration 0005, with a GIN index:
#   setweight(to_tsvector('aggregator_english', coalesce(title, '')), 'A') ||
#   setweight(to_tsvector('aggregator_english', coalesce(company, '')), 'B') ||
#   setweight(to_tsvector('aggregator_english', coalesce(description_text, '')), 'C')
POSTGRES_TSVECTOR = "postings.search_vector"
# ts_rank_cd's weights go in the order D, C, B, A; flag 1 divides by 1 + log(document length), so
# a long description does not win by length alone.
POSTGRES_RANK = "ts_rank_cd('{0.1, 0.1, 0.4, 1.0}', postings.search_vector, query.q, 1)"
# The window [tz_min, tz_max] holds the offset; tz_min > tz_max is a window across the date line.
TIMEZONE_CONTAINS = (
    "(postings.tz_min <= postings.tz_max AND :tz_offset BETWEEN postings.tz_min AND postings.tz_max"
    " OR postings.tz_min > postings.tz_max AND (:tz_offset >= postings.tz_min OR :tz_offset <= postings.tz_max))"
)
MAX_LIMIT = 100  # a page of results; exports stream every match instead
DEFAULT_LIMIT = 20
MAX_PAGE = 10_000
SORTS = ("relevance", "newest")
# How many matching jobs a page of results looks at. Counts stop here (a total of COUNT_CAP with
# ``total_capped`` reads "500+ jobs"), and best match first ranks the newest COUNT_CAP matching jobs:
# below the cap both are exact, above it a page costs the same at 1k or 1M postings instead of
# ranking every posting that says "developer". Exports rank and stream every match. The size is set
# by PostgreSQL's ranking, about 40 µs a posting (its vectors are read out of line): 500 jobs keep a
# page under the 100 ms of bench/frontdoor_latency.py on a 2-core machine.
COUNT_CAP = 500


class FilterError(QueryError):
    """A filter value that cannot be used; ``parameter`` names it (the URL's and the CLI's name)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class JobFilters:
    """What a search asks for; the field names are the URL parameters and the CLI options."""

    q: str = ""
    country: str | None = None
    region: str | None = None
    timezone: str | None = None
    strict_timezone: bool = False
    remote_only: bool = False
    worldwide: bool = False
    min_salary: float | None = None
    currency: str | None = None
    since: str | None = None
    seniority: str | None = None
    employment_type: str | None = None
    exclude_company: tuple[str, ...] = ()
    sort: str | None = None  # None: best match first when there is a query, else newest

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]], extra: Sequence[str] = ()) -> JobFilters:
        """From URL parameters (each name → its values): unknown or repeated names are refused."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, given in params.items():
            if name in extra:
                continue
            if name not in known:
                raise FilterError(name, "unknown parameter")
            if name == "exclude_company":
                values[name] = tuple(value for value in given if value.strip())
                continue
            if len(given) != 1:
                raise FilterError(name, "given more than once")
            value = given[0]
            if name in ("remote_only", "worldwide", "strict_timezone"):
                if value.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                    raise FilterError(name, f"expected 1 or 0, not {value!r}")
                values[name] = value.lower() in ("1", "true", "yes", "on")
            elif name == "min_salary":
                if value.strip():
                    try:
                        values[name] = float(value)
                    except ValueError:
                        raise FilterError(name, f"expected a number, not {value!r}") from None
            elif value.strip() or name == "q":
                values[name] = value
        return cls(**values).checked()

    def checked(self, now: datetime | None = None) -> JobFilters:
        """The filters with values normalised; FilterError naming the first bad one."""
        changes: dict[str, Any] = {}
        try:
            parse_query(self.q) if self.q.strip() else None
        except QueryError as exc:
            raise FilterError("q", str(exc)) from None
        for name, check in (("country", parse_country), ("region", parse_region), ("currency", parse_currency)):
            value = getattr(self, name)
            if value is not None:
                try:
                    changes[name] = check(value)
                except QueryError as exc:
                    raise FilterError(name, str(exc)) from None
        if self.timezone is not None:
            try:
                parse_timezone(self.timezone)
            except QueryError as exc:
                raise FilterError("timezone", str(exc)) from None
        elif self.strict_timezone:
            raise FilterError("strict_timezone", "needs a timezone (UTC+2, Europe/Berlin, …)")
        if self.since is not None:
            try:
                parse_since(self.since, now)
            except QueryError as exc:
                raise FilterError("since", str(exc).removeprefix("--since ")) from None
        if self.min_salary is not None:
            if self.currency is None:
                raise FilterError("min_salary", "needs a currency: salaries are not converted")
            if not 0 <= self.min_salary < 1e12:
                raise FilterError("min_salary", "expected a yearly amount of zero or more")
        for name, allowed in (("seniority", SENIORITIES), ("employment_type", EMPLOYMENT_TYPES)):
            value = getattr(self, name)
            if value is not None:
                value = value.strip().lower().replace("-", "_").replace(" ", "_")
                if value not in allowed:
                    raise FilterError(name, f"one of {', '.join(allowed)}, not {getattr(self, name)!r}")
                changes[name] = value
        # No stored name holds a control character (PostgreSQL refuses NUL in text outright).
        if any(re.search(r"[\x00-\x1f\x7f]", name) for name in self.exclude_company):
            raise FilterError("exclude_company", "a company name cannot contain control characters")
        if self.sort is not None and self.sort not in SORTS:
            raise FilterError("sort", f"one of {', '.join(SORTS)}, not {self.sort!r}")
        return replace(self, **changes)

    def with_excluded(self, companies: Sequence[str]) -> JobFilters:
        """Also leave out ``companies`` (the configuration's exclude_companies)."""
        return replace(self, exclude_company=(*self.exclude_company, *companies))


def _list_contains(column: str, name: str, value: str, sqlite: bool, params: dict[str, Any]) -> str:
    """The condition that the posting's JSON list ``column`` holds ``value`` (bound as ``name``)."""
    if sqlite:
        params[name] = value
        return f"EXISTS (SELECT 1 FROM json_each(postings.{column}) WHERE json_each.value = :{name})"
    params[column] = json.dumps([value])
    return f"postings.{column} @> CAST(:{column} AS jsonb)"


def _posting_filters(filters: JobFilters, sqlite: bool, params: dict[str, Any]) -> list[str]:
    where = []
    if filters.country:
        where.append(_list_contains("countries", "country", filters.country, sqlite, params))
    if filters.region:
        where.append(_list_contains("regions", "region", filters.region, sqlite, params))
    excluded = sorted({name.strip().lower() for name in filters.exclude_company if name and name.strip()})
    if excluded:
        names = ", ".join(f":exclude_{index}" for index in range(len(excluded)))
        where.append(f"(postings.company IS NULL OR lower(postings.company) NOT IN ({names}))")
        params.update({f"exclude_{index}": name for index, name in enumerate(excluded)})
    if filters.timezone is not None:
        # Remote postings whose window holds the offset, or (unless strict) that state no window.
        stated = "postings.tz_min IS NOT NULL AND " if filters.strict_timezone else "postings.tz_min IS NULL OR "
        where.append(f"postings.workplace = 'remote' AND ({stated}{TIMEZONE_CONTAINS})")
        params["tz_offset"] = parse_timezone(filters.timezone)
    if filters.remote_only:
        where.append("postings.workplace = 'remote'")
    if filters.worldwide:
        where.append("postings.worldwide = :worldwide")
        params["worldwide"] = True
    if filters.seniority:
        where.append("postings.seniority = :seniority")
        params["seniority"] = filters.seniority
    if filters.employment_type:
        where.append("postings.employment_type = :employment_type")
        params["employment_type"] = filters.employment_type
    return where


# The job's salary by the module's rule: the lower median posting of its commonest currency.
# CROSS JOIN: SQLite then reads the postings of the jobs in scope, rather than every posting.
SALARY_CTES = """salaried AS (
    SELECT p.job_id, p.salary_min, p.salary_max, p.salary_currency, p.salary_period,
           p.salary_annual_min, p.salary_annual_max,
           ROW_NUMBER() OVER (PARTITION BY p.job_id, p.salary_currency
               ORDER BY coalesce(p.salary_annual_min, p.salary_annual_max)
                        + coalesce(p.salary_annual_max, p.salary_annual_min), p.id) AS position,
           COUNT(*) OVER (PARTITION BY p.job_id, p.salary_currency) AS in_currency
    FROM {scope} CROSS JOIN postings p
    WHERE p.job_id = {scope}.job_id AND {open_posting} p.salary_currency IS NOT NULL
      AND coalesce(p.salary_annual_min, p.salary_annual_max) IS NOT NULL
), medians AS (
    SELECT salaried.*, ROW_NUMBER() OVER (PARTITION BY job_id
               ORDER BY CASE WHEN salary_currency = :salary_currency THEN 0 ELSE 1 END,
                        in_currency DESC, salary_currency) AS choice
    FROM salaried WHERE position = (in_currency + 1) / 2
), job_salary AS MATERIALIZED (
    SELECT * FROM medians WHERE choice = 1
), board_counts AS MATERIALIZED (
    SELECT p.job_id, COUNT(DISTINCT p.source) AS boards
    FROM {scope} CROSS JOIN postings p
    WHERE p.job_id = {scope}.job_id {open_where}
    GROUP BY p.job_id
)"""

JOB_COLUMNS = (
    "id", "title", "company", "countries", "regions", "workplace", "worldwide", "tz_min", "tz_max",
    "salary_min", "salary_max", "salary_currency", "salary_period", "salary_annual_min", "salary_annual_max",
    "first_seen_at", "last_seen_at", "status", "boards", "url", "seniority", "employment_type", "score",
)  # fmt: skip

SELECT_JOB = """SELECT jobs.id, jobs.title, jobs.company, jobs.countries, jobs.regions, jobs.workplace,
       jobs.worldwide, jobs.tz_min, jobs.tz_max, job_salary.salary_min, job_salary.salary_max,
       job_salary.salary_currency, job_salary.salary_period, job_salary.salary_annual_min,
       job_salary.salary_annual_max, jobs.first_seen_at, jobs.last_seen_at, jobs.status,
       board_counts.boards, best.url, best.seniority, best.employment_type, {scope}.score"""

FROM_JOBS = """FROM {scope}
JOIN jobs ON jobs.id = {scope}.job_id
JOIN board_counts ON board_counts.job_id = jobs.id
LEFT JOIN job_salary ON job_salary.job_id = jobs.id
LEFT JOIN postings best ON best.id = jobs.best_posting_id"""


@dataclass
class JobSearch:
    """The SQL of one search: its page of rows, and the count of all its rows."""

    sql: str
    count_sql: str
    params: dict[str, Any] = field(default_factory=dict)
    # A page search: the matching jobs (id first), at most COUNT_CAP + 1 of them; when there are no
    # more than COUNT_CAP, known_sql is the page worked out from them (bound as :job_ids) instead.
    ids_sql: str | None = None
    known_sql: str | None = None
    # Best match first: the first COUNT_CAP of ids_sql are the candidates it ranks, in the walk's order.
    ranks_ids: bool = False


def build_job_search(
    dialect: str,
    filters: JobFilters,
    *,
    page: int = 1,
    limit: int | None = DEFAULT_LIMIT,
    now: datetime | None = None,
    job_id: int | None = None,
) -> JobSearch:
    """The SQL and bound parameters for ``dialect``; ``limit=None`` is every row (exports).

    ``job_id`` asks for that one job, open or closed, whatever the filters.
    """
    if dialect not in ("sqlite", "postgresql"):
        raise QueryError(f"search supports SQLite and PostgreSQL, not {dialect}")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise FilterError("limit", f"between 1 and {MAX_LIMIT}")
    if not 1 <= page <= MAX_PAGE:
        raise FilterError("page", f"between 1 and {MAX_PAGE}")
    filters = filters.checked(now)
    sqlite = dialect == "sqlite"
    params: dict[str, Any] = {"salary_currency": filters.currency}
    text_query = bool(filters.q.strip()) and job_id is None
    if text_query and sqlite:
        # FTS5's rank column, not bm25() itself: an auxiliary function cannot run inside a grouped subquery.
        source = (
            "(SELECT rowid AS posting_id, -rank AS score FROM postings_fts WHERE postings_fts MATCH :query"
            f" AND rank MATCH '{SQLITE_RANK}') fts JOIN postings ON postings.id = fts.posting_id"
        )
        where = []
        score = "fts.score"
        params["query"] = to_fts5(parse_query(filters.q))
    elif text_query:
        source = "postings, to_tsquery('aggregator_english', :query) AS query(q)"
        where = [f"{POSTGRES_TSVECTOR} @@ query.q"]
        score = POSTGRES_RANK
        params["query"] = to_tsquery(parse_query(filters.q))
    else:
        source, where, score = "postings", [], "0.0"
    where.append("postings.job_id IS NOT NULL")
    if job_id is None:
        where.append("postings.closed_at IS NULL")
        where += _posting_filters(filters, sqlite, params)
    else:
        where.append("postings.job_id = :job_id")
        params["job_id"] = job_id
    matched = (
        "matched AS MATERIALIZED (SELECT job_id, MAX(score) AS score FROM"
        f" (SELECT postings.job_id AS job_id, {score} AS score FROM {source} WHERE {' AND '.join(where)})"
        " scored GROUP BY job_id)"
    )
    job_where = []
    if job_id is None and filters.since is not None:
        cutoff = parse_since(filters.since, now)
        job_where.append("jobs.first_seen_at >= :since")
        # SQLite holds naive UTC text in SQLAlchemy's format, which sorts like the time it stands for.
        params["since"] = cutoff.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else cutoff
    salary_where = []
    if job_id is None and filters.currency:
        salary_where.append("job_salary.salary_currency = :currency")
        params["currency"] = filters.currency
    if job_id is None and filters.min_salary is not None:
        salary_where.append("coalesce(job_salary.salary_annual_max, job_salary.salary_annual_min) >= :min_salary")
        params["min_salary"] = float(filters.min_salary)
    sort = filters.sort or ("relevance" if text_query else "newest")
    order = (
        "ORDER BY {scope}.score DESC, jobs.first_seen_at DESC, jobs.id DESC"
        if sort == "relevance"
        else "ORDER BY jobs.first_seen_at DESC, jobs.id DESC"
    )
    salary = SALARY_CTES.format(
        scope="{scope}",
        open_posting="" if job_id is not None else "p.closed_at IS NULL AND",
        open_where="" if job_id is not None else "AND p.closed_at IS NULL",
    )

    def where_clause(*conditions: list[str]) -> str:
        joined = [condition for group in conditions for condition in group]
        return ("\nWHERE " + " AND ".join(joined)) if joined else ""

    if limit is not None and job_id is None:
        posting_where = _posting_filters(filters, sqlite, params)
        return _page_search(filters, sqlite, text_query, posting_where, job_where, page, limit, sort, salary, params)
    ctes = f"WITH {matched}, {salary.format(scope='matched')}"
    body = f"{FROM_JOBS.format(scope='matched')}{where_clause(job_where, salary_where)}"
    sql = f"{ctes}\n{SELECT_JOB.format(scope='matched')}\n{body}\n{order.format(scope='matched')}"
    count_sql = f"{ctes}\nSELECT COUNT(*)\n{body}"
    return JobSearch(sql, count_sql, params)


# A salaried open posting of the job in the searched currency (aliased ``{p}``).
SALARIED_IN_CURRENCY = (
    "{p}.job_id = jobs.id AND {p}.closed_at IS NULL AND {p}.salary_currency = :currency"
    " AND coalesce({p}.salary_annual_min, {p}.salary_annual_max) IS NOT NULL"
)
SALARY_MIDPOINT = (
    "(coalesce({p}.salary_annual_min, {p}.salary_annual_max) + coalesce({p}.salary_annual_max, {p}.salary_annual_min))"
)


def _salary_conditions(filters: JobFilters, params: dict[str, Any]) -> list[str]:
    """The salary filters as conditions on one job (``jobs``), by the module's rule.

    The searched currency is the one a job's salary is chosen in whenever one of its open postings
    states a salary in it; the minimum compares the lower median posting of that currency, found
    here by counting the postings ordered before it (midpoint, then id, as SALARY_CTES orders them).
    """
    if not filters.currency:
        return []
    params["currency"] = filters.currency
    if filters.min_salary is None:
        return [f"EXISTS (SELECT 1 FROM postings s WHERE {SALARIED_IN_CURRENCY.format(p='s')})"]
    params["min_salary"] = float(filters.min_salary)
    mid_o, mid_m = SALARY_MIDPOINT.format(p="o"), SALARY_MIDPOINT.format(p="m")
    before = (
        f"(SELECT COUNT(*) FROM postings o WHERE {SALARIED_IN_CURRENCY.format(p='o')}"
        f" AND ({mid_o} < {mid_m} OR {mid_o} = {mid_m} AND o.id < m.id))"
    )
    in_currency = f"(SELECT COUNT(*) FROM postings n WHERE {SALARIED_IN_CURRENCY.format(p='n')})"
    return [
        f"EXISTS (SELECT 1 FROM postings m WHERE {SALARIED_IN_CURRENCY.format(p='m')}"
        " AND coalesce(m.salary_annual_max, m.salary_annual_min) >= :min_salary"
        f" AND {before} = ({in_currency} + 1) / 2 - 1)"
    ]


def _page_search(
    filters: JobFilters,
    sqlite: bool,
    text_query: bool,
    posting_where: list[str],
    job_where: list[str],
    page: int,
    limit: int,
    sort: str,
    salary: str,
    params: dict[str, Any],
) -> JobSearch:
    """One page, found by walks that stop early rather than by reading every match (see COUNT_CAP).

    Newest first walks the open jobs newest first (ix_jobs_status_first_seen_at) and keeps each one
    with an open posting that matches the text and the posting filters, until the page is full.
    Counts stop at COUNT_CAP + 1 matching jobs. Best match first ranks the newest COUNT_CAP matching
    jobs. On SQLite, a text query walks FTS5's matches newest stored posting first instead (its
    document lists are in rowid order), each looked up in ix_postings_search_by_id, which holds the
    filter columns: the posting rows themselves, long descriptions first, are never read. Newest
    first with a text query on SQLite tests the walked jobs' postings against the list of the ids
    FTS5 matches, read once.
    """
    params["limit"], params["offset"] = int(limit), (page - 1) * int(limit)
    salary_where = _salary_conditions(filters, params)
    relevance = sort == "relevance" and text_query
    exists_where = ["postings.job_id = jobs.id", "postings.closed_at IS NULL", *posting_where]
    if text_query and not sqlite:
        exists_where.append(f"{POSTGRES_TSVECTOR} @@ to_tsquery('aggregator_english', :query)")
    matching = " AND ".join(
        ["jobs.status = 'open'", *job_where,
         f"EXISTS (SELECT 1 FROM postings WHERE {' AND '.join(exists_where)})", *salary_where]
    )  # fmt: skip

    def job_walk(window: str) -> str:
        order = "ORDER BY jobs.first_seen_at DESC, jobs.id DESC"
        columns = "jobs.id AS job_id, jobs.first_seen_at AS first_seen_at"
        return f"SELECT {columns} FROM jobs WHERE {matching}\n{order} {window}"

    def text_walk(cap: int) -> str:
        conditions = ["postings_fts MATCH :query", "postings.closed_at IS NULL", *posting_where,
                      "jobs.status = 'open'", *job_where, *salary_where]  # fmt: skip
        return (
            "SELECT DISTINCT postings.job_id AS job_id, jobs.first_seen_at AS first_seen_at FROM postings_fts"
            " CROSS JOIN postings INDEXED BY ix_postings_search_by_id ON postings.id = postings_fts.rowid"
            f" CROSS JOIN jobs ON jobs.id = postings.job_id WHERE {' AND '.join(conditions)}"
            f"\nORDER BY postings_fts.rowid DESC LIMIT {cap}"
        )

    if text_query and sqlite:
        ids_sql = text_walk(COUNT_CAP + 1)
    else:
        ids_sql = job_walk(f"LIMIT {COUNT_CAP + 1}")
    count_sql = f"SELECT COUNT(*) FROM ({ids_sql}) matching"
    hit_where = " AND ".join(["postings.closed_at IS NULL", *posting_where])
    if relevance and sqlite:
        candidates = text_walk(COUNT_CAP)
    elif relevance:
        # The walk as a plain EXISTS, so that PostgreSQL may instead read a rare word's few matches
        # from the GIN index; the candidates' postings are ranked afterwards.
        candidates = job_walk(f"LIMIT {COUNT_CAP}")
    elif text_query and sqlite:
        # Newest first with a text query: the jobs in order, each posting of theirs tested against the
        # ids FTS5 matches, read once, unranked, into a list (the posting from the covering index).
        conditions = ["jobs.status = 'open'", *job_where, "postings.closed_at IS NULL", *posting_where,
                      "postings.id IN (SELECT rowid FROM postings_fts WHERE postings_fts MATCH :query)",
                      *salary_where]  # fmt: skip
        candidates = (
            "SELECT DISTINCT jobs.id AS job_id, jobs.first_seen_at AS first_seen_at FROM jobs"
            " CROSS JOIN postings INDEXED BY ix_postings_search_filters ON postings.job_id = jobs.id"
            f" WHERE {' AND '.join(conditions)}"
            "\nORDER BY jobs.first_seen_at DESC, jobs.id DESC LIMIT :limit OFFSET :offset"
        )
    else:
        candidates = job_walk("LIMIT :limit OFFSET :offset")
    # Every match known (a rare word, a narrow filter): the page from those jobs, whatever the walk
    # would have cost (PostgreSQL's planner reads a rare word's matches from the GIN index for the ids).
    known = (
        "SELECT jobs.id AS job_id, jobs.first_seen_at AS first_seen_at FROM jobs WHERE jobs.id IN :job_ids"
        " ORDER BY jobs.first_seen_at DESC, jobs.id DESC" + ("" if relevance else " LIMIT :limit OFFSET :offset")
    )
    sql = _page_sql(candidates, sqlite, text_query, relevance, hit_where, salary)
    known_sql = _page_sql(known, sqlite, text_query, relevance, hit_where, salary)
    return JobSearch(sql, count_sql, params, ids_sql, known_sql, ranks_ids=relevance)


def _page_sql(candidates: str, sqlite: bool, text_query: bool, relevance: bool, hit_where: str, salary: str) -> str:
    """The page from ``candidates`` (job_id, first_seen_at): ranked, ordered, with salary and boards."""
    ctes = [f"candidates AS MATERIALIZED ({candidates})"]
    if text_query and sqlite:
        # Ranked by FTS5 only for the candidates' postings: the rank column is worked out for the rows
        # that pass the rowid tests, and the range keeps the walk of the document lists short.
        ctes += [
            "candidate_postings AS MATERIALIZED (SELECT postings.id AS posting_id, postings.job_id AS job_id"
            f" FROM candidates CROSS JOIN postings WHERE postings.job_id = candidates.job_id AND {hit_where})",
            "ranked AS MATERIALIZED (SELECT rowid AS posting_id, -rank AS score FROM postings_fts"
            f" WHERE postings_fts MATCH :query AND rank MATCH '{SQLITE_RANK}'"
            " AND rowid BETWEEN (SELECT MIN(posting_id) FROM candidate_postings)"
            " AND (SELECT MAX(posting_id) FROM candidate_postings)"
            " AND +rowid IN (SELECT posting_id FROM candidate_postings))",
            "hits AS (SELECT candidate_postings.job_id AS job_id, ranked.score AS score FROM ranked"
            " JOIN candidate_postings ON candidate_postings.posting_id = ranked.posting_id)",
        ]
    elif text_query:
        # LATERAL (kept apart by OFFSET 0, or the planner joins it back into a scan of every match):
        # each candidate's postings by ix_postings_job_id.
        ctes.append(
            "hits AS MATERIALIZED (SELECT candidates.job_id AS job_id, ranked.score AS score FROM candidates"
            f" CROSS JOIN LATERAL (SELECT {POSTGRES_RANK} AS score FROM postings"
            " CROSS JOIN to_tsquery('aggregator_english', :query) AS query(q)"
            f" WHERE postings.job_id = candidates.job_id AND {POSTGRES_TSVECTOR} @@ query.q AND {hit_where}"
            " OFFSET 0) ranked)"
        )
    else:
        ctes.append("hits AS (SELECT job_id, 0.0 AS score FROM candidates)")
    scored = "scored AS (SELECT job_id, MAX(score) AS score FROM hits GROUP BY job_id)"
    if relevance:
        picked = (
            "picked AS MATERIALIZED (SELECT scored.job_id AS job_id, scored.score AS score FROM scored"
            " JOIN candidates ON candidates.job_id = scored.job_id"
            " ORDER BY scored.score DESC, candidates.first_seen_at DESC, scored.job_id DESC"
            " LIMIT :limit OFFSET :offset)"
        )
        order = "ORDER BY picked.score DESC, jobs.first_seen_at DESC, jobs.id DESC"
    else:
        picked = "picked AS MATERIALIZED (SELECT job_id, score FROM scored)"
        order = "ORDER BY jobs.first_seen_at DESC, jobs.id DESC"
    ctes += [scored, picked, salary.format(scope="picked")]
    return (
        "WITH "
        + ",\n".join(ctes)
        + f"\n{SELECT_JOB.format(scope='picked')}\n{FROM_JOBS.format(scope='picked')}\n{order}"
    )


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str):  # SQLite gives text, PostgreSQL a timestamp
        value = datetime.fromisoformat(value)
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_list(value: Any) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _job(row: Any) -> dict[str, Any]:
    job = dict(zip(JOB_COLUMNS, row, strict=True))
    job["countries"], job["regions"] = _json_list(job["countries"]), _json_list(job["regions"])
    job["worldwide"] = bool(job["worldwide"])
    job["first_seen_at"], job["last_seen_at"] = _moment(job["first_seen_at"]), _moment(job["last_seen_at"])
    job["score"] = float(job["score"] or 0.0)
    return job


@dataclass
class JobPage:
    total: int  # exact up to COUNT_CAP; COUNT_CAP with total_capped when more match
    jobs: list[dict[str, Any]]
    page: int
    limit: int
    total_capped: bool = False


def search_jobs(
    engine: Engine, filters: JobFilters, *, page: int = 1, limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> JobPage:
    """One page of jobs matching ``filters``, and how many match in all. Reads only."""
    built = build_job_search(engine.dialect.name, filters, page=page, limit=limit, now=now)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text(built.ids_sql), built.params)]  # in the walk's order
        if len(ids) > COUNT_CAP and not built.ranks_ids:
            rows = connection.execute(text(built.sql), built.params).all()  # newest first: walk to the page
        elif ids:  # every match, or the candidates best match first ranks: no second walk
            known = text(built.known_sql).bindparams(bindparam("job_ids", expanding=True))
            rows = connection.execute(known, built.params | {"job_ids": ids[:COUNT_CAP]}).all()
        else:
            rows = []
    total = len(ids)
    return JobPage(min(total, COUNT_CAP), [_job(row) for row in rows], page, limit, total > COUNT_CAP)


def iter_jobs(engine: Engine, filters: JobFilters, *, now: datetime | None = None, batch: int = 500) -> Iterator[dict]:
    """Every job matching ``filters``, fetched ``batch`` rows at a time (exports stream this)."""
    built = build_job_search(engine.dialect.name, filters, limit=None, now=now)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(
            text(built.sql), built.params
        )
        for row in result:
            yield _job(row)


POSTING_COLUMNS = (
    "id", "source", "url", "apply_url", "title", "company", "location_raw", "salary_raw", "salary_min",
    "salary_max", "salary_currency", "salary_period", "workplace", "worldwide", "countries", "tz_min", "tz_max",
    "tz_raw", "employment_type", "seniority", "description_html", "date_posted", "valid_through", "first_seen_at",
    "last_seen_at", "closed_at", "close_reason", "dedup_reason", "dedup_score",
)  # fmt: skip


def get_job(engine: Engine, job_id: int) -> dict[str, Any] | None:
    """One job (open or closed) with every posting of it, newest first; None when there is none."""
    built = build_job_search(engine.dialect.name, JobFilters(), limit=None, job_id=job_id)
    with engine.connect() as connection:
        row = connection.execute(text(built.sql), built.params).first()
        if row is None:
            return None
        postings = connection.execute(
            text(
                f"SELECT {', '.join(POSTING_COLUMNS)} FROM postings WHERE job_id = :job_id"
                " ORDER BY closed_at IS NOT NULL, last_seen_at DESC, id"
            ),
            {"job_id": job_id},
        ).all()
    job = _job(row)
    job["postings"] = []
    for posting in postings:
        values = dict(zip(POSTING_COLUMNS, posting, strict=True))
        values["countries"] = _json_list(values["countries"])
        values["worldwide"] = bool(values["worldwide"])
        for name in ("date_posted", "valid_through", "first_seen_at", "last_seen_at", "closed_at"):
            values[name] = _moment(values[name])
        job["postings"].append(values)
    return job


def board_summaries(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per board in the database: its last run (status, reason, when) and its open and all postings.
    A split crawl counts as its whole-crawl run, not its parts."""
    with engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT source, COUNT(*), SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END)"
                " FROM postings GROUP BY source"
            )
        ).all()
        runs = connection.execute(
            text(
                "SELECT spider, id, started_at, finished_at, status, status_reason, items_new, items_rejected"
                " FROM crawl_runs WHERE id IN (SELECT MAX(id) FROM crawl_runs WHERE shard IS NULL GROUP BY spider)"
            )
        ).all()
    boards: dict[str, dict[str, Any]] = {}
    for source, total, open_count in counts:
        boards.setdefault(source, {})["postings"] = int(total)
        boards[source]["open_postings"] = int(open_count or 0)
    for spider, run_id, started, finished, status, reason, new, rejected in runs:
        boards.setdefault(spider, {}).update(
            last_run_id=run_id, last_run_started_at=_moment(started), last_run_finished_at=_moment(finished),
            last_run_status=status, last_run_reason=reason, last_run_new=new, last_run_rejected=rejected,
        )  # fmt: skip
    return boards


def recent_runs_by_board(engine: Engine, per_board: int = 5) -> dict[str, list[dict[str, Any]]]:
    """Each board's newest ``per_board`` runs, newest first (the health page)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT spider, id, started_at, finished_at, status, status_reason, items_scraped, items_new,"
                " items_updated, items_rejected, errors FROM (SELECT crawl_runs.*, ROW_NUMBER() OVER"
                " (PARTITION BY spider ORDER BY id DESC) AS newest FROM crawl_runs WHERE shard IS NULL) ranked"
                " WHERE newest <= :per_board ORDER BY spider, id DESC"
            ),
            {"per_board": per_board},
        ).all()
    names = ("spider", "id", "started_at", "finished_at", "status", "status_reason", "items_scraped", "items_new",
             "items_updated", "items_rejected", "errors")  # fmt: skip
    boards: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        run = dict(zip(names, row, strict=True))
        run["started_at"], run["finished_at"] = _moment(run["started_at"]), _moment(run["finished_at"])
        boards.setdefault(run["spider"], []).append(run)
    return boards


def sent_job_ids(engine: Engine, alert: str) -> set[int]:
    """The jobs the saved search ``alert`` has already sent."""
    with engine.connect() as connection:
        return set(
            connection.execute(text("SELECT job_id FROM alert_jobs WHERE alert = :alert"), {"alert": alert}).scalars()
        )


def last_deliveries(engine: Engine) -> dict[str, dict[str, Any]]:
    """Each saved search's latest delivery attempt, and its latest successful one."""
    names = ("alert", "attempted_at", "status", "jobs_count", "error")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT alert, attempted_at, status, jobs_count, error FROM alert_deliveries"
                " WHERE id IN (SELECT MAX(id) FROM alert_deliveries GROUP BY alert)"
                " OR id IN (SELECT MAX(id) FROM alert_deliveries WHERE status = 'sent' GROUP BY alert)"
                " ORDER BY id"
            )
        ).all()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        delivery = dict(zip(names, row, strict=True))
        delivery["attempted_at"] = _moment(delivery["attempted_at"])
        entry = found.setdefault(delivery["alert"], {})
        entry["last"] = delivery  # rows come oldest first: the last one wins
        if delivery["status"] == "sent":
            entry["last_sent"] = delivery
    return found
