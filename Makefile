# The after-sales suite. `make run` starts everything, `make test` runs every test.
# Both install what is missing: the virtualenv (pinned by requirements/constraints.txt),
# RabbitMQ from Debian's packages when no broker answers, and the CJK font and poppler-utils
# of the printable forms (deploy/ensure-documents.sh); `make test` also Debian's chromium for
# the console's browser tests (deploy/ensure-browser.sh).

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
REQUIREMENTS := requirements/base.in requirements/dev.in $(CONSTRAINTS)
SERVICE_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
PACKAGE_DIRS := libs/servicekit $(SERVICE_DIRS) $(patsubst %/pyproject.toml,%,$(wildcard gateway/pyproject.toml))

TEST_PATHS := $(wildcard libs/servicekit/tests services/*/tests gateway/tests tests)
UNIT_TEST_PATHS := $(wildcard libs/servicekit/tests/unit services/*/tests/unit gateway/tests tests/contract)
PYTEST_ARGS ?=

.PHONY: help venv run status logs demo parked backup restore rotate-keys test test-unit rules mutate lint format bench bench-report clean distclean refresh-constraints

help:
	@echo "make run        start broker (if needed), every service and the gateway under supervisord; Ctrl-C stops"
	@echo "make status     the processes of the running suite (supervisorctl status)"
	@echo "make logs       follow every process's log of the running suite"
	@echo "make demo       load the demo data set into the running suite (through its HTTP API)"
	@echo "make parked SERVICE=complaints [CMD=list|show|replay|drop] [ID=n|--all]  parked messages"
	@echo "make backup [WITH_SECRETS=1]  every database (and the secrets if asked), encrypted with \$$AFTERSALES_BACKUP_PASSPHRASE, to backups/<UTC timestamp>/"
	@echo "make restore FROM=backups/<timestamp>  put a backup back (the suite stopped)"
	@echo "make rotate-keys [CMD=status|new-key|rotate|drop-old]  the customer data keys (rule C11; README, Operations)"
	@echo "make test       every test (installs the venv, starts RabbitMQ and PostgreSQL if needed)"
	@echo "make test-unit  the tests that need no broker and no database"
	@echo "make rules      per business rule of docs/rules.md: the code and the tests that cite it"
	@echo "make mutate     mutation testing of the domain modules (cosmic-ray; not in CI) [SERVICE=customer] [ARGS=--list]"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make bench      gateway vs bare Flask+RPC baseline; results in bench/results/latest.json"
	@echo "make bench-scans scanner receipts/s through the gateway, 1 in 5 resent; checks the totals"
	@echo "make bench-chain chain latency at 20 flows/s: plan accepted -> authorization, sign-off -> voucher"
	@echo "make clean      caches and benchmark results (keeps .venv and var/)"
	@echo "make distclean  also .venv and var/ (the data of make run)"

venv: $(STAMP)

# Re-installs only when a requirements file or a package's metadata changes.
$(STAMP): $(REQUIREMENTS) $(addsuffix /pyproject.toml,$(PACKAGE_DIRS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c $(CONSTRAINTS) -r requirements/base.in -r requirements/dev.in
	$(BIN)/pip install -q -c $(CONSTRAINTS) --no-deps $(addprefix -e ,$(PACKAGE_DIRS))
	touch $@

# Every process under supervisord (restarted when it dies); see README, Operations.
run: venv
	bash deploy/ensure-broker.sh
	bash deploy/ensure-documents.sh
	$(BIN)/python deploy/suite.py run

status: venv
	$(BIN)/python deploy/suite.py ctl status

logs:
	tail -n 20 -F $${AFTERSALES_DATA_DIR:-var}/logs/*.log

# Loads the demo data set through the gateway of a running suite (make run in another shell).
demo: venv
	$(BIN)/python deploy/demo.py --url http://127.0.0.1:$${GATEWAY_PORT:-8000}

# Parked messages of a service: make parked SERVICE=complaints [CMD=list|show|replay|drop] [ID=n|ID=--all]
parked: venv
	@test -n "$(SERVICE)" || { echo "usage: make parked SERVICE=<customer|complaints|returns|finance> [CMD=list|show|replay|drop] [ID=<id>|--all]"; exit 2; }
	$(BIN)/python -m servicekit.parked $(or $(CMD),list) $(SERVICE) $(ID)

backup: venv
	$(BIN)/python deploy/backup.py backup $(if $(WITH_SECRETS),--with-secrets)

restore: venv
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<timestamp> [FORCE=1]"; \
	  $(BIN)/python deploy/backup.py list; exit 2; }
	$(BIN)/python deploy/backup.py restore "$(FROM)" $(if $(FORCE),--force)

# rule C11: re-encrypt the customer service's personal data with its newest data key.
rotate-keys: venv
	$(BIN)/python -m customer.rotate_keys $(or $(CMD),status)

test: venv
	bash deploy/ensure-broker.sh
	bash deploy/ensure-postgres.sh
	bash deploy/ensure-documents.sh
	bash deploy/ensure-browser.sh
	$(BIN)/python -m pytest $(TEST_PATHS) $(PYTEST_ARGS)

test-unit: venv
	bash deploy/ensure-documents.sh
	$(BIN)/python -m pytest $(UNIT_TEST_PATHS) $(PYTEST_ARGS)

# Mutation testing of every domain module, one at a time, over its service's unit tests
# (in a copy under var/mutate/; minutes per module, so neither CI nor `make test` runs it).
mutate: venv
	$(BIN)/python deploy/mutate.py $(SERVICE) $(ARGS)

# Per rule of docs/rules.md the code and tests citing it ('rule P6'); flags code with no test.
# Standard library only, so it runs without the venv.
rules:
	@$(or $(wildcard $(BIN)/python),$(PYTHON)) deploy/rules.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	bash deploy/ensure-broker.sh
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The complaints' monthly statistics (rule P11) with 100k cases, on SQLite and PostgreSQL.
bench-report: venv
	bash deploy/ensure-postgres.sh
	$(BIN)/python bench/complaints_report.py --db sqlite
	$(BIN)/python bench/complaints_report.py --db postgresql

# Scanner receipts through the gateway, one post in five resent (rule R2); see bench/README.md.
# Fails only when the received totals differ from the unique scans (a correctness check).
.PHONY: bench-scans
bench-scans: venv
	bash deploy/ensure-broker.sh
	$(BIN)/python bench/scanner_receipts.py $(BENCH_ARGS)

# Chain latency at a steady 20 flows/s (issue 10.10): plan accepted -> return authorization
# visible, sign-off -> return_credit voucher visible, p50/p99; see bench/README.md.
.PHONY: bench-chain
bench-chain: venv
	bash deploy/ensure-broker.sh
	$(BIN)/python bench/chain_latency.py $(BENCH_ARGS)

clean:
	rm -rf bench/results .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.egg-info' -type d -prune -exec rm -rf {} +
	rm -f $(STAMP)

distclean: clean
	rm -rf $(VENV) var

# Rebuild the lock from the loose .in files in a throw-away venv (see requirements/README).
refresh-constraints:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -r requirements/base.in -r requirements/dev.in
	{ echo "# Full pinned lock of base.in + dev.in (Python 3.11). Generated; see README to refresh."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v -e '^-e' -e '^#'; } > $(CONSTRAINTS)
	rm -rf .venv-lock
