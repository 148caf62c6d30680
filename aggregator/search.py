"""Ranked full-text search over open postings, the same query language on SQLite and PostgreSQL.

The query language::

    python django            both words (AND is implied)
    python AND django        the same
    python OR golang         either
    python NOT java          python, and not java  (also: python -java)
    "machine learning"       the words next to each other, in this order
    devop*                   a word starting with "devop"
    (python OR go) AND aws   parentheses group

AND, OR and NOT are operators in any case ("or" too); quote them to search for the word. NOT only
narrows what the rest of the query finds: "NOT java" alone, or "a OR NOT b", is refused. Words are
stemmed (porter on SQLite, english on PostgreSQL): "engineers" finds "engineer" and "engineering";
a prefix is stemmed too, so cut it where a stem ends ("engin*", not "enginee*"). Accents are folded:
"developpeur" finds "Développeur" (on PostgreSQL when the unaccent extension could be installed).
PostgreSQL drops English stop words ("the", "of") from a query, so one of stop words alone finds
nothing there, while SQLite looks for them like any word. "c++", "c#", "f#", ".net" and "node.js"
are words of their own: "c++" does not find a posting that only says "C".

User text never becomes SQL: the parsed query is rendered as an FTS5 expression (every word a
double-quoted string) or a tsquery (every word a single-quoted lexeme), and handed to the database
as a bound parameter, like every filter value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

# PostgreSQL: the stored generated column of migration 0005, with a GIN index:
#   setweight(to_tsvector('aggregator_english', coalesce(title, '')), 'A') ||
#   setweight(to_tsvector('aggregator_english', coalesce(company, '')), 'B') ||
#   setweight(to_tsvector('aggregator_english', coalesce(description_text, '')), 'C')
POSTGRES_TSVECTOR = "postings.search_vector"
# A word in the title counts 10×, in the company name 4×, what it counts in the description, on both.
# bm25's weights go in column order (title, company, description_text); FTS5 multiplies each column's
# hits by its weight before bm25 saturates them, so many mentions in a description can still win.
SQLITE_BM25 = "bm25(postings_fts, 10.0, 4.0, 1.0)"
# ts_rank_cd's weights go in the order D, C, B, A; flag 1 divides by 1 + log(document length), so
# a long description does not win by length alone.
POSTGRES_RANK = "ts_rank_cd('{0.1, 0.1, 0.4, 1.0}', postings.search_vector, query.q, 1)"

# Names that punctuation would cut up ("c++" is "c" to both tokenizers): the index and the query
# both see each as one plain word. Migration 0008 rewrites the indexed text with a frozen copy.
SEARCH_WORDS = (("c++", " cplusplus "), ("c#", " csharp "), ("f#", " fsharp "), (".net", " dotnet "),
                ("node.js", " nodejs "))  # fmt: skip


def search_words(text: str) -> str:
    """``text`` as the index sees it: lower case, c++/c#/f#/.net/node.js as one word each."""
    text = text.lower()
    for name, word in SEARCH_WORDS:
        text = text.replace(name, word)
    return " ".join(text.split())


MAX_QUERY_LENGTH = 1000
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A search query or filter that cannot be run; the message says why, for the user."""


# --- the query language ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str  # as typed: the database's own tokenizer splits it the way it split the postings
    prefix: bool = False


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Term | And | Or | Not

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}
# A term is searchable when it has a letter or digit; anything else is punctuation to both tokenizers.
_SEARCHABLE = re.compile(r"[^\W_]")


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if not match or match.end() == position:
            break  # only trailing whitespace is left
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "phrase":
            tokens.append(("phrase", value.strip('"')))
        elif kind == "word" and value.upper() in _OPERATORS:
            tokens.append((value.upper(), value))
        elif kind == "word" and value.startswith("-") and len(value) > 1:
            tokens.extend([("NOT", "-"), ("word", value[1:])])
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    """query := or;  or := and (OR and)*;  and := unary ([AND] unary)*;  unary := NOT unary | atom."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Node | None:
        node = self.or_()
        if self.peek() == "close":
            raise QueryError("unbalanced ')'")
        return node

    def or_(self) -> Node | None:
        parts = [self.and_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_())
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Node | None:
        parts = []
        while self.peek() not in (None, "OR", "close"):
            if self.peek() == "AND":
                self.take()
                continue
            parts.append(self.unary())
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        if self.peek() == "NOT":
            self.take()
            if self.peek() in (None, "OR", "AND", "close"):
                raise QueryError("NOT needs something after it")
            part = self.unary()
            return Not(part) if part is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.take()
        if kind == "open":
            node = self.or_()
            if self.peek() != "close":
                raise QueryError("missing ')'")
            self.take()
            return node
        if kind == "close":
            raise QueryError("unbalanced ')'")
        prefix = kind == "word" and value.endswith("*")
        value = value.rstrip("*") if kind == "word" else value
        return Term(value, prefix) if _SEARCHABLE.search(value) else None


