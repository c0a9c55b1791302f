.PHONY: test lint fix serve demo

test:
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

fix:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

serve:
	.venv/bin/sozialmonitor serve

demo:
	bash scripts/demo.sh
