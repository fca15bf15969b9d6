# `make site` builds output/ from content/; `make test` runs the whole test suite.
# Both set up what they need first: Debian packages (tools/system-packages.sh) and a
# virtual environment in .venv with the Python dependencies. Running them again is cheap.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: site test check system-packages system-packages-test clean

site: system-packages $(INSTALLED)
	$(BIN)/sitegen build

test: system-packages-test $(INSTALLED)
	$(BIN)/pytest

check: $(INSTALLED)
	$(BIN)/sitegen check

system-packages:
	@tools/system-packages.sh build

system-packages-test:
	@tools/system-packages.sh test

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf output $(VENV) .pytest_cache
