# techtree: `make run` to try it, `make test` to check it. Both set themselves up.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run test lint serve bench check-deploy train-model clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

## run: set up SQLite with the demo tree and a demo learner, then serve on http://127.0.0.1:8000
run: $(VENV)/.run-installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py createcachetable
	DEBUG=1 $(PY) manage.py load_content --keep-existing
	DEBUG=1 $(PY) manage.py create_demo_users
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## test: install what the tests need (Debian's chromium when missing) and run the whole suite
test: $(VENV)/.dev-installed
	@scripts/ensure-chromium
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# What `make serve` runs with, and so what `make check-deploy` checks: nothing else is set.
SERVE_ENV := PRODUCTION=1

## serve: production: gunicorn, HTTPS-only settings; needs SECRET_KEY, EMAIL_HOST (DATABASE_URL)
serve: $(VENV)/.run-installed
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py createcachetable
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput
	$(SERVE_ENV) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) $(VENV)/bin/gunicorn --config gunicorn.conf.py

## check-deploy: `check --deploy` on exactly serve's settings; give it serve's environment
check-deploy: $(VENV)/.run-installed
	$(SERVE_ENV) $(PY) manage.py check --deploy --fail-level WARNING

bench: $(VENV)/.dev-installed
	$(PY) bench/graph.py
	$(PY) bench/engine.py
	$(PY) bench/figures.py
	$(PY) bench/lens.py
	$(PY) bench/startup.py
	$(PY) bench/slow_clients.py
	$(PY) bench/tree_map.py
	$(PY) bench/exercises.py

## train-model: retrain the lab's transformer into lens/weights/ (installs PyTorch; several minutes)
## Options go through TRAIN_ARGS, e.g. make train-model TRAIN_ARGS="--steps 200 --output /tmp/w"
train-model: $(VENV)/.run-installed
	$(PIP) install --quiet -r requirements-train.txt
	$(PY) manage.py train_model $(TRAIN_ARGS)

clean:
	rm -rf $(VENV) staticfiles artefacts .pytest_cache
