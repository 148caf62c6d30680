# Two commands do all the setup: `make crawl` (crawl remotewlb.com into jobs.db) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install bytecode crawl test lint

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

# The project's modules compiled ahead: a crawl starts two interpreters (tests start many), and
# where Python writes no bytecode as it imports (PYTHONDONTWRITEBYTECODE, a read-only checkout)
# each one compiled them again, about 0.4 s of CPU a process. Up-to-date files are skipped.
bytecode: $(INSTALLED)
	$(BIN)/python -m compileall -q aggregator pipelines spiders

crawl: bytecode
	$(BIN)/scrapy crawl remotewlb

test: bytecode
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
