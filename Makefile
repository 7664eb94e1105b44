# Two commands for a newcomer: `make synth` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
NCA_VENV := .venv-nca
NCA_VERSION := 2.1.0
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install debian-packages synth check lint test test-unit test-output test-real test-fast bench imports connectivity clean

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

# IBM's network-config-analyzer judges the NetworkPolicies in the tests; it pins PyYAML==6.0.2 exactly
# (the project pins 6.0.3), so it too gets its own venv. tests/support/connectivity.py names this version.
$(NCA_VENV)/.installed:
	$(PYTHON) -m venv $(NCA_VENV)
	$(NCA_VENV)/bin/python -m pip install --quiet network-config-analyzer==$(NCA_VERSION)
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed $(CHECKOV_VENV)/.installed $(NCA_VENV)/.installed node_modules/.installed

## Debian packages the real-component tests run: prometheus (for promtool, the alert rules' tests) and
## slapd (the LDAP login test starts its own server on loopback; the package's own stays unconfigured).
## Installed when missing and apt-get may run (as root); otherwise stop with the command that installs them.
DEBIAN_HINT := missing promtool or slapd: run 'sudo apt-get update && sudo apt-get install -y prometheus slapd' (Debian, Ubuntu)
debian-packages:
	@{ command -v promtool >/dev/null 2>&1 && [ -x /usr/sbin/slapd ]; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's prometheus and slapd"; \
	    echo "slapd slapd/no_configuration boolean true" | debconf-set-selections && \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus slapd >/dev/null; \
	  else echo "$(DEBIAN_HINT)" >&2; exit 1; fi; }

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
test: install debian-packages lint
	$(PY) -m pytest -n 2

## One layer alone (README, "Tests"): unit, then output, then real components.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -m unit

test-output: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(PY) -m pytest -n 2 -m output

test-real: $(VENV)/.installed $(NCA_VENV)/.installed node_modules/.installed debian-packages
	$(PY) -m pytest -n 2 -m real

## Everything but the real components: unit and output.
test-fast: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(PY) -m pytest -n 2 -m "unit or output"

## Re-write docs/connectivity.md (who may talk to whom, from the analyzer's reading of dist/).
connectivity: $(VENV)/.installed $(NCA_VENV)/.installed
	PYTHONPATH=constructs:.:tests $(PY) -m support.connectivity

## Time `python main.py` against the import floor (see bench/README.md); BENCH_ARGS="--runs 3 --results bench/RESULTS.md".
bench: $(VENV)/.installed
	$(PY) bench/benchmark.py $(BENCH_ARGS)

## Re-generate imports/ (typed custom resource bindings) from the CRD files in crds/ that cdk8s.yaml lists (offline).
imports: node_modules/.installed
	node_modules/.bin/cdk8s import --no-check-upgrade --language python --output imports --no-save

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(NCA_VENV) node_modules .pytest_cache
