# crossdock developer commands. `make help` lists them.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := libs/common libs/cli deploy/local sandbox services/catalog services/inventory \
	services/order_routing services/mirakl_connector services/tiktok_connector
STAMP := $(VENV)/.crossdock-installed
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: help install lock infra-up infra-down infra-status test test-unit run bench lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install every package editable with pinned tools

$(STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements/constraints.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==25.3"
	$(PY) -m pip install --quiet -c requirements/constraints.txt \
		$(addprefix -e ,$(PACKAGES)) -r requirements/dev.txt
	touch $@

lock: ## Re-pin requirements/constraints.txt from a fresh resolution
	rm -rf .cache/lock-venv
	$(PYTHON) -m venv .cache/lock-venv
	.cache/lock-venv/bin/pip install --quiet $(addprefix ./,$(PACKAGES)) -r requirements/dev.txt
	{ sed -n '1,3p' requirements/constraints.txt; .cache/lock-venv/bin/pip freeze --exclude-editable | grep -v '^crossdock-'; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt

infra-up: install ## Start local Kafka and Postgres (unless given by env) and print their addresses
	$(VENV)/bin/crossdock-localinfra up

infra-down: install ## Stop the local Kafka and Postgres that infra-up started
	$(VENV)/bin/crossdock-localinfra down

infra-status: install ## Show whether the local servers run
	$(VENV)/bin/crossdock-localinfra status

test: install ## Run every test suite against real Kafka and Postgres
	$(VENV)/bin/crossdock-localinfra run -- $(PY) -m pytest $(PYTEST_ARGS)

test-unit: install ## Run the unit tests only (no servers needed)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

run: install ## Start the whole hub on the sandboxes, set it up and show a live summary until Ctrl-C
	$(VENV)/bin/crossdock-localinfra run -- $(VENV)/bin/crossdock demo $(DEMO_ARGS)

bench: install ## Run the benchmarks under bench/
	$(VENV)/bin/crossdock-localinfra run -- sh -c "$(PY) bench/bus.py && $(PY) bench/memory.py && $(PY) bench/inventory.py && $(PY) bench/inventory_latency.py && $(PY) bench/ingest.py"

lint: install ## Check style with ruff
	$(VENV)/bin/ruff check .

clean: ## Remove the virtualenv and caches (local server data stays; see infra-down)
	rm -rf $(VENV) .cache/lock-venv .pytest_cache
