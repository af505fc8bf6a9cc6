# Helhedsplan: `make run` serves the application with the real plan loaded; `make test` runs
# the whole suite. Both set everything up on a fresh clone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test install messages lint typecheck clean bench production lock prerequisites

# The install never resolves anything: the pip that `python3 -m venv` brings only installs a
# known pip, checked against its hashes (requirements-pip.lock), and that pip installs exactly
# the lock's packages, each pinned with its hashes and its extras, with --no-deps, so a release
# published tomorrow cannot change what a clone installs today. `pip check` then proves that the
# lock holds everything the packages need.
$(VENV)/installed: requirements-pip.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-pip.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip check
	touch $@

# The design system (DKFDS), axe-core and the OpenID Connect provider the tests log in through
# (oidc-provider) come from npm; Django serves DKFDS straight from node_modules
# (STATICFILES_DIRS), so nothing of it is copied into the repository.
node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm (see README)"; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/installed node_modules/.installed

# The system packages, installed with apt-get only where missing (with sudo unless run as root):
# WeasyPrint needs Pango and HarfBuzz's subsetter, translations are compiled with gettext, the
# browser tests drive Debian's chromium, and the sheet tests open the exported sheets in
# LibreOffice Calc without its desktop (libreoffice-calc-nogui, about 260 MB with what it
# needs). npm is looked for as a command, not as the Debian package: a NodeSource `nodejs`
# brings its own npm and conflicts with Debian's. So is LibreOffice's `soffice`: the desktop
# LibreOffice provides it too, and the nogui package would replace it. The production run's
# shared cache is Redis (redis-server), which the tests of that run start gunicorn against.
DEBIAN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
prerequisites:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Helhedsplan needs Python 3.11 as $(PYTHON) (or PYTHON=python3.11)."; exit 1; }
	@missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -z "$$missing" ]; then echo "All prerequisites are installed."; exit 0; fi; \
	echo "Installing:$$missing"; \
	$(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing

# Compiled translations are built, not committed (needs gettext's msgfmt).
messages: install
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: apt-get install gettext (see README)"; exit 1; }
	DEBUG=on $(MANAGE) compilemessages --ignore=$(VENV) --verbosity 0

.env:
	cp .env.example .env

run: install messages .env
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) load_plan slagelse_2017_2021
	$(MANAGE) load_demo_data
	$(MANAGE) create_demo_users
	$(MANAGE) runserver 127.0.0.1:8000

# The production run (README, "Production"): PostgreSQL, gunicorn and whitenoise, with the
# settings from the environment. SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS must be set; the
# real plan is loaded once, but no demo data and no demo users.
production: install messages
	@test -n "$$SECRET_KEY" -a -n "$$DATABASE_URL" -a -n "$$ALLOWED_HOSTS" || { echo "Set SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS (README, Production)."; exit 1; }
	DEBUG=off $(MANAGE) migrate --verbosity 0
	DEBUG=off $(MANAGE) load_plan slagelse_2017_2021
	DEBUG=off $(MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=off $(BIN)/gunicorn helhedsplan.wsgi --config helhedsplan/gunicorn.conf.py

test: install messages
	$(BIN)/python -m pytest

# Times the criteria engine on 100 plans, saving a quarter, rendering the agreements' PDFs, the
# board's dashboard with 1 and 100 plans and the status report's PDF, in a throwaway in-memory
# database (bench/README.md).
bench: install
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/evaluate_criteria.py
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/save_quarter.py
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/render_pdf.py
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/dashboard.py
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/status_report.py
	DJANGO_SETTINGS_MODULE=helhedsplan.test_settings $(BIN)/python bench/import_workbook.py

# The national dataset for load tests (docs/figures.md): PLANS copies of the real plan with demo
# figures and users, in the database DATABASE_URL names, which must hold no other plans. The
# users share the password in DATASET_PASSWORD.
.PHONY: national-dataset load-test
PLANS ?= 100
national-dataset: install messages
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) generate_national_dataset --plans $(PLANS)

# LOAD_USERS users for LOAD_SECONDS on the dashboard and the entry page of the server at
# LOAD_TEST_URL (`make production` on the national dataset), as the users of DATASET_PASSWORD.
LOAD_TEST_URL ?= http://127.0.0.1:8000
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
load-test: install
	$(BIN)/python bench/load_test.py --url $(LOAD_TEST_URL) --users $(LOAD_USERS) \
		--duration $(LOAD_SECONDS) --plans $(PLANS)

# Compiles the lock files from pyproject.toml, keeping the pinned versions (add
# LOCK_ARGS=--upgrade, or LOCK_ARGS="--upgrade-package django", to move them). The locks name
# packages only, never this machine's package index or wheel folders, and keep their extras so
# that pip's hash mode accepts them on its own. PIP_VERSION is the installer every clone uses.
PIP_VERSION := 25.3
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --allow-unsafe \
	--generate-hashes --no-strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(VENV)/installed
	echo "pip==$(PIP_VERSION)" | $(PIP_COMPILE) --output-file=requirements-pip.lock -
	$(PIP_COMPILE) -c requirements-pip.lock --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) -c requirements-pip.lock --extra=dev --output-file=requirements-dev.lock pyproject.toml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with Django's stubs, on the modules and with the strictness [tool.mypy] in
# pyproject.toml sets: lib/ typed in full, the apps where they declare types.
typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
