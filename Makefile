# pop-ld: two commands set everything up on a fresh machine (see README.md).
#   make demo   install, map and load the bundled sample, serve on http://127.0.0.1:$(PORT)
#   make test   install what the tests need and run them
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STORE  ?= var/demo-store
SAMPLE := $(wildcard data/sample/*.json)

.PHONY: demo test bench bench-smoke lint format install load-demo clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# The demo's URIs are minted for the port it serves on, so every link dereferences.
load-demo demo: export POP_LD_BASE_URI ?= http://127.0.0.1:$(PORT)

load-demo: install
	mkdir -p var
	rm -rf $(STORE)
	$(BIN)/pop-ld load $(SAMPLE) --store $(STORE)

demo: load-demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/pop-ld serve --store $(STORE) --port $(PORT)

test: install
	$(BIN)/pytest -q

# Speed goals live here, never in timed tests: results in bench/results/ (JSON + README.md).
bench: install
	$(BIN)/python -m bench.run --timeout 3600
	$(BIN)/python -m bench.endpoint
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.pages

bench-smoke: install
	$(BIN)/python -m bench.run --sizes 2000 --pop-sizes 2000
	$(BIN)/python -m bench.endpoint --sizes 2000
	$(BIN)/python -m bench.search --sizes 2000
	$(BIN)/python -m bench.pages --sizes 2000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var bench/work .pytest_cache
