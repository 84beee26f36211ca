# make run: set everything up and serve the demo study on http://127.0.0.1:8000
# make test: set everything up and run every check and test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
# pytest-xdist workers, one per core; TEST_WORKERS=0 runs the suite in one process
TEST_WORKERS ?= auto
# SQLite's test tables come from the models (the 80 migrations took each worker 30 s there);
# tests/test_migrations.py runs the migrations once. PostgreSQL's are built by the migrations.
TEST_DB_FLAGS := $(if $(filter postgres%,$(DATABASE_URL)),,--nomigrations)

# demo dates, windows, SAE clocks, overdue forms and ages: run again with the clock moved
SHIFTED_CLOCK ?= $(shell $(PYTHON) -c "import datetime as d; print((d.date.today() + d.timedelta(days=366)).isoformat() + 'T23:30:00+08:00')")
SHIFTED_TESTS := tests/monitoring tests/followup tests/safety tests/dosing/test_services.py \
	tests/screening/test_services.py tests/test_seed_demo.py tests/security/test_access_matrix.py

.PHONY: install run test lint migrate clean messages

# Some shells (these machines among them) set PYTHONDONTWRITEBYTECODE: then every process, and
# each pytest worker, compiles the project and rewrites the test modules again (collection took
# 11.6 s per process with it, 6.5 s without). __pycache__ is ignored by git and .dockerignore.
unexport PYTHONDONTWRITEBYTECODE

# the translations (issue 22): compiled from the committed catalog (gettext's msgfmt), not committed
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
locale/%.mo: locale/%.po | $(STAMP)
	command -v msgfmt >/dev/null || (apt-get update -q && apt-get install -y -q gettext)
	SECRET_KEY=$${SECRET_KEY:-compilemessages-only} $(BIN)/python manage.py compilemessages --locale $(firstword $(subst /, ,$*)) -v0

# after changing text in the code or templates: update the catalog, then translate what is new
messages: install
	$(BIN)/python manage.py messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: export DEBUG := 1
run: export LOG_FORMAT ?= text
# the demo users sign in with their password alone (DEBUG only; `check --deploy` refuses it)
run: export OTP_DEMO_BYPASS := 1
run: install $(CATALOGS)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/  API: http://127.0.0.1:$(PORT)/api/v1/  API docs: http://127.0.0.1:$(PORT)/api/docs/"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run with DEBUG off, like production; they need a key, not a secret one.
test: export SECRET_KEY ?= insecure-key-for-tests-only
test: install lint $(CATALOGS)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(TEST_DB_FLAGS)
	@echo "=== the date-sensitive tests again, a year from now at 23:30 local time ==="
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(TEST_DB_FLAGS) --clock=$(SHIFTED_CLOCK) $(SHIFTED_TESTS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
