# Two commands on a fresh machine: `make export` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: export test test-full system system-full lint clean

# The virtual environment with briefkit installed (editable); redone when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[serve]"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Debian packages briefkit needs (Pango for WeasyPrint; poppler and Java for the tests).
system:
	@scripts/system-packages

system-full:
	@scripts/system-packages --full

export: system $(VENV)/.installed
	$(BIN)/briefkit export --all

test: system $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto

# Everything, including the slow checks (LibreOffice, many epubcheck runs, long Hypothesis runs).
test-full: system-full $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto -m '' --hypothesis-profile=deep

lint: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet ruff mypy
	$(BIN)/ruff check src tests
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) dist/*.* dist/.*.part
