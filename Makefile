# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint eval bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ]; then \
		$(BIN)/elternlotse run; \
	else \
		echo "Kein BOT_TOKEN gesetzt – starte die Konsolen-Unterhaltung (elternlotse chat)."; \
		$(BIN)/elternlotse chat; \
	fi

test: $(STAMP)
	$(BIN)/elternlotse check
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/mypy
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/elternlotse check

eval: $(STAMP)
	$(BIN)/elternlotse eval tests/data/eval.yaml

bench: $(STAMP)
	$(BIN)/python bench/matcher.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
