# LCAMP Tracker: `make run` serves the app from a fresh clone; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point at the server `make run` starts (0.0.0.0 listens everywhere; link to this machine).
SITE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test install install-test migrate lint typecheck check clean worker beat system-packages messages compilemessages

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed compilemessages

# The Debian packages WeasyPrint loads for the period reports' PDF (as root; .ci/run and the Dockerfile do the same).
system-packages:
	apt-get update
	apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
		libharfbuzz0b libfontconfig1 libglib2.0-0 fontconfig fonts-dejavu-core

install-test: $(VENV)/.installed-test compilemessages

# Translations (issue 15): `make messages` updates locale/<lang>/LC_MESSAGES/django.po for
# every language from the marked strings; the .mo files are compiled at install (gettext's
# msgfmt is needed: apt-get install gettext) and are not committed.
LANGUAGES := es eu fr it sv fi
MESSAGES_IGNORE := -i .venv -i var -i node_modules -i tests
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --no-obsolete --no-location $(MESSAGES_IGNORE) $(addprefix -l ,$(LANGUAGES))
	$(PY) manage.py makemessages -d djangojs --no-obsolete --no-location $(MESSAGES_IGNORE) \
		-i static/indicators/plotly-locales -i "*.min.js" $(addprefix -l ,$(LANGUAGES))

compilemessages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { echo "gettext's msgfmt is needed to compile the translations (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages $(MESSAGES_IGNORE) >/dev/null

migrate: install
	$(PY) manage.py migrate --noinput

run: install migrate
	$(PY) manage.py seed_lcamp
	$(PY) manage.py demo_data
	$(PY) manage.py rollup --backfill >/dev/null
	@if [ "$${DEBUG:-1}" != "0" ]; then $(PY) manage.py demo_accounts; fi
	@echo "LCAMP Tracker on $(SITE_URL)/"
	SITE_URL="$(SITE_URL)" DASHBOARD_AS_OF="$${DASHBOARD_AS_OF-2024-12-31}" $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs in parallel (pytest-xdist): a worker per core, each with its own test database,
# a test file's tests on one worker. PYTEST_ARGS="-n 0 …" (or PYTEST_PARALLEL=) runs it in one process.
PYTEST_PARALLEL ?= -n auto --dist loadfile
test: install-test
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

# mypy with django-stubs on the typed modules ([tool.mypy] files in pyproject.toml).
typecheck: install-test
	$(VENV)/bin/mypy

worker: install
	$(VENV)/bin/celery -A lcamp worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A lcamp beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var/lcamp.sqlite3
