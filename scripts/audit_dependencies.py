"""Audit the installed dependencies for known vulnerabilities with pip-audit.

Fails on a vulnerability that ``scripts/audit-exceptions.txt`` does not explain
(one line per advisory id: ``ID  reason``). Where the vulnerability service
cannot be reached (a machine without access to pypi.org's JSON API or
api.osv.dev), it says so loudly and names every package left unaudited, rather
than pip-audit's "No known vulnerabilities found" over packages it never checked.

Usage: ``.venv/bin/python scripts/audit_dependencies.py``
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - runs pip and pip-audit of this virtual environment
import sys
import tempfile
from pathlib import Path

EXCEPTIONS = Path(__file__).with_name("audit-exceptions.txt")


def explained() -> dict[str, str]:
    """Advisory id → why it does not apply (from ``audit-exceptions.txt``)."""
    found: dict[str, str] = {}
    for line in EXCEPTIONS.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            ident, _, reason = text.partition(" ")
            found[ident] = reason.strip()
    return found


def main() -> int:
    freeze = subprocess.run(  # nosec B603 - fixed arguments
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pins:
        pins.write(freeze)
    try:
        run = subprocess.run(  # nosec B603 - fixed arguments
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                pins.name,
                "--no-deps",
                "--progress-spinner",
                "off",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        Path(pins.name).unlink()
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: NOT RUN — the vulnerability service failed: {last}")
        return 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    allowed = explained()
    unexplained = [
        (d["name"], d["version"], v["id"])
        for d in deps
        for v in d.get("vulns", [])
        if v["id"] not in allowed and not set(v.get("aliases", [])) & set(allowed)
    ]
    audited = len(deps) - len(skipped)
    if skipped:
        print(
            f"pip-audit: {len(skipped)} of {len(deps)} packages NOT AUDITED — the "
            "vulnerability service does not know them or cannot be reached from "
            f"this machine (e.g. {skipped[0]['skip_reason']})."
        )
    for name, version, ident in unexplained:
        print(
            f"pip-audit: {name} {version}: {ident} "
            f"(explain it in {EXCEPTIONS.name} or upgrade)"
        )
    print(
        f"pip-audit: {audited} packages audited, "
        f"{len(unexplained)} unexplained findings."
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
