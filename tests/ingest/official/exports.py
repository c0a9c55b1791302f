"""Helpers of the official-export tests: areas for a file's keys, the file's cells
parsed independently (csv module, nothing of ours) and small exports written."""

from __future__ import annotations

import csv
import io
import os
import re
from itertools import takewhile
from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.store.writes import save_areas

SHARED_DATA_ENV = "SOZIALMONITOR_SHARED_DATA"
KEY = re.compile(r"^(DG|\d{2,3}|\d{5,12})$")
IMPORTED = {2, 5, 8, 10, 11}
"""Key lengths the shipped mappings import (besides DG): Land, Kreis, Gemeinde."""
DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
YEAR = re.compile(r"^\d{4}$")
GAPS = {"-", "x", "...", "…", ""}
SECRET = {".", "/"}
LEVELS = {2: "state", 5: "region", 8: "municipality"}


def shared_data() -> Path:
    """Where the real exports are: the env var, else /work/shared/data."""
    if env := os.environ.get(SHARED_DATA_ENV):
        return Path(env)
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def text_of(path: Path) -> str:
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def grid(path: Path) -> tuple[list[list[str]], list[tuple[int, list[str]]]]:
    """Header rows and (line, cells) of data rows, by the plainest reading: rows
    before the line of underscores; header rows start with an empty cell."""
    body = text_of(path).split("\n__________")[0]
    reader = csv.reader(io.StringIO(body), delimiter=";")
    rows = [(reader.line_num, [c.strip() for c in r]) for r in reader]
    first_header = next(i for i, (_, r) in enumerate(rows) if r and r[0] == "")
    headers, data = [], []
    for line, cells in rows[first_header:]:
        if not any(cells):
            continue
        if cells[0] == "" and not data:
            headers.append(cells)
        else:
            data.append((line, cells))
    return headers, data


def ags(key: str) -> str:
    """A key as stored: 10- and 11-digit municipality keys lose the association's
    digits."""
    return key[:5] + key[-3:] if len(key) in (10, 11) else key


def period(cell: str) -> str | None:
    if m := DATE.match(cell):
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    return cell if YEAR.match(cell) else None


def add_areas(engine: Engine, path: Path) -> set[str]:
    """Areas for every key of the file (Germany, Länder, Kreise, Gemeinden)."""
    _, data = grid(path)
    areas: dict[str, Area] = {}
    for _, cells in data:
        for i, cell in enumerate(cells[:4]):
            if KEY.match(cell) and not YEAR.match(cell):
                if cell != "DG" and len(cell) not in IMPORTED:
                    break
                code = ags(cell)
                level = "country" if code == "DG" else LEVELS[len(code)]
                areas[code] = Area(code=code, name=cells[i + 1] or code, level=level)
                break
    with engine.begin() as conn:
        save_areas(conn, list(areas.values()))
    return set(areas)


def expected_cells(
    path: Path, columns: list[str], rows: list[str] | None = None
) -> dict[tuple[str, str], str]:
    """(area, period) → the raw cell of the columns whose header labels are
    exactly ``columns`` (dates left out) in the rows with the labels ``rows``; an
    area listed twice keeps the cell that has a value."""
    headers, data = grid(path)
    width = max(len(h) for h in headers)
    out: dict[tuple[str, str], str] = {}
    for line_cells in data:
        cells = line_cells[1]
        lead = next(
            i for i, c in enumerate(cells) if KEY.match(c) and not YEAR.match(c)
        )
        key = cells[lead]
        if len(key) not in IMPORTED and key != "DG":
            continue
        row_period = next((period(c) for c in cells[:lead] if period(c)), None)
        labels = list(takewhile(lambda c: not _is_value_cell(c), cells[lead + 2 :]))
        start = lead + 2 + len(labels)
        if rows is not None and labels != rows:
            continue
        for j in range(start, width):
            column = [h[j] for h in headers if j < len(h) and h[j]]
            column_period = next((period(c) for c in column if period(c)), None)
            names = [c for c in column if not period(c)]
            if names not in (columns, [*columns, "Anzahl"]):
                continue
            when = column_period or row_period
            assert when is not None
            raw = cells[j] if j < len(cells) else ""
            if out.get((ags(key), when), "-") in GAPS:
                out[(ags(key), when)] = raw
    return out


def _is_value_cell(cell: str) -> bool:
    return bool(re.fullmatch(r"-?[\d,]+|[-.x/…]|\.\.\.", cell))


def number(raw: str) -> float:
    return float(raw.replace(",", "."))
