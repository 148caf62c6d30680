"""ATS discovery: company job boards that postings already in the database link to.

Remote boards and HN comments point at companies' own applicant-tracking pages all the time.
``board_of(url)`` recognises the URL shapes of every ATS we crawl and names the board token its
spider takes; ``discover(engine, configured)`` counts, over the stored apply URLs (and posting
URLs), the boards not configured yet; ``add_boards(path, found)`` writes them into
``aggregator.toml`` with tomlkit, which keeps the file's comments and layout.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import tomlkit
from sqlalchemy import Engine, text

from aggregator.bases.ats import parse_boards

# Path segments that are part of an ATS's own site, never a company's board token.
_NOT_TOKENS = {"", "j", "jobs", "job", "embed", "api", "v1", "careers", "apply", "o", "en", "de", "static"}
_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2})?$")


@dataclass(frozen=True, order=True)
class Board:
    ats: str  # the spider
    token: str  # what `-a boards=` takes


def _first_segment(path: str) -> str | None:
    for segment in path.split("/"):
        if segment and segment.lower() not in _NOT_TOKENS:
            return segment
    return None


def _subdomain(host: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if host.endswith(suffix):
            label = host[: -len(suffix)].rstrip(".")
            if label and "." not in label and label not in ("www", "api", "app", "careers", "jobs"):
                return label
    return None


def board_of(url: str | None) -> Board | None:
    """The ATS board a URL belongs to, or None when it is no supported ATS's page."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path
    if host.endswith("greenhouse.io"):
        query = parse_qs(parts.query)
        if "for" in query:  # boards.greenhouse.io/embed/job_app?for=acme&token=123
            return Board("greenhouse", query["for"][0])
        match = re.match(r"/v1/boards/([^/]+)", path)
        token = match.group(1) if match else _first_segment(path)
        return Board("greenhouse", token) if token else None
    if host in ("jobs.lever.co", "jobs.eu.lever.co"):
        token = _first_segment(path)
        return Board("lever", token) if token else None
    if host == "jobs.ashbyhq.com":
        token = _first_segment(path)
        return Board("ashby", token) if token else None
    if host == "apply.workable.com":
        token = _first_segment(path)  # apply.workable.com/j/<code> names no account: skipped
        return Board("workable", token) if token and not path.startswith("/j/") else None
    if host in ("jobs.smartrecruiters.com", "careers.smartrecruiters.com"):
        token = _first_segment(path)
        return Board("smartrecruiters", token) if token else None
    if host.endswith(".myworkdayjobs.com") or host.endswith(".myworkdaysite.com"):
        segments = [s for s in path.split("/") if s and not _LOCALE.match(s)]
        if segments[:2] == ["wday", "cxs"] and len(segments) >= 4:
            return Board("workday", f"{host}/{segments[2]}/{segments[3]}")
        if segments and segments[0] not in ("job", "wday"):
            return Board("workday", f"{host}/{host.split('.')[0]}/{segments[0]}")
        return None
    for ats, suffixes in (
        ("workable", (".workable.com",)),
        ("recruitee", (".recruitee.com",)),
        ("personio", (".jobs.personio.de", ".jobs.personio.com")),
        ("teamtailor", (".teamtailor.com",)),
        ("bamboohr", (".bamboohr.com",)),
    ):
        label = _subdomain(host, suffixes)
        if label:
            return Board(ats, host if ats == "personio" else label)
    return None


def configured_boards(arguments: Mapping[str, Mapping]) -> set[Board]:
    """``{ats: board arguments}`` from the config → the boards already crawled."""
    boards = set()
    for ats, args in arguments.items():
        for token in parse_boards((args or {}).get("boards")):
            boards.add(Board(ats, token))
    return boards


def _key(board: Board) -> tuple[str, str]:
    token = board.token.lower()
    if board.ats == "personio":
        token = token.split(".")[0]  # acme, acme.jobs.personio.de and .com are one board
    return board.ats, token


def count_boards(urls: Iterable[str | None], configured: set[Board]) -> Counter[Board]:
    """How many of the URLs point at each board that is not configured yet."""
    known = {_key(board) for board in configured}
    found: Counter[Board] = Counter()
    for url in urls:
        board = board_of(url)
        if board and _key(board) not in known:
            found[board] += 1
    return found


def stored_urls(engine: Engine) -> Iterable[str]:
    """Each posting's apply URL, or its URL when the board links straight to an ATS page."""
    with engine.connect() as connection:
        for apply_url, url in connection.execute(text("SELECT apply_url, url FROM postings")):
            yield apply_url if board_of(apply_url) else url


def add_boards(path: Path, boards: Iterable[Board]) -> int:
    """Append the boards to ``[boards.<ats>] arguments.boards`` in the TOML file (created if
    missing), keeping its comments and layout. Returns how many tokens were added."""
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    added = 0
    for board in sorted(set(boards)):
        tables = document.setdefault("boards", tomlkit.table(is_super_table=True))
        table = tables.setdefault(board.ats, tomlkit.table())
        arguments = table.setdefault("arguments", tomlkit.inline_table())
        tokens = parse_boards(arguments.get("boards"))
        if board.token in tokens:
            continue
        current = str(arguments.get("boards") or "").strip().strip(",")
        arguments["boards"] = f"{current},{board.token}" if current else board.token
        added += 1
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return added
