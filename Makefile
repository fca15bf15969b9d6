# `make site` builds output/ from content/; `make serve` also serves it and rebuilds on every
# save (SERVE_ARGS="--port 8080" to pass options); `make test` runs the whole test suite;
# `make bench` times builds against Hugo and MkDocs (bench/run.py; BENCH_ARGS=--quick for a short run).
# Each sets up what it needs first: Debian packages (tools/system-packages.sh) and a
# virtual environment in .venv with the Python dependencies. Running them again is cheap.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BENCH_INSTALLED := $(VENV)/.installed-bench

# The Anki deck stamps its notes with SOURCE_DATE_EPOCH, and Anki updates a note it already
# has only from a newer one: the last commit's time makes each published version newer than
# the one before, and two builds of one commit the same. Outside a git checkout, or when it
# is set already, it is left as it is (sitegen then uses a fixed time).
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

.PHONY: site serve test check bench system-packages system-packages-test system-packages-bench clean

site: system-packages $(INSTALLED)
	$(BIN)/sitegen build

serve: system-packages $(INSTALLED)
	$(BIN)/sitegen serve $(SERVE_ARGS)

test: system-packages-test $(INSTALLED)
	$(BIN)/pytest

check: $(INSTALLED)
	$(BIN)/sitegen check

bench: system-packages-bench $(BENCH_INSTALLED)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

system-packages:
	@tools/system-packages.sh build

system-packages-test:
	@tools/system-packages.sh test

system-packages-bench:
	@tools/system-packages.sh bench

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(BENCH_INSTALLED): $(INSTALLED)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $@

clean:
	rm -rf output .output.sitegen .sitegen-cache $(VENV) .pytest_cache
