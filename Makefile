# psa-report: the two commands a user needs are `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test check overdue system-deps test-deps bench clean

## make report: set up if needed, then build out/progress-report.html and .pdf
report: $(STAMP)
	$(BIN)/psa-report build

## make test: set up if needed (with the test tools), then run the whole suite
test: $(STAMP) test-deps
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/psa-report check

overdue: $(STAMP)
	$(BIN)/psa-report overdue

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

$(STAMP): pyproject.toml | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out/*.html out/*.pdf build *.egg-info
