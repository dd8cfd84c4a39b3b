# psa-report: the two commands a user needs are `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# `make report` installs the tool alone, as a regular package; `make test` installs it
# editable with the test tools. Each install clears the other's stamp, so the venv
# always holds what the last of them asked for.
TOOL   := $(VENV)/.installed-tool
TESTS  := $(VENV)/.installed-test

.PHONY: report test test-fast check overdue system-deps test-deps bench docs catalog clean

## make report: set up if needed, then build out/progress-report.html and .pdf
report: $(TOOL)
	@$(BIN)/psa-report build

## make test: set up if needed (with the test tools), then run the whole suite
test: $(TESTS) test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy psa_report
	$(BIN)/python -m pytest

## make test-fast: lint, types and the quick tests (no LibreOffice, Chromium or large plans)
test-fast: $(TESTS)
	$(BIN)/ruff check .
	$(BIN)/mypy psa_report
	$(BIN)/python -m pytest -m "not slow"

check: $(TOOL)
	@$(BIN)/psa-report check

overdue: $(TOOL)
	@$(BIN)/psa-report overdue

## make docs: the command reference (docs/cli.md, from the commands' --help), the guide's
## pictures (docs/img/, from the shipped plan), then the guide as a web site in site/
docs: $(TESTS)
	@scripts/system-deps.sh --test
	$(BIN)/python -m psa_report.clidoc > docs/cli.md
	$(BIN)/python scripts/docs-pictures.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "The guide is in site/: open site/index.html"

## make catalog: after adding or changing the tool's words (psa_report/wording.py), refresh
## the message template and each language's catalog (docs/welsh.md)
catalog: $(TESTS)
	@scripts/update-catalog.sh

system-deps:
	@scripts/system-deps.sh

BROWSER := tests/browser
test-deps: $(BROWSER)/node_modules/.installed
	@scripts/system-deps.sh --test

# axe-core and playwright-core for the browser test (Debian's chromium runs the page).
$(BROWSER)/node_modules/.installed: $(BROWSER)/package-lock.json
	@scripts/system-deps.sh --test
	cd $(BROWSER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BIN)/python:
	@echo "Setting up $(VENV) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip 2>&1 | grep -v -i -e warning -e '^ *$$' >&2 || true

$(TOOL): pyproject.toml | system-deps $(BIN)/python
	@echo "Installing psa-report into $(VENV) ..."
	@$(PIP) install . 2>&1 | grep -v -i -e warning -e '^ *$$' >&2 || true
	@$(BIN)/psa-report --version >/dev/null
	@rm -f $(TESTS) && touch $@

$(TESTS): pyproject.toml | system-deps $(BIN)/python
	$(PIP) install -e '.[test]'
	@rm -f $(TOOL) && touch $@

bench: $(TESTS)
	$(PIP) install -e '.[test,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out/*.html out/*.pdf build *.egg-info site docs/img .mypy_cache
