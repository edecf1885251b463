# Set-up and everyday commands. `make serve` and `make test` work on a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SHARED_NLTK := $(wildcard ../shared/nltk_data)
export NLTK_DATA := $(CURDIR)/nltk_data
SOURCE ?= $(CURDIR)/samples
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

# axe-core (accessibility rules) for the browser tests, from the npm registry, pinned, into a git-ignored folder.
AXE_VERSION := 4.10.3
AXE := .cache/axe-core-$(AXE_VERSION)/axe.min.js

.PHONY: install install-dev nltk-data system-deps ocr-deps axe-core serve index test test-fast stress bench bench-scale lint clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed nltk-data

install-dev: $(VENV)/.installed-dev nltk-data system-deps axe-core

axe-core: $(AXE)

$(AXE): | system-deps
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE \
		&& mv package/axe.min.js package/LICENSE . && rmdir package && rm axe-core-$(AXE_VERSION).tgz

# NLTK 3.10 refuses data that others can write, so take a private copy of ../shared/nltk_data.
nltk-data: $(VENV)/.installed
	@if [ -n "$(SHARED_NLTK)" ]; then \
		mkdir -p nltk_data && cp -R $(SHARED_NLTK)/. nltk_data/ && chmod -R go-w nltk_data; \
	fi
	$(PY) -m search.enrich.nltk_data

# Debian's Chromium for the browser tests (never a downloaded browser), wrk for the HTTP benchmark,
# Tesseract with its English data for OCR of scans (command tesseract, package tesseract-ocr), and nginx for
# the deployment tests (the reverse proxy of docs/deploying.md; its command is in /usr/sbin).
system-deps:
	@missing=""; for p in chromium wrk npm; do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 || missing="$$missing tesseract-ocr-eng"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

# Tesseract alone, for `make serve` (the sample archive holds a scanned page). Not fatal: without it the indexer
# reports scans as skipped and indexes the rest.
ocr-deps:
	-@command -v tesseract >/dev/null && ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 || { \
		pkgs="tesseract-ocr tesseract-ocr-eng"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; \
		else sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; fi; }

index: install ocr-deps
	$(PY) -m search index "$(SOURCE)" --if-empty

serve: index
	$(PY) -m search serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install-dev
	$(PY) -m ruff check search tests bench
	$(PY) -m pytest -q

test-fast: install-dev
	$(PY) -m pytest -q -m "not slow and not browser"

stress: install-dev
	$(PIP) install --quiet -r requirements-bench.txt
	$(PY) -m pytest -q tests/stress

bench: install-dev
	$(PIP) install --quiet -r requirements-bench.txt
	$(PY) -m bench.run_all

# Archives of 20k to 1M distinct generated articles (hours at 1M): BENCHMARKS.md's Scale section and its plots.
bench-scale: install-dev
	$(PIP) install --quiet -r requirements-bench.txt
	$(PY) -m bench.scale --write $(if $(SIZES),--sizes $(SIZES))

lint: install-dev
	$(PY) -m ruff check search tests bench
	$(PY) -m ruff format --check search tests bench

clean:
	rm -rf $(VENV) nltk_data index/*[!.gitkeep] .pytest_cache
