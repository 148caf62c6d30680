"""A new Python interpreter started for work kept out of a long-lived process
(a crawl's writer process; a migration or a cache build before a crawl): it imports the modules this
one does.

Not multiprocessing's spawn, which first runs this process's main script again (all of Scrapy under
``scrapy crawl``) and starts a resource tracker process besides.
"""

from __future__ import annotations

import os
import subprocess
import sys


def child_environment() -> dict[str, str]:
    # This process's import path (Scrapy adds the project's folder, scrapyd its egg) is the child's.
    path = os.pathsep.join(os.path.abspath(entry) for entry in sys.path)
    return {**os.environ, "PYTHONPATH": path}


def run_python(code: str, *, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``code`` run to its end by a new interpreter (``python -c``), ``input`` on its stdin, its
    output captured: short-lived work whose imports and garbage stay out of this process."""
    return subprocess.run(
        [sys.executable, "-c", code], input=input, text=True, capture_output=True, env=child_environment()
    )
