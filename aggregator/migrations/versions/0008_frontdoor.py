"""full-text search keeps c++, c#, f#, .net and node.js as words; alert deliveries

Revision ID: 0008_frontdoor
Revises: 0007_timezone

Both tokenizers split on punctuation: "c++" was the word "c", "c#" too, ".net" was "net" and
"node.js" two words. The indexed text is now rewritten first (lower-cased, each such name replaced
by one plain word: c++ → cplusplus, c# → csharp, f# → fsharp, .net → dotnet, node.js → nodejs), and
aggregator.query_language rewrites the words of a query the same way (its SEARCH_WORDS, the same list).

SQLite: the FTS5 triggers index the rewritten text (an external-content index is only told what to
index, so the postings keep their text as it was) and the index is refilled. PostgreSQL: the
generated search_vector column is recomputed from the rewritten text (drop and add: a generated
column's expression cannot be altered before PostgreSQL 17), with its GIN index.

alert_deliveries records each attempt to send a saved search's new jobs; alert_jobs the jobs each
saved search has sent, so that none is sent twice and a failed attempt marks none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_frontdoor"
down_revision: str | None = "0007_timezone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of aggregator.query_language.SEARCH_WORDS as of this revision (the order matters for none of them).
SEARCH_WORDS = (("c++", " cplusplus "), ("c#", " csharp "), ("f#", " fsharp "), (".net", " dotnet "),
                ("node.js", " nodejs "))  # fmt: skip

COLUMNS = ("title", "company", "description_text")


def rewritten(expression: str) -> str:
    sql = f"lower({expression})"
    for name, word in SEARCH_WORDS:
        sql = f"replace({sql}, '{name}', '{word}')"
    return sql


def _sqlite_triggers(rewrite) -> list[str]:
    names = ", ".join(COLUMNS)

    def values(row: str) -> str:
        return ", ".join(rewrite(f"{row}.{column}") for column in COLUMNS)

    return [
        "DROP TRIGGER IF EXISTS postings_fts_after_insert",
        "DROP TRIGGER IF EXISTS postings_fts_after_delete",
        "DROP TRIGGER IF EXISTS postings_fts_after_update",
        f"""CREATE TRIGGER postings_fts_after_insert AFTER INSERT ON postings BEGIN
            INSERT INTO postings_fts(rowid, {names}) VALUES (new.id, {values("new")});
        END""",
        f"""CREATE TRIGGER postings_fts_after_delete AFTER DELETE ON postings BEGIN
            INSERT INTO postings_fts(postings_fts, rowid, {names}) VALUES ('delete', old.id, {values("old")});
        END""",
        f"""CREATE TRIGGER postings_fts_after_update AFTER UPDATE OF id, {names} ON postings
        WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.company IS NOT new.company
             OR old.description_text IS NOT new.description_text
        BEGIN
            INSERT INTO postings_fts(postings_fts, rowid, {names}) VALUES ('delete', old.id, {values("old")});
            INSERT INTO postings_fts(rowid, {names}) VALUES (new.id, {values("new")});
        END""",
        "INSERT INTO postings_fts(postings_fts) VALUES ('delete-all')",
        f"INSERT INTO postings_fts(rowid, {names}) SELECT id, "
        + ", ".join(rewrite(column) for column in COLUMNS)
        + " FROM postings",
    ]


def _postgres_vector(rewrite) -> list[str]:
    weights = {"title": "A", "company": "B", "description_text": "C"}
    vector = " || ".join(
        f"setweight(to_tsvector('aggregator_english', {rewrite(f'coalesce({column}, {chr(39) * 2})')}), '{weight}')"
        for column, weight in weights.items()
    )
    return [
        "DROP INDEX IF EXISTS ix_postings_search_vector",
        "ALTER TABLE postings DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE postings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED",
        "CREATE INDEX ix_postings_search_vector ON postings USING gin (search_vector)",
    ]


def _as_before(expression: str) -> str:
    return expression


def upgrade() -> None:
    _run(rewritten)
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("jobs_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
    )
    op.create_index(op.f("ix_alert_deliveries_alert"), "alert_deliveries", ["alert"], unique=False)
    op.create_table(
        "alert_jobs",
        sa.Column("alert", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["alert_deliveries.id"], name=op.f("fk_alert_jobs_delivery_id_alert_deliveries")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_alert_jobs_job_id_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert", "job_id", name=op.f("pk_alert_jobs")),
    )
    op.create_index(op.f("ix_alert_jobs_delivery_id"), "alert_jobs", ["delivery_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_jobs_delivery_id"), table_name="alert_jobs")
    op.drop_table("alert_jobs")
    op.drop_index(op.f("ix_alert_deliveries_alert"), table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    _run(_as_before)


def _run(rewrite) -> None:
    dialect = op.get_context().dialect.name
    statements = _sqlite_triggers(rewrite) if dialect == "sqlite" else _postgres_vector(rewrite)
    for statement in statements:
        op.execute(statement)
