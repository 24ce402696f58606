# gezondewijk — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/gezondewijk/outputs/vendor
ASSETS := $(VENDOR)/leaflet.js $(VENDOR)/leaflet.css $(VENDOR)/axe.min.js \
  $(VENDOR)/maplibre-gl-csp.js $(VENDOR)/maplibre-gl-csp-worker.js $(VENDOR)/maplibre-gl.css \
  $(VENDOR)/swagger-ui-bundle.js $(VENDOR)/swagger-ui.css $(VENDOR)/redoc.standalone.js \
  $(VENDOR)/terra-draw.umd.js $(VENDOR)/terra-draw-maplibre-gl-adapter.umd.js
APT := DEBIAN_FRONTEND=noninteractive apt-get

PG_TEST_URL := postgresql+psycopg://gezondewijk:gezondewijk@127.0.0.1:5432/postgres

.PHONY: setup assets system-deps postgres demo test test-quick lint format bench clean

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# Front-end assets come from npm at build time and are bundled into every HTML map and the
# web app (Leaflet for the offline HTML map, MapLibre GL JS's CSP build for the app's map
# viewer, Terra Draw with its MapLibre adapter for drawing scenarios, axe-core for tests,
# Swagger UI and ReDoc for /docs and /redoc; no CDN).
assets: $(ASSETS)
$(ASSETS): frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || { $(APT) update -qq && $(APT) install -y -qq nodejs npm; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css $(VENDOR)/
	cp frontend/node_modules/axe-core/axe.min.js $(VENDOR)/
	cp frontend/node_modules/maplibre-gl/dist/maplibre-gl-csp.js frontend/node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js frontend/node_modules/maplibre-gl/dist/maplibre-gl.css $(VENDOR)/
	cp frontend/node_modules/swagger-ui-dist/swagger-ui-bundle.js frontend/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	cp frontend/node_modules/redoc/bundles/redoc.standalone.js $(VENDOR)/
	cp frontend/node_modules/terra-draw/dist/terra-draw.umd.js frontend/node_modules/terra-draw-maplibre-gl-adapter/dist/terra-draw-maplibre-gl-adapter.umd.js $(VENDOR)/

# Headless Chromium (Debian package) for the browser tests of the HTML map; wrk (Debian) as
# the load client of the Leefplekmeter load test.
system-deps:
	@test -x /usr/bin/chromium || { $(APT) update -qq && $(APT) install -y -qq chromium; }
	@test -x /usr/bin/wrk || { $(APT) update -qq && $(APT) install -y -qq wrk; }

# PostgreSQL from Debian, started and given a test role; the tests run against it and SQLite.
postgres:
	@command -v pg_ctlcluster >/dev/null || { $(APT) update -qq && $(APT) install -y -qq postgresql; }
	@pg_lsclusters -h | grep -q online || pg_ctlcluster $$(pg_lsclusters -h | awk 'NR==1{print $$1, $$2}') start
	@su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='gezondewijk'\"" | grep -q 1 || \
	  su postgres -c "psql -qc \"CREATE ROLE gezondewijk LOGIN PASSWORD 'gezondewijk' CREATEDB\""

# The stacked health map of the synthetic town, then the web app with a demo Leefplekmeter
# campaign (generated answers) next to that map's data, and the demo's scenarios to open,
# draw and compare (/scenarios, after logging in). Stop the web app with Ctrl-C.
demo: setup
	$(BIN)/gezondewijk demo --out uitvoer/demo
	rm -f uitvoer/demo/leefplekmeter.db uitvoer/demo/leefplekmeter.db-wal uitvoer/demo/leefplekmeter.db-shm uitvoer/demo/leefplekmeter.db.write-lock
	GEZONDEWIJK_DATABASE_URL=sqlite:///uitvoer/demo/leefplekmeter.db GEZONDEWIJK_MAP_DIR=uitvoer/demo \
	  GEZONDEWIJK_RUN_CONFIG=uitvoer/demo/invoer/gezondweide.toml \
	  $(BIN)/gezondewijk serve --demo --port $${PORT:-8000}

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: setup system-deps postgres lint
	GEZONDEWIJK_TEST_POSTGRES_URL=$(PG_TEST_URL) $(BIN)/pytest

# the same without the tests marked slow (load, cluster, werksessie in Chromium): for while working
test-quick: setup system-deps postgres lint
	GEZONDEWIJK_TEST_POSTGRES_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not slow"

# make bench also compares with QGIS processing (Debian qgis, ~220 packages: not for make test)
bench: setup system-deps postgres
	@command -v qgis_process >/dev/null || { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends qgis; }
	$(BIN)/pip install -q -e ".[dev,bench]"
	GEZONDEWIJK_TEST_POSTGRES_URL=$(PG_TEST_URL) $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) frontend/node_modules $(VENDOR) uitvoer .pytest_cache .mypy_cache .ruff_cache
