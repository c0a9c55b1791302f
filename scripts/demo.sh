#!/usr/bin/env bash
# Set up and run the demo portal on a fresh Debian machine with Python 3.11:
# a virtualenv with Sozialmonitor, the demo database ./sozialmonitor-demo.db built from
# the project's real demo data, and the portal on http://127.0.0.1:8000/.
# Extra arguments go to `sozialmonitor demo`, e.g. `bash scripts/demo.sh --port 8080`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
python3.11 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# WeasyPrint (sozialmonitor report render --format pdf) needs Pango and a font
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
.venv/bin/pip install -q -e .
exec .venv/bin/sozialmonitor demo "$@"
