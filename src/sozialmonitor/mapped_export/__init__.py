"""Values out in the layout of an official table, as a mapping file describes it.

The mapping that imports a table (``docs/mapping-files.md``) is read the other way
round: each output's selector gives the header labels of its value column (and
the labels of its rows), ``scale`` is divided out again, an area gets its official
key (``areas.codes`` read backwards), a period the table's own form (a reference
date ``31.12.2015``, a year, a range of years ``2012-2016`` where the mapping reads
ranges), and a value the reader may not see is written with the official sign
``.``, never its number. The file is read back through the same mapping before it
is given out: it imports to the values it was written from, or nothing is given.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.numbers import parse_number
from sozialmonitor.ingest.official.apply import STYLE, apply_mapping
from sozialmonitor.ingest.official.genesis import OfficialTable
from sozialmonitor.ingest.official.mapping import Mapping
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.mapped_export.cells import (
    HIDDEN_SIGN,
    RTOL,
    MappedExportError,
    area_key,
    check_mapping,
    fill_cells,
    is_hidden,
    layout_of,
    slot_of,
)
from sozialmonitor.mapped_export.layouts import genesis_csv, inkar_csv

__all__ = ["MappedExport", "MappedExportError", "check_mapping", "write_mapped"]


@dataclass(frozen=True, kw_only=True)
class MappedExport:
    """A table written in a mapping's layout."""

    data: bytes
    """The file's bytes."""
    layout: str
    """``genesis`` (the classic Regionalstatistik CSV) or ``inkar`` (INKAR's CSV)."""
    cells: int
    """Cells written with a number or the sign of a secret value."""
    hidden: int
    """Of them, written as ``.``."""
    empty_indicators: tuple[str, ...] = field(default=())
    """Indicators of the mapping of which the reader sees no value at all."""


def write_mapped(
    mapping: Mapping,
    observations: Sequence[Observation],
    areas: Sequence[Area],
    *,
    legend: Sequence[str] = (),
    stamp: dt.datetime | None = None,
) -> MappedExport:
    """The values as the table the mapping reads, checked by reading it back.

    Parameters
    ----------
    mapping
        The mapping of the table.
    observations
        The values as the reader may see them (read through the gate).
    areas
        The areas written (their names go beside the keys), in order.
    legend
        Lines of the footer (sources, licences; GENESIS layout only).
    stamp
        The ``Stand:`` of the footer (default: now).

    Raises
    ------
    MappedExportError
        When the mapping cannot be written back, or the file does not read back
        as the values it was written from.
    """
    check_mapping(mapping)
    layout = layout_of(mapping)
    wanted = {o.indicator for o in mapping.outputs}
    observations = [o for o in observations if o.indicator in wanted]
    if not observations:
        raise MappedExportError(
            "There are no values of the mapping's indicators "
            f"({', '.join(dict.fromkeys(o.indicator for o in mapping.outputs))}) for "
            "these areas and periods that you may read. Check --area, the periods "
            "and --internal."
        )
    cells, periods = fill_cells(mapping, observations, layout)
    names = {area_key(a.code, mapping): a.name for a in areas}
    keys = [area_key(a.code, mapping) for a in areas]
    slots = list(
        dict.fromkeys(
            slot_of(q)
            for o in mapping.outputs
            for q in (o.value, o.numerator, o.denominator)
            if q is not None
        )
    )
    if layout == "inkar":
        data = inkar_csv(mapping, slots, cells, keys, names, periods)
    else:
        data = genesis_csv(
            mapping, slots, cells, keys, names, periods, legend, stamp or _now()
        )
    _read_back(mapping, data, observations)
    seen = {o.indicator for o in observations}
    return MappedExport(
        data=data,
        layout=layout,
        cells=len(cells.text),
        hidden=sum(t == HIDDEN_SIGN for t in cells.text.values()),
        empty_indicators=tuple(i for i in dict.fromkeys(wanted) if i not in seen),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def _read_back(
    mapping: Mapping, data: bytes, observations: Sequence[Observation]
) -> None:
    """Refuse a file that does not import to the values it was written from."""
    from sozialmonitor.ingest.official.importer import read_export

    with TemporaryDirectory(prefix="sozialmonitor-export-") as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        report = ValidationReport(path=path)
        try:
            table: OfficialTable = read_export(path)
        except ImportValidationError as exc:
            raise MappedExportError(
                f"The written table does not read back ({exc.message}). Please "
                "report this with the mapping."
            ) from None
        long = apply_mapping(table, mapping, report)
    if long is None:
        raise MappedExportError(
            "The written table does not read back through the mapping, so it would "
            "not import: " + report.to_text() + " The mapping's selectors do not "
            "tell its outputs apart without the table's other labels; export with a "
            "mapping whose outputs differ in their labels."
        )
    read = {
        (r.indicator, r.area, r.period): r.value if r.value != "" else r.numerator
        for r in long.itertuples(index=False)
    }
    for obs in observations:
        raw = read.get((obs.indicator, obs.area, obs.period))
        got = parse_number(raw, STYLE) if isinstance(raw, str) else None
        wrote = obs.value if obs.numerator is None else obs.numerator
        if got is not None and got.flags & int(Flag.SUPPRESSED):
            continue  # hidden stays hidden (a part of it may be secret)
        if wrote is None and not is_hidden(obs):
            continue  # a gap
        if (
            got is None
            or got.value is None
            or wrote is None
            or not math.isclose(got.value, wrote, rel_tol=RTOL)
        ):
            raise MappedExportError(
                f"The written table does not give back '{obs.indicator}' for "
                f"{obs.area}, {obs.period} (wrote {wrote}, read {raw!r}). The "
                "mapping's selectors do not tell its outputs apart without the "
                "table's other labels; export with a mapping whose outputs differ in "
                "their labels."
            )