def _check_negation(node: Node, *, inside_and: bool = False) -> None:
    """FTS5 has no unary NOT: a negation must narrow a conjunction that finds something by itself."""
    if isinstance(node, Not):
        if not inside_and:
            raise QueryError("NOT can only narrow a search, as in 'python NOT java'")
        _check_negation(node.part)
    elif isinstance(node, And):
        if all(isinstance(part, Not) for part in node.parts):
            raise QueryError("NOT can only narrow a search, as in 'python NOT java'")
        for part in node.parts:
            _check_negation(part, inside_and=True)
    elif isinstance(node, Or):
        for part in node.parts:
            _check_negation(part)


def parse_query(query: str) -> Node:
    """The query as a tree; QueryError when it is empty, too long or malformed."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    # Control characters (NUL above all, which PostgreSQL refuses in text) are spaces here.
    query = re.sub(r"[\x00-\x1f\x7f]", " ", query)
    node = _Parser(_tokens(query)).parse()
    if node is None:
        raise QueryError("nothing to search for: give at least one word")
    _check_negation(node)
    return node


def to_fts5(node: Node) -> str:
    """The query as an FTS5 MATCH expression: each term a quoted string, so none of it is syntax."""
    if isinstance(node, Term):
        return '"' + search_words(node.text).replace('"', '""') + '"' + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return " OR ".join(f"({to_fts5(part)})" for part in node.parts)
    if isinstance(node, And):
        positive = " AND ".join(f"({to_fts5(part)})" for part in node.parts if not isinstance(part, Not))
        negative = "".join(f" NOT ({to_fts5(part.part)})" for part in node.parts if isinstance(part, Not))
        return f"({positive}){negative}" if negative else positive
    raise QueryError("NOT can only narrow a search, as in 'python NOT java'")


def to_tsquery(node: Node) -> str:
    """The query as to_tsquery() input: each term a quoted lexeme (words in one become a phrase)."""
    if isinstance(node, Term):
        quoted = "'" + search_words(node.text).replace("\\", "\\\\").replace("'", "\\'") + "'"
        return quoted + (":*" if node.prefix else "")
    if isinstance(node, Or):
        return " | ".join(f"({to_tsquery(part)})" for part in node.parts)
    if isinstance(node, And):
        return " & ".join(f"({to_tsquery(part)})" for part in node.parts)
    return f"!({to_tsquery(node.part)})"


# --- filters ---------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | datetime | date, now: datetime | None = None) -> datetime:
    """ "7d", "24h", "2w" (before now) or an ISO date/time (UTC unless it says otherwise) → UTC."""
    now = now or datetime.now(UTC)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif match := _RELATIVE.match(value):
        return now - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise QueryError(f"--since takes 7d, 24h, 2w or a date like 2024-05-01, not {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _country(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise QueryError(f"a country is a two-letter ISO code like DE, not {value!r}")
    return code


def _region(value: str) -> str:
    from aggregator.normalise.location import REGIONS

    code = re.sub(r"[\s-]+", "_", value.strip().upper())
    if code not in REGIONS:
        raise QueryError(f"unknown region {value!r} (regions: {', '.join(REGIONS)})")
    return code


def _offset(value: str) -> float:
    from aggregator.normalise.timezone import parse_offset

    try:
        return parse_offset(value)
    except ValueError as exc:
        raise QueryError(str(exc)) from None


# The window [tz_min, tz_max] holds the offset; tz_min > tz_max is a window across the date line.
TIMEZONE_CONTAINS = (
    "(postings.tz_min <= postings.tz_max AND :tz_offset BETWEEN postings.tz_min AND postings.tz_max"
    " OR postings.tz_min > postings.tz_max AND (:tz_offset >= postings.tz_min OR :tz_offset <= postings.tz_max))"
)


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise QueryError(f"a currency is a three-letter ISO code like EUR, not {value!r}")
    return code


# --- the search ------------------------------------------------------------------------------


@dataclass
class SearchHit:
    id: int
    source: str
    title: str
    company: str | None
    url: str
    location_raw: str | None
    workplace: str
    worldwide: bool
    countries: list[str]
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    salary_annual_min: float | None
    salary_annual_max: float | None
    date_posted: datetime | None
    first_seen_at: datetime
    # Higher is better on both databases (SQLite's bm25 is negated), comparable within one search only.
    rank: float


COLUMNS = (
    "id", "source", "title", "company", "url", "location_raw", "workplace", "worldwide", "countries",
    "salary_min", "salary_max", "salary_currency", "salary_period", "salary_annual_min", "salary_annual_max",
    "date_posted", "first_seen_at",
)  # fmt: skip


def build_search(
    dialect: str,
    query: str,
    *,
    country: str | None = None,
    remote_only: bool = False,
    worldwide: bool = False,
    min_salary: float | None = None,
    currency: str | None = None,
    since: str | datetime | date | None = None,
    limit: int = 20,
    now: datetime | None = None,
    region: str | None = None,
    exclude_companies: Sequence[str] = (),
    timezone: str | None = None,
    strict_timezone: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The SQL text and its bound parameters for ``dialect`` ("sqlite" or "postgresql")."""
    if dialect not in ("sqlite", "postgresql"):
        raise QueryError(f"search supports SQLite and PostgreSQL, not {dialect}")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"the limit must be between 1 and {MAX_LIMIT}")
    if min_salary is not None and currency is None:
        raise QueryError("a minimum salary needs a currency (e.g. --currency EUR): salaries are not converted")
    tree = parse_query(query)
    sqlite = dialect == "sqlite"
    selected = ", ".join(f"postings.{column}" for column in COLUMNS)
    if sqlite:
        sql = [f"SELECT {selected}, -{SQLITE_BM25} AS score",
               "FROM postings_fts JOIN postings ON postings.id = postings_fts.rowid",
               "WHERE postings_fts MATCH :query"]  # fmt: skip
        params: dict[str, Any] = {"query": to_fts5(tree)}
    else:
        sql = [f"SELECT {selected}, {POSTGRES_RANK} AS score",
               "FROM postings, to_tsquery('aggregator_english', :query) AS query(q)",
               f"WHERE {POSTGRES_TSVECTOR} @@ query.q"]  # fmt: skip
        params = {"query": to_tsquery(tree)}
    sql.append("AND postings.closed_at IS NULL")
    if country:
        if sqlite:
            sql.append("AND EXISTS (SELECT 1 FROM json_each(postings.countries) WHERE json_each.value = :country)")
            params["country"] = _country(country)
        else:
            sql.append("AND postings.countries @> CAST(:countries AS jsonb)")
            params["countries"] = json.dumps([_country(country)])
    if region:
        if sqlite:
            sql.append("AND EXISTS (SELECT 1 FROM json_each(postings.regions) WHERE json_each.value = :region)")
            params["region"] = _region(region)
        else:
            sql.append("AND postings.regions @> CAST(:regions AS jsonb)")
            params["regions"] = json.dumps([_region(region)])
    excluded = sorted({name.strip().lower() for name in exclude_companies if name and name.strip()})
    if excluded:
        names = ", ".join(f":exclude_{index}" for index in range(len(excluded)))
        sql.append(f"AND (postings.company IS NULL OR lower(postings.company) NOT IN ({names}))")
        params.update({f"exclude_{index}": name for index, name in enumerate(excluded)})
    if strict_timezone and timezone is None:
        raise QueryError("--strict-timezone needs --timezone (an offset like UTC+2, or a zone like Europe/Berlin)")
    if timezone is not None:
        # Remote postings whose window holds the offset, or (unless strict) that state no window.
        stated = "postings.tz_min IS NOT NULL AND " if strict_timezone else "postings.tz_min IS NULL OR "
        sql.append(f"AND postings.workplace = 'remote' AND ({stated}{TIMEZONE_CONTAINS})")
        params["tz_offset"] = _offset(timezone)
    if remote_only:
        sql.append("AND postings.workplace = 'remote'")
    if worldwide:
        sql.append("AND postings.worldwide" + (" = 1" if sqlite else ""))
    if currency:
        sql.append("AND postings.salary_currency = :currency")
        params["currency"] = _currency(currency)
    if min_salary is not None:
        sql.append("AND coalesce(postings.salary_annual_max, postings.salary_annual_min) >= :min_salary")
        params["min_salary"] = float(min_salary)
    if since is not None:
        cutoff = parse_since(since, now)
        sql.append("AND postings.first_seen_at >= :since")
        # SQLite holds naive UTC text in SQLAlchemy's format, which sorts like the time it stands for.
        params["since"] = cutoff.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else cutoff
    sql.append("ORDER BY score DESC, postings.first_seen_at DESC, postings.id DESC")
    sql.append("LIMIT :limit")
    params["limit"] = int(limit)
    return "\n".join(sql), params


