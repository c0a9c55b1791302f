#!/usr/bin/env bash
# Set up and run the whole test suite on a fresh Debian machine with Python 3.11:
# system packages (when missing), a virtualenv with the project, a throwaway
# PostgreSQL on 127.0.0.1, then pytest with the browser tests.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k release`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
python3.11 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# WeasyPrint (the report PDFs) needs Pango and a font
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3.11 -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e '.[pg,dev]'

if [ -z "${SOZIALMONITOR_TEST_PG_URL:-}" ]; then
  source scripts/start-test-postgres.sh
fi

echo "Lint: ruff, mypy, bandit and pip-audit"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/bandit -c pyproject.toml -r src -q
.venv/bin/python scripts/audit_dependencies.py

# One process by default. SOZIALMONITOR_TEST_WORKERS=auto runs one worker per core
# (pytest-xdist; each worker has its own PostgreSQL and demo database), but two tests
# are not yet reliable there: the killed-import test forks inside a threaded worker
# and the keyboard walk's area picker times out under load.
.venv/bin/python -m pytest --browser -n "${SOZIALMONITOR_TEST_WORKERS:-0}" \
  --dist loadscope "$@"
