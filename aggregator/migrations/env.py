"""Alembic environment: the URL comes from aggregator.config, never from alembic.ini."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from aggregator.config import database_url
from aggregator.db import make_engine
from aggregator.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Made by raw SQL in revision 0005 and not in the models: the SQLite FTS5 table (with its shadow
# tables postings_fts_data, _idx, _docsize, _config), PostgreSQL's generated column postings.search_vector
# and its GIN index.
FULL_TEXT_SEARCH_TABLES = "postings_fts"
FULL_TEXT_SEARCH_COLUMNS = {("postings", "search_vector")}
FULL_TEXT_SEARCH_INDEXES = {"ix_postings_search_vector"}
# SQLite only, made by raw SQL in revision 0009: the covering indexes of search's posting filters.
SQLITE_SEARCH_INDEXES = {"ix_postings_search_filters", "ix_postings_search_by_id"}


def include_name(name, type_, parent_names) -> bool:
    """Autogenerate (and so `alembic check`) ignores the full-text search objects and SQLite-only indexes."""
    if type_ == "table":
        return not (name or "").startswith(FULL_TEXT_SEARCH_TABLES)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in FULL_TEXT_SEARCH_COLUMNS
    if type_ == "index":
        return name not in FULL_TEXT_SEARCH_INDEXES | SQLITE_SEARCH_INDEXES
    return True


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.begin() as connection:
        _configure(connection)
        context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
