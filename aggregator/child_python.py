"""The environment of a new Python interpreter started for work kept out of a long-lived process
(a crawl's writer process, a migration before a crawl): it imports the modules this one does.

Not multiprocessing's spawn, which first runs this process's main script again (all of Scrapy under
``scrapy crawl``) and starts a resource tracker process besides.
"""

from __future__ import annotations

import os
import sys


def child_environment() -> dict[str, str]:
    # This process's import path (Scrapy adds the project's folder, scrapyd its egg) is the child's.
    path = os.pathsep.join(os.path.abspath(entry) for entry in sys.path)
    return {**os.environ, "PYTHONPATH": path}
