# The front door. `make report` and `make test` set up a fresh machine first.
YEAR   ?= 2025
SIZE   ?= S
SAMPLE := data/sample
REVIEW := .venv/bin/review

.PHONY: setup sample report test docs lab clean bench

setup:
	@bash scripts/setup.sh

sample: setup
	@# a marker of the current format (it lists the checksums): an older sample is written again
	@grep -qs '"format": 2' $(SAMPLE)/SYNTHETIC.json || $(REVIEW) sample --size $(SIZE) --year $(YEAR) --out $(SAMPLE)

report: sample
	$(REVIEW) run --data $(SAMPLE) --year $(YEAR) --config config/$(YEAR).yml

test: setup
	.venv/bin/python -m pytest

# Sizes S, M and L, each run BENCH_REPEATS times (L: BENCH_REPEATS_LARGE), against the floors;
# results in reports/bench/bench.md and bench.json. Fails when a measured target of issue 18 is
# missed (each printed with its ratio; a size not run is "not measured"). Quick: make bench BENCH_SIZES=S,M BENCH_REPEATS=1
BENCH_SIZES   ?= S,M,L
BENCH_REPEATS ?= 3
BENCH_REPEATS_LARGE ?= 1
bench: setup
	BENCH_SIZES=$(BENCH_SIZES) BENCH_REPEATS=$(BENCH_REPEATS) BENCH_REPEATS_LARGE=$(BENCH_REPEATS_LARGE) \
		.venv/bin/python -m review.bench --year $(YEAR)

docs: setup
	$(REVIEW) docs

# JupyterLab is installed by setup (the lab extra): nothing is downloaded here.
lab: setup
	.venv/bin/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf reports/*/ .pytest_cache
