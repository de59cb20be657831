# trialbot — every target installs what it needs first.
#   make run    install, train if the training data changed, start every service
#   make test   install, train if needed, lint, type-check and run every test
#   make bench  throughput/latency of screening conversations vs a plain `rasa init` bot
#   make eval   the scripted personas through REST: outcome and criterion accuracy

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
# The stamp names what was installed and how (bump INSTALL_RECIPE when the recipe changes).
INSTALL_RECIPE := 2-compiled
STAMP := $(VENV)/.installed-$(shell (cat requirements.lock pyproject.toml; echo $(INSTALL_RECIPE)) | sha256sum | cut -c1-16)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
# No __pycache__ in the checkout; the installed packages are compiled once, at install
# (--compile-bytecode): without it every start compiled Rasa and TensorFlow again (importing
# Rasa took 18.7 s instead of 6.1 s, most of `make run`'s start-up).
export PYTHONDONTWRITEBYTECODE ?= 1

.PHONY: install run test test-fast lint typecheck train bench eval lock db-upgrade clean chromium widget

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ]; then \
		python310=$$(scripts/find-python310); \
		echo "Creating $(VENV) with $$python310"; \
		"$$python310" -m venv $(VENV); \
	fi; \
	if ! $(VENV)/bin/uv --version 2>/dev/null | grep -q "$(UV_VERSION)"; then \
		$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
	fi; \
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.lock; \
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .; \
	$(VENV)/bin/uv pip check --python $(PY); \
	rm -f $(VENV)/.installed-*; touch $@

# Regenerate the lock after editing the dependencies in pyproject.toml.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.10 \
		--python-platform x86_64-unknown-linux-gnu -o requirements.lock

train: install
	@$(PY) -m trialbot.devtools.train

db-upgrade: install
	@$(VENV)/bin/trialbot db upgrade

run: install
	@$(PY) -m trialbot.devtools.train
	@$(PY) -m trialbot.devtools.run

lint: install
	$(VENV)/bin/ruff check trialbot actions tests
	$(VENV)/bin/ruff format --check trialbot actions tests

typecheck: install
	$(VENV)/bin/mypy

# The website chat widget (widget/src) into trialbot/widget_static/, which is committed:
# `make run` and `make test` need no Node.js. Needs Node.js 18+ and npm.
widget:
	cd widget && npm ci && npm run build

# Headless Chromium for the browser tests (Debian's package; Playwright's own
# browser download does not work on these machines).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Could not install chromium: browser tests will skip (fail under CI=true)"; }

test: install chromium lint typecheck
	@$(PY) -m trialbot.devtools.train
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while developing: no training, no Rasa conversations, no browser.
test-fast: install
	$(PY) -m pytest -m "not rasa and not browser" $(PYTEST_ARGS)

bench: install
	@$(PY) -m trialbot.devtools.train
	$(PY) -m trialbot.devtools.bench $(BENCH_ARGS)

# Persona files through the REST channel (EVAL_ARGS="-v" for transcripts of failures).
eval: install
	$(PY) -m trialbot.devtools.eval $(EVAL_ARGS)

clean:
	rm -rf models/ var/ .pytest_cache .mypy_cache .ruff_cache
