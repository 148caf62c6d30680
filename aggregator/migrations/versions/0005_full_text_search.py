"""full-text search over postings: SQLite FTS5 kept by triggers, PostgreSQL GIN on a tsvector

Revision ID: 0005
Revises: 0004

SQLite: ``postings_fts`` is an FTS5 *external-content* table over postings (title, company,
description_text): it stores only the index, the text stays in postings. Triggers keep it in step
with every INSERT, DELETE and text-changing UPDATE of postings; existing rows are indexed by a
rebuild. The porter stemmer sits on unicode61 (diacritics folded), like the english stemmer on PostgreSQL.

PostgreSQL: ``search_vector``, a stored generated tsvector column (title weighted A, company B,
description C) with a GIN index. A stored column rather than an expression index because ranking
(ts_rank_cd) and phrase rechecks read the vector of every matching row: recomputing it from 5 kB of
description made a search for a common word take seconds per ten thousand matches. The models do
not declare the column, so nothing in Python ever writes it. The text search configuration
``aggregator_english`` is "english" with accents folded by the unaccent extension, as SQLite folds
them ("developpeur" finds "Développeur"); where unaccent cannot be installed it is plain "english".
Downgrading leaves the extension in place: other things may use it.

None of these is in the models: aggregator/migrations/env.py tells autogenerate to ignore them.
A later migration that rebuilds postings on SQLite (batch mode copies the table and drops the old
one) drops these triggers with it and must create them again.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

logger = logging.getLogger(__name__)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_TSVECTOR = (
    "setweight(to_tsvector('aggregator_english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('aggregator_english', coalesce(company, '')), 'B') || "
    "setweight(to_tsvector('aggregator_english', coalesce(description_text, '')), 'C')"
)

COLUMNS = "title, company, description_text"

SQLITE_UPGRADE = [
    f"""CREATE VIRTUAL TABLE postings_fts USING fts5(
        {COLUMNS},
        content='postings', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER postings_fts_after_insert AFTER INSERT ON postings BEGIN
        INSERT INTO postings_fts(rowid, {COLUMNS}) VALUES (new.id, new.title, new.company, new.description_text);
    END""",
    # An external-content index forgets a row by being told exactly what it had indexed for it.
    f"""CREATE TRIGGER postings_fts_after_delete AFTER DELETE ON postings BEGIN
        INSERT INTO postings_fts(postings_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.company, old.description_text);
    END""",
    # Only when the text changes: recrawls touch last_seen_at of every posting, which needs no reindex.
    f"""CREATE TRIGGER postings_fts_after_update AFTER UPDATE OF id, {COLUMNS} ON postings
    WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.company IS NOT new.company
         OR old.description_text IS NOT new.description_text
    BEGIN
        INSERT INTO postings_fts(postings_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.company, old.description_text);
        INSERT INTO postings_fts(rowid, {COLUMNS}) VALUES (new.id, new.title, new.company, new.description_text);
    END""",
    "INSERT INTO postings_fts(postings_fts) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS postings_fts_after_update",
    "DROP TRIGGER IF EXISTS postings_fts_after_delete",
    "DROP TRIGGER IF EXISTS postings_fts_after_insert",
    "DROP TABLE IF EXISTS postings_fts",
]


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        unaccent = _install_unaccent()
        op.execute("CREATE TEXT SEARCH CONFIGURATION aggregator_english (COPY = english)")
        if unaccent:
            op.execute(
                "ALTER TEXT SEARCH CONFIGURATION aggregator_english "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
            )
        op.execute(
            f"ALTER TABLE postings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({POSTGRES_TSVECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_postings_search_vector ON postings USING gin (search_vector)")


def _install_unaccent() -> bool:
    if op.get_context().as_sql:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        return True
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).first():
        logger.warning("PostgreSQL has no unaccent extension: search will tell accented letters apart")
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError as error:
        logger.warning("Could not install unaccent (%s): search will tell accented letters apart", error.orig)
        return False
    return True


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_postings_search_vector")
        op.execute("ALTER TABLE postings DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS aggregator_english")
