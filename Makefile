# Two commands for a fresh clone:
#   make run    set up and serve the site on embedded defaults (SQLite, files, no broker server)
#   make test   set up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint browser nginx clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[runner,dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	DEBUG=$${DEBUG:-1} $(BIN)/python scripts/dev.py

# Debian's Chromium drives the browser tests (playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Debian's nginx runs on loopback in front of gunicorn in the slow-client test (tests/e2e).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy benchcouncil ranking submissions runners scripts

test: setup browser nginx lint
	DJANGO_SETTINGS_MODULE=benchcouncil.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
