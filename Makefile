# Two commands for a fresh clone:
#   make run    set up and serve the site on embedded defaults (SQLite, files, no broker server)
#   make test   set up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint browser tools sandbox slurm nginx clean

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

# The README's commands, which tests/deploy/test_readme_commands.py runs as written, use curl.
tools:
	@command -v curl >/dev/null || (apt-get update -qq && apt-get install -y -qq curl >/dev/null)

# Debian's bubblewrap sandboxes free-level model code on runner hosts (docs/runners.md, "Isolation").
sandbox:
	@command -v bwrap >/dev/null || (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null)

# Debian's Slurm and munge run a two-node cluster on loopback for the Slurm runner tests
# (scripts/slurm_cluster.py). Where they cannot be installed, those tests say why they did not
# run; in CI (CI=true) that is an error.
slurm:
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null) || \
	  { echo "make slurm: slurm-wlm and munge could not be installed; the Slurm runner tests will not run"; \
	    test "$$CI" != true; }

# Debian's nginx runs on loopback in front of gunicorn in the slow-client test (tests/e2e).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy benchcouncil benchcouncil_http catalogue ranking submissions runners scripts

test: setup browser tools sandbox slurm nginx lint
	DJANGO_SETTINGS_MODULE=benchcouncil.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
