# Front door of the pipeline. `make all` runs everything on the demo region, `make test` runs the tests.
# Targets are stamp files per configuration and stage, so a rerun with nothing changed does no work and a
# changed configuration or stage module reruns what depends on it.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --warn-undefined-variables
.DEFAULT_GOAL := all

CONFIG ?= config/demo.yaml
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIPELINE := $(BIN)/pipeline
STAMPS := data/processed/.stamps/$(basename $(notdir $(CONFIG)))
CORE := pyproject.toml $(wildcard pipeline/config/*.py pipeline/catalogue/*.py) pipeline/io.py pipeline/categories.py $(CONFIG)
stage_sources = $(wildcard pipeline/$(1)/*.py pipeline/$(1)/*/*.py)

.PHONY: all install demo fetch ingest analyse score export test bench clean summary

# --- environment ------------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# --- stages (file targets) --------------------------------------------------------------------
# sources: generate the demo region (configs with a `demo` section) and/or download (sources with a url)
$(STAMPS)/sources: $(VENV)/.installed $(CORE) $(call stage_sources,demo) $(call stage_sources,fetch)
	$(PIPELINE) demo --config $(CONFIG)
	$(PIPELINE) fetch --config $(CONFIG)
	@mkdir -p $(@D) && touch $@

$(STAMPS)/ingest: $(STAMPS)/sources $(call stage_sources,ingest)
	$(PIPELINE) ingest --config $(CONFIG)
	@touch $@

$(STAMPS)/analyse: $(STAMPS)/ingest $(call stage_sources,analyse) pipeline/data/sbi_milieucategorie.csv
	$(PIPELINE) analyse --config $(CONFIG)
	@touch $@

$(STAMPS)/score: $(STAMPS)/analyse $(call stage_sources,score)
	$(PIPELINE) score --config $(CONFIG)
	@touch $@

$(STAMPS)/export: $(STAMPS)/score $(call stage_sources,export) $(wildcard pipeline/styles/* pipeline/templates/*)
	$(PIPELINE) export --config $(CONFIG)
	@touch $@

demo fetch: $(STAMPS)/sources
ingest: $(STAMPS)/ingest
analyse: $(STAMPS)/analyse
score: $(STAMPS)/score
export: $(STAMPS)/export

all: $(STAMPS)/export
	@$(PIPELINE) summary --config $(CONFIG)

summary: $(VENV)/.installed
	@$(PIPELINE) summary --config $(CONFIG)

# --- tests and benchmark ----------------------------------------------------------------------
test: $(VENV)/.installed-test
	$(BIN)/pytest -q

bench: $(VENV)/.installed
	$(BIN)/python -m pipeline.benchmark --config config/bench.yaml

clean:
	rm -rf data/processed/* data/processed/.stamps data/raw/demo maps/*.html maps/terreinen maps/assets
	git checkout -- data/processed/README.md maps/README.md 2>/dev/null || true
