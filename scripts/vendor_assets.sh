#!/usr/bin/env bash
# Vendor the JavaScript the portal serves (vega and its CSP-safe expression
# interpreter) and the tests inject (axe-core).
#
# Downloads exactly the pinned versions with `npm pack` (npm checks each tarball
# against the registry's sha512 integrity), copies the built file and its licence
# under a versioned name (vega-interpreter's ES module made a plain script, see
# below), and writes static/vendor/README.md with the sha256 of every
# vendored file. The files are committed; run this only to change a version, then
# update the pins below and tests/web/test_charts.py's expectations.
#
# Usage: scripts/vendor_assets.sh
set -euo pipefail

VEGA_VERSION="6.4.0"
VEGA_INTERPRETER_VERSION="2.3.2"
AXE_VERSION="4.14.1"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC_VENDOR="src/sozialmonitor/web/static/vendor"
TEST_VENDOR="tests/browser/vendor"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# pack NAME VERSION: download and unpack NAME@VERSION into $WORK/NAME, print integrity.
pack() {
    local name="$1" version="$2"
    (cd "$WORK" && npm pack "$name@$version" --json --silent >"$name.json")
    mkdir -p "$WORK/$name"
    tar -xzf "$WORK/$name-$version.tgz" -C "$WORK/$name" --strip-components=1
    # The name, version and integrity npm verified for this tarball.
    python3 - "$WORK/$name.json" "$name" "$version" <<'PY'
import json, sys
(entry,) = json.load(open(sys.argv[1]))
if (entry["name"], entry["version"]) != (sys.argv[2], sys.argv[3]):
    sys.exit(f"npm pack returned {entry['name']}@{entry['version']}")
print(entry["integrity"])
PY
}

# put SOURCE DEST: copy a file into the tree (DEST relative to ROOT).
put() {
    mkdir -p "$(dirname "$ROOT/$2")"
    cp "$1" "$ROOT/$2"
}

sha256() {
    sha256sum "$ROOT/$1" | cut -d' ' -f1
}

VEGA_INTEGRITY="$(pack vega "$VEGA_VERSION")"
INTERPRETER_INTEGRITY="$(pack vega-interpreter "$VEGA_INTERPRETER_VERSION")"
AXE_INTEGRITY="$(pack axe-core "$AXE_VERSION")"

VEGA_JS="$STATIC_VENDOR/vega-$VEGA_VERSION.min.js"
VEGA_LICENSE="$STATIC_VENDOR/vega-$VEGA_VERSION.LICENSE"
INTERPRETER_JS="$STATIC_VENDOR/vega-interpreter-$VEGA_INTERPRETER_VERSION.js"
INTERPRETER_LICENSE="$STATIC_VENDOR/vega-interpreter-$VEGA_INTERPRETER_VERSION.LICENSE"
AXE_JS="$TEST_VENDOR/axe-core-$AXE_VERSION.min.js"
AXE_LICENSE="$TEST_VENDOR/axe-core-$AXE_VERSION.LICENSE.txt"
AXE_THIRD_PARTY="$TEST_VENDOR/axe-core-$AXE_VERSION.LICENSE-3RD-PARTY.txt"

put "$WORK/vega/build/vega.min.js" "$VEGA_JS"
put "$WORK/vega/LICENSE" "$VEGA_LICENSE"
put "$WORK/vega-interpreter/LICENSE" "$INTERPRETER_LICENSE"
# vega-interpreter ships only an ES module that imports three names from
# 'vega-util', a bare name a browser cannot resolve without an (inline) import map.
# vega.min.js already carries vega-util, so the module becomes a plain script that
# takes those names from the vega global and adds expressionInterpreter to it, as
# the package's former UMD build did (rollup --extend). Nothing else changes; the
# original's sha256 is recorded too.
INTERPRETER_ORIGINAL_SHA256="$(sha256sum "$WORK/vega-interpreter/build/vega-interpreter.js" | cut -d' ' -f1)"
python3 - "$WORK/vega-interpreter/build/vega-interpreter.js" "$ROOT/$INTERPRETER_JS" \
    "$VEGA_INTERPRETER_VERSION" <<'PY'
import sys
source, target, version = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(source, encoding="utf-8").read()
imports = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';\n"
exports = "export { expression as expressionInterpreter };\n"
source_map = "//# sourceMappingURL=vega-interpreter.js.map\n"
if not text.startswith(imports) or text.count(exports) != 1:
    sys.exit("vega-interpreter's build changed: check the import/export lines")
body = text[len(imports):].replace(exports, "").replace(source_map, "")
open(target, "w", encoding="utf-8").write(
    f"/* vega-interpreter {version} (BSD-3-Clause), build/vega-interpreter.js from\n"
    "   npm as a plain script: vega-util's names from the vega global, the\n"
    "   interpreter added to it (scripts/vendor_assets.sh). */\n"
    "(function (vega) {\n'use strict';\nif (!vega) return;\n"
    "const { ascending, isString, DisallowedObjectProperties } = vega;\n\n"
    + body
    + "vega.expressionInterpreter = expression;\n})(window.vega);\n"
)
PY
put "$WORK/axe-core/axe.min.js" "$AXE_JS"
put "$WORK/axe-core/LICENSE" "$AXE_LICENSE"
put "$WORK/axe-core/LICENSE-3RD-PARTY.txt" "$AXE_THIRD_PARTY"

