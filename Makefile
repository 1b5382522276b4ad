# The front door. `make report` and `make test` set up a fresh machine first.
YEAR   ?= 2025
SIZE   ?= S
SAMPLE := data/sample
REVIEW := .venv/bin/review

.PHONY: setup sample report test docs lab clean

setup:
	@bash scripts/setup.sh

sample: setup
	@test -f $(SAMPLE)/SYNTHETIC.json || $(REVIEW) sample --size $(SIZE) --year $(YEAR) --out $(SAMPLE)

report: sample
	$(REVIEW) run --data $(SAMPLE) --year $(YEAR) --config config/$(YEAR).yml

test: setup
	.venv/bin/python -m pytest

docs: setup
	$(REVIEW) docs

lab: setup
	.venv/bin/python -m pip install --quiet -e ".[lab]"
	.venv/bin/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf reports/*/ .pytest_cache
