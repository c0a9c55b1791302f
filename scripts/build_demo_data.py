"""Build the demo data in ``src/sozialmonitor/demo/`` from real public data.

Each demo set is a module of ``scripts/demo_sets`` (listed in ``SETS``) that turns
the original public files into the project's own input formats (``docs/formats.md``):
``<set>/areas.geojson``, ``<set>/indicators.yaml``, ``<set>/observations.csv``, and
its section of ``ATTRIBUTION.md`` (``scripts/demo_sets/<set>.md``). Official
statistics are read through the shipped mappings (``scripts/demo_sets/official.py``).

The original files are not part of the repository: a folder laid out like
``../shared/data`` (one sub-folder per source, each with a SOURCE.md). No number is
invented: every value is copied from a source file or computed exactly from two
source values (a share = numerator / denominator x 100, with both written).

Usage::

    .venv/bin/python scripts/build_demo_data.py [--shared PATH] [--check]

``--check`` builds into a temporary folder and compares with the committed files
(exit status 1 when they differ).
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from demo_sets import berlin, berlin_until_2020, hannover, hessen
from demo_sets.common import (
    DemoSet,
    check_set,
    summary,
    write_csv,
    write_geojson,
    write_yaml,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "sozialmonitor" / "demo"
DEFAULT_SHARED = REPO.parent / "shared" / "data"
MAX_BYTES = 5_000_000
"""The demo data in the package, at most."""

SETS: list[ModuleType] = [hannover, berlin, hessen]
"""The demo sets, in the order of ATTRIBUTION.md: each module has ``NAME`` and
``build(shared) -> DemoSet``, and a ``<module>.md`` beside it. One line adds a set."""

VINTAGES = {"berlin-2020": berlin_until_2020}
"""Folders of earlier boundary vintages (areas and lineage only, no values), each
written by its module's ``build(shared, folder)``, with its section of
ATTRIBUTION.md beside the module; after the sets whose areas they link to."""


HEADER = """\
# Demo data: sources, licences, derivation

The files in this folder are derived from real public data. No value was
invented: every value is copied from a source file or computed exactly from
two source values (then numerator and denominator are written as well).
They are rebuilt from the original files with

```
.venv/bin/python scripts/build_demo_data.py --shared PATH/TO/shared/data
```

(the original files are not part of the repository; each source folder has a
SOURCE.md naming where it was copied from). Official statistics (INKAR, IRIS,
Regionaldatenbank) are read through the mappings the software ships
(`sozialmonitor import official`); `scripts/demo_mappings/indicators.yaml` holds
the catalogue entries no mapping declares.

## Caveats of all sets

- `population` mixes concepts: official population (Fortschreibung) for Hannover
  and Hessen, register-based inhabitants (MSS) for Berlin; the note of each value
  names its source.
- The INKAR `Metadaten` remark for `Haushaltseinkommen` describes median gross
  earnings (a copy error in the export); it was not used.
- `unemployment_share` is not the official unemployment rate (whose denominator
  is the civilian labour force).
- GISD scores are relative (0 = least, 1 = most deprived) and are not aggregated
  to a district or region.
"""


def attribution(sets: Sequence[tuple[ModuleType, DemoSet]]) -> str:
    parts = [HEADER]
    for module, built in sets:
        parts.append(Path(module.__file__ or "").with_suffix(".md").read_text("utf-8"))
        if built.notes:
            notes = "".join(f"- {note}\n" for note in built.notes)
            parts.append(f"Notes from the build ({built.name}):\n\n{notes}")
    for vintage in VINTAGES.values():
        parts.append(Path(vintage.__file__ or "").with_suffix(".md").read_text("utf-8"))
    return "\n".join(parts)


def write_vintages(shared: Path, target: Path) -> None:
    for name, module in VINTAGES.items():
        folder = target / name
        if folder.exists():
            shutil.rmtree(folder)
        module.build(shared, folder)


def write(target: Path, sets: Sequence[tuple[ModuleType, DemoSet]]) -> None:
    """Write every set into ``target`` (the folder ``demo``) and check it."""
    for _, built in sets:
        folder = target / built.name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        write_geojson(folder / "areas.geojson", built.areas)
        write_yaml(folder / "indicators.yaml", built.catalogue)
        write_csv(folder / "observations.csv", built.rows)
        check_set(built.name, folder, built.catalogue, built.rows)
    (target / "ATTRIBUTION.md").write_text(attribution(sets), encoding="utf-8")


def shared_identical(sets: Sequence[tuple[ModuleType, DemoSet]]) -> None:
    """An indicator in several sets must be declared identically in each."""
    seen: dict[str, dict[str, object]] = {}
    for _, built in sets:
        for entry in built.catalogue:
            first = seen.setdefault(entry["id"], entry)
            if first != entry:
                raise AssertionError(f"{entry['id']} differs in {built.name}")


def differences(built: Path, committed: Path) -> list[str]:
    """The files that differ, in the folders the build wrote (other folders of
    ``committed`` are left alone)."""
    ours = {p.name for p in built.iterdir()}
    names = sorted(
        {p.relative_to(built) for p in built.rglob("*") if p.is_file()}
        | {
            p.relative_to(committed)
            for p in committed.rglob("*")
            if p.is_file() and p.relative_to(committed).parts[0] in ours
        }
    )
    return [
        str(name)
        for name in names
        if not (built / name).is_file()
        or not (committed / name).is_file()
        or not filecmp.cmp(built / name, committed / name, shallow=False)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"folder with the original public files (default {DEFAULT_SHARED})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary folder and compare with the committed files",
    )
    parser.add_argument("--demo", type=Path, default=DEMO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shared: Path = args.shared.resolve()
    if not (shared / "germany-inkar-gisd").is_dir():
        parser.error(f"{shared} does not hold the original public files")
    sets = [(module, module.build(shared)) for module in SETS]
    shared_identical(sets)
    if args.check:
        with tempfile.TemporaryDirectory(prefix="sozialmonitor-demo-") as folder:
            write(Path(folder), sets)
            write_vintages(shared, Path(folder))
            differ = differences(Path(folder), args.demo)
        for name in differ:
            print(f"differs: {name}", file=sys.stderr)
        return 1 if differ else 0
    write(args.demo, sets)
    write_vintages(shared, args.demo)
    report: list[str] = []
    for _, built in sets:
        report += summary(built.name, built.areas, built.catalogue, built.rows)
    total = sum(p.stat().st_size for p in args.demo.rglob("*") if p.is_file())
    report.append(f"total {total:,} bytes")
    print("\n".join(report))
    if total > MAX_BYTES:
        print(f"error: demo data larger than {MAX_BYTES:,} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
