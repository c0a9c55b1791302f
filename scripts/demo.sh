#!/usr/bin/env bash
# Set up and run the demo portal on a fresh Debian machine with Python 3.11:
# a virtualenv with Sozialmonitor, the demo database ./sozialmonitor-demo.db built from
# the project's real demo data, and the portal on http://127.0.0.1:8000/.
# Extra arguments go to `sozialmonitor demo`, e.g. `bash scripts/demo.sh --port 8080`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3.11 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "Installing the Debian package python3-venv"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv
  else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi
fi
if [ ! -x .venv/bin/python ]; then
  python3.11 -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e .
exec .venv/bin/sozialmonitor demo "$@"
