# Two commands on a fresh machine (Python 3.11 + pip): `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SITE   ?= .
DEPLOY_ARGS ?=
BENCH_ARGS ?=
BENCH_SERVE_ARGS ?=
LOCALES := builder/locales

.PHONY: build check test serve deploy clusters eval messages screenshots bench bench-serve clean

# The virtual environment is (re)made when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(PY) -m builder build --site $(SITE)

# Everything a build checks, plus every internal link and #fragment, writing nothing.
check: $(VENV)/.installed
	$(PY) -m builder check --site $(SITE)

test: $(VENV)/.installed-test
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) -m builder serve --site $(SITE)

deploy: $(VENV)/.installed
	$(PY) -m builder deploy --site $(SITE) $(DEPLOY_ARGS)

clusters: $(VENV)/.installed
	$(PY) -m builder clusters --site $(SITE)

# Precision and recall of the story rules on the labelled set (tests/fixtures/labelled), tune and heldout parts.
eval: $(VENV)/.installed
	$(PY) tests/tools/eval.py

# Re-extract interface strings from templates and code, and merge them into every catalog.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F $(LOCALES)/babel.cfg -k _ -k gettext -k ngettext:1,2 \
		--no-location --sort-output -o $(LOCALES)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching --ignore-obsolete

screenshots: $(VENV)/.installed-test build
	$(PY) tests/tools/screenshots.py public screenshots --variety

# Build times beside Hugo and Pelican: BENCH_ARGS="--sizes 1000 10000 --runs 1" make bench
bench: $(VENV)/.installed
	$(PY) bench/bench.py $(BENCH_ARGS)

# Edit-to-reloaded-page latency of `serve` in headless chromium: BENCH_SERVE_ARGS="--n 1000" make bench-serve
bench-serve: $(VENV)/.installed-test
	$(PY) bench/bench_serve.py $(BENCH_SERVE_ARGS)

clean:
	rm -rf public screenshots
