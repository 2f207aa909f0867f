# Everything runs inside .venv, made from the locked requirements on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test e2e lint format bench-import bench-search bench-pages bench-relevance bench-load bench-plain screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.12 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo
	@# The task worker sends the sign-up and alert emails (printed here in development).
	DEBUG=$${DEBUG:-true} sh -c '$(BIN)/python manage.py db_worker & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000'

# Tests run with production-like settings (DEBUG off); only the key is a throwaway.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-not-a-secret} DEBUG=false

test: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(TEST_ENV) $(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

# Browser checks: gunicorn with production settings, Chromium, axe-core, Lighthouse, vnu.
# The server and the tests share CACHE_URL (a file cache unless one is set).
E2E_ENV := $(TEST_ENV) CACHE_URL=$${CACHE_URL:-filecache:///tmp/trialfinder-e2e-cache}
NPM_STAMP := node_modules/.package-lock.json

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

e2e: $(STAMP) $(NPM_STAMP)
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(E2E_ENV) $(BIN)/python -m pytest -m e2e -p no:cacheprovider $(or $(PYTEST_ARGS),tests/e2e)

# PNGs of every page type at phone and desktop width, for docs/screenshots/ and the README.
screenshots: $(STAMP) $(NPM_STAMP)
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(E2E_ENV) $(BIN)/python -m pytest tests/e2e/screenshots.py -p no:cacheprovider -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks live in bench/, a script each (python -m bench.<name> --help), outside the apps.
# Import speed: imports BENCH_IMPORT_COUNT records twice into a fresh bench_import PostgreSQL
# database and prints records per second for the first import and the unchanged re-import.
BENCH_IMPORT_COUNT ?= 5000
bench-import: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python -m bench.imports --count $(BENCH_IMPORT_COUNT) $(BENCH_ARGS)

# Search at registry scale: builds bench_search_<size> PostgreSQL databases (see
# docs/search-performance.md). BENCH_SIZES=10000,100000 for a shorter run.
BENCH_SIZES ?= 10000,100000,500000
bench-search: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y wrk
	$(TEST_ENV) $(BIN)/python -m bench.search --sizes $(BENCH_SIZES) $(BENCH_ARGS)

# Cached pages only: the throughput part of bench-search (the trial page with the most sites,
# the list and a search against /robots.txt in one gunicorn run, with gzip and without) on the
# bench_search_$(BENCH_PAGES_SIZE) database, built first if missing.
BENCH_PAGES_SIZE ?= 10000
bench-pages: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y wrk
	$(TEST_ENV) $(BIN)/python -m bench.search --sizes $(BENCH_PAGES_SIZE) --reuse --pages-only $(BENCH_ARGS)

# Under load: 50 simulated patients (locust) browse BENCH_LOAD_SIZE trials for 10 minutes, with
# everything up and then with Redis stopped halfway and restarted; prints req/s, p50/p95/p99 per
# page type and errors (see docs/resilience.md). BENCH_ARGS=--reuse keeps a built database.
BENCH_LOAD_SIZE ?= 100000
bench-load: $(STAMP)
	command -v redis-server >/dev/null || apt-get install -y redis-server
	$(TEST_ENV) $(BIN)/python -m bench.load --size $(BENCH_LOAD_SIZE) $(BENCH_ARGS)

# Search quality: imports ../shared/data/ctgov/ into a fresh bench_relevance PostgreSQL database
# and prints recall and precision in the first 10 results for the patient-typed queries of
# bench/relevance.toml. BENCH_ARGS=--sqlite measures the SQLite search instead.
bench-relevance: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(TEST_ENV) $(BIN)/python -m bench.relevance $(BENCH_ARGS)

# Plain language written from records: over ../shared/data/ctgov/, the share of trials with a
# generated headline, summary and “What this could mean”, the summaries' reading grades, the
# longest sentence, everyday names for MeSH terms, and the time to write per 1,000 trials.
bench-plain: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python -m bench.plain $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