# vega.min.js bundles vega's dependencies (d3 modules, delaunator, topojson-client …):
# install the same version's dependency tree and collect each bundled package's licence.
VEGA_THIRD_PARTY="$STATIC_VENDOR/vega-$VEGA_VERSION.LICENSE-3RD-PARTY.txt"
(cd "$WORK" && mkdir -p tree && cd tree && npm init -y >/dev/null \
    && npm install --no-audit --no-fund --silent "vega@$VEGA_VERSION" >/dev/null)
node - "$WORK/tree/node_modules" >"$WORK/third-party.txt" <<'JS'
const fs = require("fs"), path = require("path");
const root = process.argv[2];
// Only what the browser bundle contains: not the command-line helpers of d3-dsv.
const skip = new Set(["commander", "iconv-lite", "rw", "safer-buffer"]);
const names = fs.readdirSync(root).filter((n) => !n.startsWith(".") && !n.startsWith("@") && !skip.has(n));
for (const name of names.sort()) {
  const dir = path.join(root, name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const file = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  process.stdout.write(`==== ${meta.name}@${meta.version} (${meta.license}) ====\n`);
  process.stdout.write(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() + "\n\n" : "(no licence file in the package)\n\n");
}
JS
put "$WORK/third-party.txt" "$VEGA_THIRD_PARTY"

VEGA_LICENCE_ID="$(node -p "require('$WORK/vega/package.json').license")"
INTERPRETER_LICENCE_ID="$(node -p "require('$WORK/vega-interpreter/package.json').license")"
AXE_LICENCE_ID="$(node -p "require('$WORK/axe-core/package.json').license")"

cat >"$ROOT/$STATIC_VENDOR/README.md" <<EOF
# Vendored JavaScript

Written by \`scripts/vendor_assets.sh\`; do not edit by hand. Each file is the
unchanged build from the npm registry package named, fetched with \`npm pack\`
(npm verified the tarball's sha512 integrity given below). Paths are relative to the
repository root. \`tests/web/test_charts.py\` checks every sha256 against the file.

| package | version | file | licence | sha256 | where from |
|---|---|---|---|---|---|
| vega | $VEGA_VERSION | \`$VEGA_JS\` | $VEGA_LICENCE_ID (\`$VEGA_LICENSE\`; bundled dependencies: \`$VEGA_THIRD_PARTY\`) | \`$(sha256 "$VEGA_JS")\` | npm \`vega@$VEGA_VERSION\`, \`build/vega.min.js\`, tarball integrity \`$VEGA_INTEGRITY\` |
| vega-interpreter | $VEGA_INTERPRETER_VERSION | \`$INTERPRETER_JS\` | $INTERPRETER_LICENCE_ID (\`$INTERPRETER_LICENSE\`) | \`$(sha256 "$INTERPRETER_JS")\` | npm \`vega-interpreter@$VEGA_INTERPRETER_VERSION\`, \`build/vega-interpreter.js\` (sha256 \`$INTERPRETER_ORIGINAL_SHA256\`) made a plain script, tarball integrity \`$INTERPRETER_INTEGRITY\` |
| axe-core | $AXE_VERSION | \`$AXE_JS\` | $AXE_LICENCE_ID (\`$AXE_LICENSE\`; bundled code: \`$AXE_THIRD_PARTY\`) | \`$(sha256 "$AXE_JS")\` | npm \`axe-core@$AXE_VERSION\`, \`axe.min.js\`, tarball integrity \`$AXE_INTEGRITY\` |

- vega is served to the browser by the portal (\`/static/vendor/\`); Vega-Lite is
  not: charts are compiled from Vega-Lite to Vega on the server with vl-convert.
- vega-interpreter evaluates vega's expressions without \`new Function\`, so the
  pages need no \`'unsafe-eval'\` in their Content-Security-Policy. Its npm build is
  an ES module importing three names from \`vega-util\` (which vega.min.js
  contains); the script wraps it as a plain script that takes them from the
  \`vega\` global and sets \`vega.expressionInterpreter\`, nothing else changed.
- axe-core is used only by the browser tests and is not shipped in the package.
- \`vega.min.js\` is a rollup bundle that also contains vega's own dependencies
  (d3 modules under ISC, delaunator, topojson-client …); their licences, from the
  same version's npm dependency tree, are collected in \`$VEGA_THIRD_PARTY\`.
EOF

echo "vendored vega@$VEGA_VERSION, vega-interpreter@$VEGA_INTERPRETER_VERSION and axe-core@$AXE_VERSION:"
for file in "$VEGA_JS" "$VEGA_LICENSE" "$VEGA_THIRD_PARTY" "$INTERPRETER_JS" "$INTERPRETER_LICENSE" "$AXE_JS" "$AXE_LICENSE" "$AXE_THIRD_PARTY"; do
    printf '  %s  %s bytes\n' "$file" "$(wc -c <"$ROOT/$file")"
done
printf '  vega gzip -9: %s bytes\n' "$(gzip -9c "$ROOT/$VEGA_JS" | wc -c)"
