"""Engine and session factory, SQLite tuning, migrating a database to head, and one-line errors for
database URLs that cannot work (a typo in the scheme, a missing folder, a server that is not there)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, InterfaceError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from aggregator import user_cache
from aggregator.child_python import run_python

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Prepared statements each SQLite connection keeps (sqlite3's default is 128). A batch's lookups
# expand IN (...) to as many parameters as it has keys, so most of them are new statements, tens
# of KB each once prepared: 128 of them held ~8 MB in a crawl's writer for no reuse. 32 still
# keeps every fixed statement of the write path.
SQLITE_CACHED_STATEMENTS = 32


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


class DatabaseUrlError(ValueError):
    """A database URL that cannot work, or a database that cannot be reached: one line saying why."""


def _shown(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return str(url)


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a URI filename (?uri=true)
        return None
    return Path(parsed.database)


def check_url(url: str) -> URL:
    """Parse ``url``, refusing what cannot work with one line that says what to write instead."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(
            f"not a database URL: {url!r} (expected sqlite:///path/jobs.db or postgresql+psycopg://user@host/db)"
        ) from None
    if parsed.drivername in ("postgres", "postgres+psycopg"):
        raise DatabaseUrlError(f"{_shown(url)}: write postgresql+psycopg:// instead of postgres://")
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise DatabaseUrlError(
            f"{_shown(url)}: unknown kind of database {parsed.drivername!r} (use sqlite:/// or postgresql+psycopg://)"
        ) from None
    except ImportError as exc:
        raise DatabaseUrlError(f"{_shown(url)}: its database driver is not installed ({exc})") from None
    path = sqlite_file(parsed)
    if path is not None and not path.absolute().parent.is_dir():
        raise DatabaseUrlError(f"{_shown(url)}: no such directory: {path.absolute().parent}")
    return parsed


def explain(error: BaseException, url: str | URL) -> str:
    """One line for a failure to connect (the drivers' messages run to several lines)."""
    original = getattr(error, "orig", None) or error
    # The first line says what failed; drivers add hints on further lines.
    first = next((line for line in str(original).splitlines() if line.strip()), type(original).__name__)
    message = " ".join(first.replace("connection failed: ", "").replace("FATAL: ", "").split())
    missing = re.search(r'database "([^"]+)" does not exist', message)
    if missing:
        message = f"no such database {missing.group(1)!r} on the server (create it: createdb {missing.group(1)})"
    elif "unable to open database file" in message and (path := sqlite_file(url)):
        message = f"cannot open the database file {path.absolute()} (no permission, or not a file?)"
    return f"{_shown(url)}: {message}"


def make_engine(url: str) -> Engine:
    check_url(url)
    try:
        if url.startswith("sqlite"):
            engine = create_engine(
                url,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "cached_statements": SQLITE_CACHED_STATEMENTS},
            )
            _tune_sqlite(engine)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:  # the dialect's driver (mysql:// wants MySQLdb…)
        raise DatabaseUrlError(
            f"{_shown(url)}: its database driver is not installed ({exc}); use sqlite:/// or postgresql+psycopg://"
        ) from None


# alembic is imported where a migration runs or its files are read, not at the top: a process that
# opens a database at head never needs it (see head_revision), and it would cost it ~10 MB.
def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("aggregator") / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _recorded_revision(engine: Engine) -> str | None:
    """The one revision Alembic recorded in the database (its ``alembic_version`` table), read
    without Alembic; None when there is none or more than one (Alembic's own reading decides then)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        recorded = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return recorded[0] if len(recorded) == 1 else None


_HEAD_CACHE_KIND = "schema-head"


def head_revision(*, only_kept: bool = False) -> str | None:
    """The newest migration's revision. Alembic finds it by reading the migration files, and
    importing Alembic (with Mako, and Pygments where installed) costs each process that opens a
    database 3–11 MB: once found, it is kept in the user cache, keyed on those files.
    ``only_kept``: None rather than importing Alembic when the cache does not have it."""
    migrations = resources.files("aggregator") / "migrations"
    files = sorted(Path(str(migrations)).rglob("*.py"))
    inputs = user_cache.inputs_digest(files, ())
    path = user_cache.cache_path(_HEAD_CACHE_KIND, inputs, ".txt") if files else None  # none: not a folder
    if path is not None:
        with contextlib.suppress(OSError):
            return path.read_text(encoding="utf-8").strip() or None
    if only_kept:
        return None
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if path is not None:
        user_cache.keep(path, _HEAD_CACHE_KIND, inputs, lambda temporary: temporary.write_text(head or "", "utf-8"))
    return head


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
    if _recorded_revision(engine) == head:
        return  # the usual case: Alembic is not even imported
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if MigrationContext.configure(connection).get_current_revision() == head:
            return  # another process migrated it while we waited for the lock
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("Migrated %s to %s", engine.url.render_as_string(hide_password=True), head)


def migrate_in_child(url: str) -> None:
    """Bring the database at ``url`` to head in a short-lived child process, unless it is there
    already: a crawl's process then opens it at head and never imports Alembic, whose modules and
    migrations (~7–11 MB) it would otherwise keep for the whole crawl. Should the child fail, the
    caller's own opening of the database migrates, or reports why it cannot, as before."""
    try:
        engine = make_engine(url)
    except DatabaseUrlError:
        return  # opening it says what is wrong with the URL
    try:
        head = head_revision(only_kept=True)
        if head is not None and _recorded_revision(engine) == head:
            return
    except (DatabaseError, InterfaceError):
        return  # it cannot be read: opening it reports why
    finally:
        engine.dispose()
    code = (  # the revisions run and the end, as a crawl migrating in its own process logged them
        "import logging, sys\nlogging.basicConfig(format='%(message)s')\n"
        "for name in ('alembic.runtime.migration', 'aggregator.db'): logging.getLogger(name).setLevel(logging.INFO)\n"
        "from aggregator.db import database\ndatabase(sys.stdin.read())"
    )
    migrated = run_python(code, input=url)
    if migrated.returncode == 0:  # what it logged ("Running upgrade …", "Migrated …"), in the crawl's log
        for line in filter(None, migrated.stderr.splitlines()):
            logger.info("%s", line)


