"""Engine and session factory, SQLite tuning, and migrating a database to head."""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so that we can say BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Switching a new file to WAL needs a moment alone with it and does not wait on the busy
        # handler: processes opening one new database at once retry it briefly instead of failing.
        for attempt in range(200):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 199:
                    raise
                time.sleep(0.05)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A writer takes the write lock up front: with a plain BEGIN two crawls writing one file
        # deadlock on the read-to-write upgrade and one of them fails with "database is locked".
        # Readers begin plainly, so that they never wait for (or block) a writer.
        writer = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


# Execution option that marks a connection as a writer (see _tune_sqlite).
WRITE_OPTION = "aggregator_writer"


@contextlib.contextmanager
def write_transaction(engine: Engine):
    """Like ``engine.begin()``, but on SQLite the transaction holds the write lock from the start."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("aggregator") / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


# pg_advisory_xact_lock key of schema migrations ("aggr" "migr" in ASCII): one migrator at a time.
MIGRATION_LOCK_KEY = 0x61676772_6D696772


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database to the newest revision (a no-op when it is already there).

    Safe when several processes start on one empty database at once: the first migrates, the
    others wait for it and then find the database at head. PostgreSQL serialises them with a
    transaction-level advisory lock, SQLite with the BEGIN IMMEDIATE that starts every transaction;
    either way the revision is read again once the lock is held.
    """
    head = head_revision()
    if current_revision(engine) == head:
        return
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if MigrationContext.configure(connection).get_current_revision() == head:
            return  # another process migrated it while we waited for the lock
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("Migrated %s to %s", engine.url.render_as_string(hide_password=True), head)


# SQLite's words for "another connection holds the lock"; PostgreSQL's SQLSTATEs for a transaction
# that lost a serialization conflict or was chosen as a deadlock victim. All are safe to run again.
SQLITE_RETRYABLE = ("database is locked", "database is busy", "database table is locked")
POSTGRES_RETRYABLE = {"40001", "40P01"}


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` means "try the whole transaction again" rather than a real failure."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate in POSTGRES_RETRYABLE:
        return True
    message = str(original).lower()
    return type(original).__module__.startswith("sqlite3") and any(words in message for words in SQLITE_RETRYABLE)


def run_in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = 6,
    base_delay: float = 0.1,
    max_delay: float = 5.0,
) -> T:
    """``work(connection)`` inside ``engine.begin()``, run again when the database says to retry.

    Retried: SQLite's "database is locked"/"busy" (after its busy_timeout ran out) and PostgreSQL's
    serialization failures and deadlocks (SQLSTATE 40001/40P01), with exponential backoff and full
    jitter (a random wait up to base_delay·2ⁿ, at most max_delay) so that two losers do not collide
    again in step. Each attempt is a fresh transaction, the failed one having been rolled back: ``work``
    must do all its writing through the connection and may be called more than once. Anything else,
    or the last attempt's failure, is raised.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            with write_transaction(engine) as connection:
                return work(connection)
        except DBAPIError as error:
            if attempt == attempts or not is_retryable(error):
                raise
            delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
            logger.warning(
                "Transaction failed (%s), retrying in %.2fs (attempt %d of %d)",
                str(error.orig).splitlines()[0] if error.orig else error, delay, attempt + 1, attempts,
            )  # fmt: skip
            time.sleep(delay)
    raise AssertionError("unreachable")


class Database:
    """One engine and session factory per database URL, migrated to head on first use."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade_to_head(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()


_lock = threading.Lock()


@functools.cache
def _database(url: str) -> Database:
    return Database(url)


def database(url: str) -> Database:
    """The shared, migrated Database for ``url`` (components of one crawl share it)."""
    with _lock:
        return _database(url)
