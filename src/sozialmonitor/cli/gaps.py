"""``sozialmonitor gaps``: data gaps across installations — the catalogues of
several districts side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from sozialmonitor.analysis.catalogue_comparison import (
    Catalogue,
    CatalogueComparison,
    Fill,
    compare_catalogues,
    fillable,
)
from sozialmonitor.cli.console import AsJson, print_json, print_table, user_errors
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.ingest.formats.yaml.reader import read_yaml
from sozialmonitor.ingest.indicators import validate_indicators
from sozialmonitor.ingest.official.offer import Offer, offered_pairs, shipped_offers
from sozialmonitor.ingest.report import ValidationReport

gaps_app = typer.Typer(help="Data gaps across installations.")

MAX_CATALOGUES = 50
"""Most catalogues compared at once (a table of that many columns is the limit of
what a person reads)."""


def read_catalogue(path: Path) -> Catalogue:
    """A catalogue file: the catalogue as imported (YAML, CSV, Excel) or as the
    API gives it (``/api/v1/indicators`` saved as ``.json``).

    Raises
    ------
    ImportValidationError
        With every finding (file, row, column) when the file is no valid catalogue.
    """
    if path.suffix.lower() == ".json":
        report, indicators = _validate_json(path)
    else:
        report, indicators = validate_indicators(path)
    if not report.is_valid:
        raise ImportValidationError(report, report.to_text())
    return Catalogue(name=path.stem, indicators=tuple(indicators))


def _validate_json(path: Path) -> tuple[ValidationReport, list[Indicator]]:
    """The API's answer (or a list of indicators) as a catalogue. JSON is YAML, so
    the bounded YAML reader reads it, with its limits on size and nesting."""
    report = ValidationReport(path=path)
    if not path.is_file():
        report.error(
            "unreadable-file", "The file does not exist. Check the path and the name."
        )
        return report, []
    try:
        data: Any = read_yaml(path)
    except SozialmonitorError as exc:
        report.error("unreadable-file", exc.message)
        return report, []
    if isinstance(data, dict):
        data = data.get("indicators")
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        report.error(
            "unreadable-file",
            "The JSON file must be the answer of /api/v1/indicators (an object "
            "with a list 'indicators') or a list of indicators.",
        )
        return report, []
    found = []
    for row, fields in enumerate(data, 1):
        try:
            found.append(Indicator.from_dict(fields))
        except ValidationError as exc:
            for problem in exc.errors():
                column = ".".join(str(p) for p in problem["loc"]) or None
                if problem["type"] == "missing":
                    message = f"The required field '{column}' is missing. Add it."
                else:
                    reason = problem["msg"].removeprefix("Value error, ").rstrip(".")
                    message = (
                        f"{reason} (found {problem.get('input')!r}). Correct the "
                        "field or export the catalogue again."
                    )
                report.error("invalid-field", message, row=row, column=column)
    report.rows_read = report.rows_valid = len(data)
    return report, found


@gaps_app.command("compare")
def compare_command(
    catalogues: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more catalogue files: YAML, CSV or Excel as imported, or "
            "/api/v1/indicators saved as .json. Each is named by its file name."
        ),
    ],
    as_json: AsJson = False,
) -> None:
    """Which indicators the catalogues share, which each lacks, and which of those
    the shipped mappings of official tables could fill, at which levels."""
    with user_errors():
        if not 2 <= len(catalogues) <= MAX_CATALOGUES:
            raise SozialmonitorError(
                f"Name between 2 and {MAX_CATALOGUES} catalogue files "
                f"({len(catalogues)} given)."
            )
        names = [p.stem for p in catalogues]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SozialmonitorError(
                f"Two files are called '{twice[0]}': the comparison names each "
                "catalogue by its file name. Rename one of them."
            )
        comparison = compare_catalogues([read_catalogue(p) for p in catalogues])
        offers = shipped_offers()
        fills = fillable(comparison, offered_pairs(offers))
    if as_json:
        print_json(
            {
                **comparison.to_dict(),
                "official": {
                    name: [
                        {
                            "indicator": f.indicator,
                            "levels": list(f.levels),
                            "tables": list(offers[f.indicator].tables),
                        }
                        for f in found
                    ]
                    for name, found in fills.items()
                },
            }
        )
        return
    _print(comparison)
    _print_official(fills, offers)


def _print_official(
    fills: dict[str, tuple[Fill, ...]], offers: dict[str, Offer]
) -> None:
    """What each catalogue lacks and the shipped mappings could fill, and how."""
    typer.echo("\nWhat the shipped mappings of official tables could fill:")
    for name, found in fills.items():
        if not found:
            typer.echo(f"{name}: nothing")
            continue
        typer.echo(f"{name}:")
        for fill in found:
            tables = ", ".join(offers[fill.indicator].tables)
            typer.echo(
                f"  {fill.indicator} at {', '.join(fill.levels)} "
                f"(`sozialmonitor import official` of table {tables})"
            )


def _print(comparison: CatalogueComparison) -> None:
    print_table(
        ["indicator", "topic", *comparison.catalogues],
        [
            [
                i.id,
                i.topic,
                *("x" if c in i.held_by else "-" for c in comparison.catalogues),
            ]
            for i in comparison.indicators
        ],
    )
    total = len(comparison.indicators)
    typer.echo(
        f"\n{total} indicators in {len(comparison.catalogues)} catalogues; "
        f"{len(comparison.shared)} in every one."
    )
    for name in comparison.catalogues:
        lacking = comparison.lacking(name)
        only = comparison.only_in(name)
        typer.echo(
            f"{name}: lacks {len(lacking)}"
            + (f" ({', '.join(lacking)})" if lacking else "")
            + f"; {len(only)} only here"
            + (f" ({', '.join(only)})" if only else "")
            + "."
        )
