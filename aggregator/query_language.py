"""The search query language, and the parsers of the filter values a search is given.

One language on SQLite and PostgreSQL; aggregator.query runs it (and the filters) over jobs.
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

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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


# --- filter values: each parser returns the value a search compares, or QueryError saying why ---

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


def parse_country(value: str) -> str:
    """ "de" → "DE": a two-letter ISO country code."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise QueryError(f"a country is a two-letter ISO code like DE, not {value!r}")
    return code


def parse_region(value: str) -> str:
    """ "emea", "north-america" → a region code of aggregator.normalise.location.REGIONS."""
    from aggregator.normalise.location import REGIONS

    code = re.sub(r"[\s-]+", "_", value.strip().upper())
    if code not in REGIONS:
        raise QueryError(f"unknown region {value!r} (regions: {', '.join(REGIONS)})")
    return code


def parse_timezone(value: str) -> float:
    """ "UTC+5:30", "-5", "Europe/Berlin", "EST" → hours east of UTC (the zone's standard offset)."""
    from aggregator.normalise.timezone import parse_offset

    try:
        return parse_offset(value)
    except ValueError as exc:
        raise QueryError(str(exc)) from None


def parse_currency(value: str) -> str:
    """ "eur" → "EUR": a three-letter ISO currency code."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise QueryError(f"a currency is a three-letter ISO code like EUR, not {value!r}")
    return code
