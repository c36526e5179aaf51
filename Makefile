# Two commands on a fresh machine: `make export` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: export publish test test-slow test-full system system-full imports lint clean mutants gates look

# The virtual environment with briefkit installed (editable); redone when pyproject.toml changes.
# The versions come from constraints.txt, the ones the tests pass with.
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[serve,publish]"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

# Debian packages briefkit needs (Pango for WeasyPrint; poppler, Java and OpenSSH's server for
# the tests).
system:
	@scripts/system-packages

system-full:
	@scripts/system-packages --full

export: system $(VENV)/.installed
	$(BIN)/briefkit export --all

# Export, then send what changed to every [publish.<name>] target of briefkit.toml.
publish: export
	$(BIN)/briefkit publish

test: system $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto --dist loadfile

# Only the slow, deep checks (LibreOffice, Chromium, newsboat, many epubcheck runs, a Dask
# worker killed mid-run), at the default Hypothesis profile: what CI adds to `make test`.
test-slow: system-full $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto --dist loadfile -m slow

# Everything, including the slow checks (LibreOffice, many epubcheck runs, long Hypothesis runs).
test-full: system-full $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto --dist loadfile -m '' --hypothesis-profile=deep

# Standards gates (scripts/gates): DAISY Ace, EPUBCheck, the Nu HTML Checker, axe-core, PDF/UA-1,
# qpdf and pdffonts on dist/ and on the test fixtures exported fresh. The checkers install into
# gates/node_modules and gates/.venv at the versions gates/package-lock.json and
# gates/requirements.txt pin; Chromium, Node.js, Java and qpdf come from Debian.
gates: export
	@scripts/system-packages --gates
	@cd gates && { test node_modules/.package-lock.json -nt package-lock.json || \
	  PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 CHROMEDRIVER_SKIP_DOWNLOAD=true \
	  npm ci --no-audit --no-fund --ignore-scripts; }
	@test -x gates/.venv/bin/python || $(PYTHON) -m venv gates/.venv
	@test gates/.venv/.installed -nt gates/requirements.txt || \
	  { gates/.venv/bin/python -m pip install --quiet -r gates/requirements.txt && \
	    touch gates/.venv/.installed; }
	scripts/gates dist --fixtures

# Look at every format before it ships: the samples, tests/fixtures/ and tests/fixtures/look/
# exported in both packaged themes and drawn as page images (PDF pages, Word through
# LibreOffice, web pages and e-books through Chromium at 390 and 1280 px, e-mails at 375 and
# 600 px, feeds in newsboat), with one contact sheet per briefing in look/; open look/index.html.
look: system-full $(VENV)/.installed
	$(BIN)/python scripts/look

# Content-dropping mutations of the exporters, each run against the fast tests: none may survive.
mutants: system $(VENV)/.installed-test
	$(BIN)/python scripts/mutants

# The one import direction (model, load, theme/render, exporters, engine/output, cli),
# written down as an import-linter contract in pyproject.toml.
imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

# The import direction, then ruff and mypy (strict), at the versions constraints.txt pins.
lint: imports
	$(BIN)/python -m pip install --quiet -c constraints.txt ruff mypy
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) dist/* .briefkit
