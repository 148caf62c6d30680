"""Remote job aggregator. ``aggregator.open(url=None)`` is the Python way in (aggregator.library)."""


def open(url: str | None = None):  # noqa: A001 - the documented name
    """The jobs database at ``url`` (default: the configured one), for reading."""
    from aggregator.library import JobDatabase

    return JobDatabase(url)
