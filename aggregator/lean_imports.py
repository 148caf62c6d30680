"""Libraries every crawl's process imports that would bring in more than a crawl uses."""

from __future__ import annotations

import sys


def import_itemadapter_without_pydantic() -> None:
    """itemadapter (Scrapy's access to items) imports pydantic, and pydantic.v1 besides, whenever
    pydantic is installed (the web front door and the configuration file's schema use it), only to
    know pydantic models as items: ~7 MB in every crawl's process, whose items are dataclasses.
    Imported first with pydantic hidden (an import of a module set to None in ``sys.modules`` raises
    ImportError, which itemadapter expects), it knows no pydantic models; pydantic itself imports as
    usual afterwards (a configuration file's schema, in a crawl that has one)."""
    if "itemadapter" in sys.modules or "pydantic" in sys.modules:
        return  # imported already, or pydantic is in use in this process
    sys.modules["pydantic"] = None  # type: ignore[assignment]
    try:
        import itemadapter  # noqa: F401
    finally:
        if "pydantic" in sys.modules and sys.modules["pydantic"] is None:
            del sys.modules["pydantic"]
