# Two commands for a newcomer: `make synth` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install promtool synth check lint test test-unit test-output test-real test-fast bench imports clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# checkov (the policy scanner the tests run over dist/) has pins of its own: it gets its own venv.
$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed

## promtool, which the alert tests run: Debian's prometheus package, installed when it is missing and
## apt-get may run (as root); otherwise stop with the command that installs it.
PROMTOOL_HINT := promtool is missing: run 'sudo apt-get update && sudo apt-get install -y prometheus' (Debian, Ubuntu), or put promtool from https://prometheus.io/download/ on PATH
promtool:
	@command -v promtool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing promtool: apt-get install prometheus"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	  else echo "$(PROMTOOL_HINT)" >&2; exit 1; fi; }

## Synthesize every environments/*.yaml into dist/<env>/.
synth: $(VENV)/.installed
	$(PY) main.py

## Exit non-zero when dist/ is stale.
check: $(VENV)/.installed
	$(PY) main.py --check

## Lint, format and type gates: zero findings.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## The whole suite, every layer (what CI runs). Two workers: half the time a test
## waits on a process it started (hub, proxy, synth, checkov).
test: install promtool lint
	$(PY) -m pytest -n 2

## One layer alone (README, "Tests"): unit, then output, then real components.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -m unit

test-output: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(PY) -m pytest -n 2 -m output

test-real: $(VENV)/.installed node_modules/.installed promtool
	$(PY) -m pytest -n 2 -m real

## Everything but the real components: unit and output.
test-fast: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(PY) -m pytest -n 2 -m "unit or output"

## Time `python main.py` against the import floor (see bench/README.md); BENCH_ARGS="--runs 3 --results bench/RESULTS.md".
bench: $(VENV)/.installed
	$(PY) bench/benchmark.py $(BENCH_ARGS)

## Re-generate imports/ (typed custom resource bindings) from the CRD files in crds/ that cdk8s.yaml lists (offline).
imports: node_modules/.installed
	node_modules/.bin/cdk8s import --no-check-upgrade --language python --output imports --no-save

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules .pytest_cache
