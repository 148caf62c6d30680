"""The Python way in: ``aggregator.open(url=None).jobs(**filters)`` yields the jobs a search finds.

    import aggregator
    db = aggregator.open()                      # the configured database (aggregator.toml / env)
    for job in db.jobs(q="python", country="DE", remote_only=True):
        print(job["title"], job["boards"])
    frame = db.to_dataframe(q="rust")           # needs pandas (pip install 'remote-job-aggregator[pandas]')

The filters are the CLI's options with underscores (aggregator.query.JobFilters); reading only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aggregator.query import JobFilters, get_job, iter_jobs


class JobDatabase:
    def __init__(self, url: str | None = None):
        from aggregator.config import load_config
        from aggregator.db import read_only_engine

        config = load_config()
        self.url = url or config.database_url
        self.exclude_companies = tuple(config.exclude_companies)
        self.engine = read_only_engine(self.url)

    def _filters(self, filters: dict[str, Any]) -> JobFilters:
        if "exclude_company" in filters and isinstance(filters["exclude_company"], str):
            filters["exclude_company"] = (filters["exclude_company"],)
        filters["exclude_company"] = tuple(filters.get("exclude_company", ())) + self.exclude_companies
        return JobFilters(**filters).checked()

    def jobs(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every open job matching ``filters`` (q, country, region, timezone, …), as dicts."""
        yield from iter_jobs(self.engine, self._filters(filters))

    def job(self, job_id: int) -> dict[str, Any] | None:
        """One job with its ``postings``, or None."""
        return get_job(self.engine, job_id)

    def to_dataframe(self, **filters: Any):
        """The jobs as a pandas DataFrame (pandas is an optional extra)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install 'remote-job-aggregator[pandas]'") from None
        return pandas.DataFrame.from_records(list(self.jobs(**filters)))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> JobDatabase:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