# SQLite's words for "another connection holds the lock"; PostgreSQL's SQLSTATEs for a transaction
# that lost a serialization conflict or was chosen as a deadlock victim. All are safe to run again.
SQLITE_RETRYABLE = ("database is locked", "database is busy", "database table is locked")
POSTGRES_RETRYABLE = {"40001", "40P01"}


# pg_advisory_lock key of the one coordinator (scheduler) per database ("aggr" "coor" in ASCII).
COORDINATOR_LOCK_KEY = 0x61676772_636F6F72


@dataclasses.dataclass
class CoordinatorLock:
    """The coordinator lock, held; ``connection`` is the session holding it (None: SQLite, no lock)."""

    connection: Connection | None

    def still_held(self) -> bool:
        """Whether the lock's session still lives (the lock lives exactly as long): a coordinator cut
        off from the database, or whose session was ended, is not told it lost the lock, so it asks."""
        if self.connection is None:
            return True
        try:
            self.connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            logger.warning("the coordinator lock's database session ended: %s", exc.orig or exc)
            return False
        return True


@contextlib.contextmanager
def coordinator_lock(
    engine: Engine, stop: threading.Event, on_wait: Callable[[], None] = lambda: None, poll_seconds: float = 1.0
) -> Iterator[CoordinatorLock | None]:
    """Hold the database's coordinator lock for the block: a second scheduler against the same
    PostgreSQL database waits here as a hot standby and takes over when the first one ends (its
    session ends with it, whatever killed it). Yields None when ``stop`` came before the lock.

    A session-level advisory lock on a connection of its own, in autocommit (never idle in a
    transaction); tried once a ``poll_seconds`` so that a stop ends the wait. SQLite: no lock (one
    file, one machine: as before).
    """
    if engine.dialect.name != "postgresql":
        yield CoordinatorLock(None)
        return
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    lock = text("SELECT pg_try_advisory_lock(:key)")
    try:
        held = connection.execute(lock, {"key": COORDINATOR_LOCK_KEY}).scalar_one()
        if not held:
            on_wait()
        while not held and not stop.wait(poll_seconds):
            held = connection.execute(lock, {"key": COORDINATOR_LOCK_KEY}).scalar_one()
        yield CoordinatorLock(connection) if held else None
    finally:
        # Not back to the pool, where the session (and the lock) would live on: closed for good.
        connection.invalidate()
        connection.close()


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
        try:
            with self.engine.connect():
                pass
        except (DatabaseError, InterfaceError) as exc:  # cannot connect, or not a database at all
            self.engine.dispose()
            raise DatabaseUrlError(explain(exc, url)) from exc
        if migrate:
            upgrade_to_head(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()


_lock = threading.Lock()


@functools.cache
def _database(url: str, migrate: bool) -> Database:
    return Database(url, migrate=migrate)


def database(url: str) -> Database:
    """The shared, migrated Database for ``url`` (components of one crawl share it)."""
    with _lock:
        return _database(url, True)


def database_migrated_by_crawl(url: str) -> Database:
    """The shared Database for ``url`` in a crawl's writer process: the crawl's own process
    migrated it before handing over its first write, so nothing here checks or loads migrations."""
    with _lock:
        return _database(url, False)


def existing_database(url: str) -> Database:
    """The database at ``url`` for reading, never created or migrated (read-only commands).

    Raises DatabaseUrlError when there is no database there yet, or when its schema is not the one
    this code reads (it says which command migrates it).
    """
    check_url(url)
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise DatabaseUrlError(
            f"{_shown(url)}: no database at {path.absolute()} (a crawl or `aggregator db upgrade` creates it)"
        )
    found = Database(url, migrate=False)
    head = head_revision()
    if _recorded_revision(found.engine) == head:
        return found  # the usual case, without Alembic (the web front door's process never loads it)
    revision = current_revision(found.engine)  # Alembic's reading says what the database is at
    if revision != head:
        found.engine.dispose()
        state = "has no aggregator tables" if revision is None else f"is at schema revision {revision}, not {head}"
        raise DatabaseUrlError(f"{_shown(url)}: {state} (run `aggregator db upgrade`)")
    return found


def read_only_engine(url: str) -> Engine:
    """An engine that can only read the database at ``url`` (which must exist, at head): the web front door's.

    SQLite opens the file with mode=ro; PostgreSQL sessions default to read-only transactions.
    """
    existing_database(url).engine.dispose()  # exists and has this code's schema, or one line why not
    path = sqlite_file(url)
    if path is None:
        return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c default_transaction_read_only=on"})
    location = path.absolute().as_uri() + "?mode=ro"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(location, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return connection

    return create_engine("sqlite://", creator=connect, poolclass=QueuePool)
