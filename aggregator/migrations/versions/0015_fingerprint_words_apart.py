"""a fingerprint's word arrays in a column of their own

Revision ID: 0015_fingerprint_words_apart
Revises: 0014_dedup_keys_covering

Job assignment reads back the fingerprint of every candidate a batch's keys find (about a dozen
times each posting over a crawl) and shortlists them on their MinHash, language, company and
job; only the few it then compares word by word need the word arrays (tokens, boilerplate mask,
anchors), three quarters of a record. Those now live in ``fingerprint_words``, read when a
comparison needs them, so a candidate read moves a quarter of the text. On PostgreSQL the column
is stored uncompressed (``EXTERNAL``): base64 of hashes does not compress, and trying costs CPU.
Existing records are split here (joined again on the way down), value for value.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_fingerprint_words_apart"
down_revision: str | None = "0014_dedup_keys_covering"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The record's keys that move (aggregator.dedup.fingerprint.WORD_ARRAYS, as of this revision).
WORD_ARRAYS = ("tokens", "core_mask", "anchors")
_BATCH = 1000

postings = sa.table(
    "postings",
    sa.column("id", sa.Integer),
    sa.column("fingerprint", sa.Text),
    sa.column("fingerprint_words", sa.Text),
)


def _rewrite(convert) -> None:
    """Each stored fingerprint through ``convert`` (record, words) → (record, words), in id order
    and in bounded pieces."""
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(postings.c.id, postings.c.fingerprint, postings.c.fingerprint_words)
            .where(postings.c.id > after, postings.c.fingerprint.is_not(None))
            .order_by(postings.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for posting_id, stored, words in rows:
            try:
                record = json.loads(stored)
            except ValueError:
                continue  # unreadable: job assignment renews it (a fingerprint of another version)
            if isinstance(record, dict):
                record, words = convert(record, json.loads(words) if words else {})
                updates.append({"pid": posting_id, "record": json.dumps(record), "words": words and json.dumps(words)})
        if updates:
            connection.execute(
                postings.update()
                .where(postings.c.id == sa.bindparam("pid"))
                .values(fingerprint=sa.bindparam("record"), fingerprint_words=sa.bindparam("words")),
                updates,
            )
        after = rows[-1].id


def _split(record: dict, words: dict) -> tuple[dict, dict]:
    return {k: v for k, v in record.items() if k not in WORD_ARRAYS}, {k: record[k] for k in WORD_ARRAYS if k in record}


def _join(record: dict, words: dict) -> tuple[dict, None]:
    return record | words, None


def upgrade() -> None:
    op.add_column("postings", sa.Column("fingerprint_words", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE postings ALTER COLUMN fingerprint_words SET STORAGE EXTERNAL")
    _rewrite(_split)


def downgrade() -> None:
    _rewrite(_join)
    op.drop_column("postings", "fingerprint_words")
