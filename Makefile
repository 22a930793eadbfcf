# Shortcuts for bootstrap.py, which needs nothing but Python 3.11+.
PYTHON ?= python3

.PHONY: demo test lint
demo:
	$(PYTHON) bootstrap.py demo
test:
	$(PYTHON) bootstrap.py test
lint:
	.venv/bin/ruff check .
