# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint eval bench clean crisis-model crisis-meaning

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

# The learned crisis model is trained on the tuning sets only; crisis_d and matcher_b stay held out.
CRISIS_TRAINING := tests/data/crisis_a.yaml tests/data/crisis_b.yaml tests/data/crisis_c.yaml \
	tests/data/eval_crisis.yaml tests/data/eval.yaml tests/data/eval_holdout.yaml \
	tests/data/matcher_a.yaml

crisis-model: $(STAMP)
	$(BIN)/elternlotse train-crisis --out knowledge/crisis_model.json $(CRISIS_TRAINING)

# The crisis guard's signal by meaning (needs the encoder: x86-64 with AVX2 and FMA). It reads the
# tuning sets named in bot/frontends/meaning_training.py; the held-out sets stay unread.
crisis-meaning: $(STAMP)
	$(BIN)/elternlotse train-meaning --out knowledge/crisis_meaning.json

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/matcher.py
	$(BIN)/python bench/crisis.py
	$(BIN)/python bench/handoff.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