def _hit(row: Any) -> SearchHit:
    values = dict(zip((*COLUMNS, "rank"), row, strict=True))
    countries = values["countries"]
    values["countries"] = json.loads(countries) if isinstance(countries, str) else list(countries or [])
    values["worldwide"] = bool(values["worldwide"])
    for name in ("first_seen_at", "date_posted"):  # SQLite gives text, PostgreSQL a timestamp
        moment = values[name]
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if moment is not None:
            values[name] = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    values["rank"] = float(values["rank"] or 0.0)
    return SearchHit(**values)


def search(
    engine: Engine,
    query: str,
    *,
    country: str | None = None,
    remote_only: bool = False,
    worldwide: bool = False,
    min_salary: float | None = None,
    currency: str | None = None,
    since: str | datetime | date | None = None,
    limit: int = 20,
    region: str | None = None,
    exclude_companies: Sequence[str] = (),
    timezone: str | None = None,
    strict_timezone: bool = False,
) -> list[SearchHit]:
    """Open postings matching ``query`` and the filters, best first. Reads only."""
    sql, params = build_search(
        engine.dialect.name, query, country=country, remote_only=remote_only, worldwide=worldwide,
        min_salary=min_salary, currency=currency, since=since, limit=limit, region=region,
        exclude_companies=exclude_companies, timezone=timezone, strict_timezone=strict_timezone,
    )  # fmt: skip
    # A plain connection is a reader: on SQLite it begins without taking the write lock.
    with engine.connect() as connection:
        rows = connection.execute(text(sql), params).all()
    return [_hit(row) for row in rows]
