"""The schema is made only by migrations, and the models agree with them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from aggregator.db import alembic_config, head_revision, make_engine, upgrade_to_head
from tests.conftest import ROOT


def test_upgrade_from_empty_then_no_drift(database_url):
    url = database_url
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"postings", "crawl_runs", "rejects", "apscheduler_jobs", "alembic_version"} <= tables
    command.check(config)  # raises when models and migrations disagree


def test_downgrade_to_base_and_up_again(database_url):
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(database_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")


def test_postgresql_compresses_the_long_values_with_lz4_where_it_can(database_url):
    """pglz was a tenth of the server's CPU in a crawl; lz4 where the server is built with it.
    Down one revision the columns are back to the server's default."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite does not compress values")
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    engine = create_engine(database_url)

    def compressions() -> dict[str, str]:
        with engine.connect() as connection:
            return dict(
                connection.execute(
                    text(
                        "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'postings'::regclass"
                        " AND attname IN ('description_html', 'description_text', 'raw', 'fingerprint')"
                    )
                ).all()
            )

    with engine.connect() as connection:
        methods = connection.execute(
            text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
    with engine.connect() as connection:
        words_storage = connection.execute(
            text("SELECT attstorage FROM pg_attribute WHERE attrelid = 'postings'::regclass AND attname = :name"),
            {"name": "fingerprint_words"},
        ).scalar()
    assert words_storage == "e"  # base64 of hashes does not compress: stored as it is, never tried
    try:
        if "lz4" not in methods:
            assert set(compressions().values()) == {""}  # the server's default, as before
            return
        assert compressions() == dict.fromkeys(("description_html", "description_text", "raw", "fingerprint"), "l")
        command.downgrade(config, "0012_clusterfaults")
        assert set(compressions().values()) == {""}
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_dedup_key_index_answers_a_candidate_read_by_itself(database_url):
    """A batch's candidate read (every posting under its keys, in key order) is served by the
    index on (key, posting id), with no lookup in the table and, in SQLite, no sort. Taken down to
    revision 0013, the table has its index on the key alone again."""
    from aggregator.repository import _POSTINGS_BY_KEYS

    config = alembic_config(database_url)
    command.upgrade(config, "head")
    engine = create_engine(database_url)

    def indexes() -> dict[str, list[str]]:
        return {index["name"]: index["column_names"] for index in inspect(engine).get_indexes("dedup_keys")}

    try:
        assert indexes() == {"ix_dedup_keys_key_posting_id": ["key", "posting_id"]}
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                statement = _POSTINGS_BY_KEYS.params(keys=["a", "b"]).compile(
                    connection, compile_kwargs={"literal_binds": True}
                )
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
            details = " / ".join(row[-1] for row in plan)
            assert "COVERING INDEX ix_dedup_keys_key_posting_id" in details and "TEMP B-TREE" not in details, details
        command.downgrade(config, "0013_toast_lz4")
        assert indexes() == {"ix_dedup_keys_key": ["key"]}
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_alembic_command_line_uses_the_configured_url(tmp_path):
    database = tmp_path / "cli.db"
    completed = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={"AGGREGATOR_DATABASE_URL": f"sqlite:///{database}", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert "postings" in inspect(create_engine(f"sqlite:///{database}")).get_table_names()


def test_upgrade_to_head_is_idempotent_and_sqlite_runs_in_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision()


def test_a_process_opening_a_database_at_head_loads_no_migrations(database_url):
    """Every crawl (and the read-only commands, the web front door) opens its database at head: its
    process reads the revision recorded there and the head kept in the user cache, without importing
    Alembic (~10 MB with its templates)."""
    from aggregator.db import _recorded_revision, current_revision, database

    engine = database(database_url).engine  # migrates here, and keeps the head in the cache
    assert _recorded_revision(engine) == current_revision(engine) == head_revision() is not None
    check = (
        "import sys\n"
        "from aggregator.db import database, existing_database, read_only_engine\n"
        f"existing_database({database_url!r})\n"  # read-only commands
        f"read_only_engine({database_url!r}).dispose()\n"  # the web front door
        f"database({database_url!r})\n"
        "assert 'alembic' not in sys.modules, sorted(m for m in sys.modules if m.startswith('alembic'))\n"
    )
    completed = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_a_crawl_migrates_a_new_database_in_a_child_process_and_loads_no_alembic(database_url):
    """`scrapy crawl` on a new database: a short-lived child migrates it, so the crawl's long-lived
    process opens it at head without Alembic (whose modules and migrations it would keep all crawl)."""
    head_revision()  # the head kept in the user cache, as after any earlier run
    check = (
        "import logging, sys\n"
        "from aggregator.db import _recorded_revision, database, head_revision, migrate_in_child\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s')\n"
        f"migrate_in_child({database_url!r})\n"
        f"engine = database({database_url!r}).engine\n"
        "assert _recorded_revision(engine) == head_revision() is not None\n"
        "assert 'alembic' not in sys.modules, sorted(m for m in sys.modules if m.startswith('alembic'))\n"
    )
    completed = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Migrated" in completed.stdout  # the child's log, relayed to the crawl's
