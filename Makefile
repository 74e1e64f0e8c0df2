# Front door of the pipeline. `make all` runs everything on the demo region, `make test` runs the tests.
# What reruns is decided by the pipeline itself (pipeline/build.py): a stage reruns when its code, its slice of
# the configuration or its input files changed, so `make all` with nothing changed does no work, editing one
# analysis setting reruns analyse and what follows, and replacing a raw file reruns from ingest.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --warn-undefined-variables
.DEFAULT_GOAL := all

CONFIG ?= config/demo.yaml
# make vergelijk: an earlier run (VORIGE, made with VORIGE_CONFIG) against this one (HUIDIGE)
VORIGE_CONFIG ?= config/demo-2022.yaml
VORIGE ?= data/peildatum-2022/processed
HUIDIGE ?= data/processed
# make bench / bench-nationaal [RONDES=3]: the stages this many times per scale, the run with the median total kept
RONDES ?= 1
# make bench-ab: an earlier version against this one (benchmarks/ab.py)
VORIGE_VERSIE ?=
SCHAAL ?= 1
STAGES ?= ingest,analyse,export
ROUNDS ?= 3
# make toets TERREIN=<rin_nummer> [KAVELS=id,id] [WONINGEN=1]
TERREIN ?=
KAVELS ?=
WONINGEN ?=
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIPELINE := $(BIN)/pipeline

.PHONY: all install demo fetch ingest analyse score export test bench bench-nationaal bench-ab clean summary contract vergelijk toets

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

# --- stages: each runs what it depends on, skipping what is up to date ---------------------------
all: $(VENV)/.installed
	$(PIPELINE) all --config $(CONFIG)

demo fetch ingest analyse score export: $(VENV)/.installed
	$(PIPELINE) all --config $(CONFIG) --tot $@

# monitoring: the demo at its earlier peildatum (up to score) against the current run (`make all` first)
vergelijk: all
	$(PIPELINE) all --config $(VORIGE_CONFIG) --tot score > /dev/null
	$(PIPELINE) vergelijk --config $(CONFIG) $(VORIGE) $(HUIDIGE)

# transformatie-toets on the current results (brings analyse and score up to date first)
toets: $(VENV)/.installed
	@test -n "$(TERREIN)" || { echo "error: give TERREIN=<rin_nummer> (optional KAVELS=id,id WONINGEN=1)" >&2; exit 2; }
	$(PIPELINE) all --config $(CONFIG) --tot score > /dev/null
	$(PIPELINE) toets --config $(CONFIG) --terrein $(TERREIN) $(if $(KAVELS),--kavels $(KAVELS)) \
		$(if $(WONINGEN),--woningen)

summary: $(VENV)/.installed
	@$(PIPELINE) summary --config $(CONFIG)

contract: $(VENV)/.installed
	$(PIPELINE) contract

# --- tests and benchmark ----------------------------------------------------------------------
test: $(VENV)/.installed-test
	$(BIN)/pytest -q

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/benchmark.py --config config/bench.yaml --schalen 1,4 --rondes $(RONDES)

bench-nationaal: $(VENV)/.installed
	$(BIN)/python benchmarks/benchmark.py --config config/bench.yaml --schalen 8.5 --zonder-c1c4 --rondes $(RONDES)

# make bench-ab VORIGE_VERSIE=<git revision> [SCHAAL=1] [STAGES=ingest,analyse,export] [ROUNDS=3]: that version against the
# working tree, stage by stage in turns on the same machine (benchmarks/ab.py)
bench-ab: $(VENV)/.installed
	@test -n "$(VORIGE_VERSIE)" || { echo "error: give VORIGE_VERSIE=<git revision> (e.g. HEAD~1)" >&2; exit 2; }
	$(BIN)/python benchmarks/ab.py --vorige $(VORIGE_VERSIE) --schaal $(SCHAAL) --stages $(STAGES) --rondes $(ROUNDS)

clean:
	rm -rf data/processed/* data/processed/.[!.]* data/raw/demo maps/*.html maps/terreinen maps/assets maps/toets maps/.[!.]*
	rm -rf data/peildatum-*
	git checkout -- data/processed/README.md maps/README.md 2>/dev/null || true
