"""The import limits, one at a time: each refused with its own finding, and what
lies just inside a limit still read (no database needed)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from sozialmonitor.errors import LimitExceededError, ReadError
from sozialmonitor.ingest import limits
from sozialmonitor.ingest.formats.yaml.reader import read_yaml
from sozialmonitor.ingest.report import Severity, ValidationReport
from sozialmonitor.ingest.table import column_names, read_table


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refused(path: Path, finding: str) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as caught:
        read_table(path)
    assert caught.value.finding == finding
    assert str(path) in caught.value.message
    return caught.value


# --- tables -------------------------------------------------------------------------


def test_repeated_column_names_are_made_unique_in_linear_time() -> None:
    start = time.perf_counter()
    names = column_names(["Wert"] * 100_000)
    assert time.perf_counter() - start < 5  # quadratic took minutes
    assert names[:3] == ["Wert", "Wert (2)", "Wert (3)"]
    assert len(set(names)) == 100_000
    assert column_names(["a", "a (2)", "a", ""]) == [
        "a",
        "a (2)",
        "a (3)",
        "(column 4)",
    ]


def test_header_wider_than_the_limit(tmp_path: Path) -> None:
    just = ";".join(f"c{i}" for i in range(limits.MAX_COLUMNS))
    assert len(read_table(write(tmp_path / "ok.csv", just + "\n")).frame.columns) == (
        limits.MAX_COLUMNS
    )
    error = refused(write(tmp_path / "wide.csv", just + ";x\n"), "too-many-columns")
    assert error.row == 1
    assert f"{limits.MAX_COLUMNS + 1:,} columns" in error.message


def test_cell_longer_than_excel_holds(tmp_path: Path) -> None:
    head = "Gebiet;Wert\n03241001;"
    fits = read_table(write(tmp_path / "ok.csv", head + "1" * limits.MAX_CELL_CHARS))
    assert len(fits.frame.iloc[0, 1]) == limits.MAX_CELL_CHARS
    error = refused(
        write(tmp_path / "long.csv", head + "1" * (limits.MAX_CELL_CHARS + 1)),
        "cell-too-long",
    )
    assert (error.row, error.column) == (2, "Wert")
    assert error.message.startswith(f"{tmp_path / 'long.csv'}, row 2, column 'Wert':")
    assert error.value is not None and len(error.value) < 120


def test_more_lines_than_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "lines.csv", b"a;b\n1;2\n" + b"\n" * limits.MAX_ROWS)
    assert "lines, more than" in refused(path, "too-many-rows").message


def test_file_larger_than_the_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: no room on disk
    assert "1.0 GiB" in refused(path, "file-too-large").message


def test_nul_byte_after_the_first_block(tmp_path: Path) -> None:
    text = "Gebiet;Wert\n" + "03241001;1\n" * 1000 + "03241001;\x001\n"
    with pytest.raises(ReadError) as caught:
        read_table(write(tmp_path / "nul.csv", text))
    assert (caught.value.finding, caught.value.row) == ("control-character", 1002)


# --- Excel --------------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Gebiet", "Wert"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (16 << 20))
    error = refused(write(tmp_path / "bomb.xlsx", out.getvalue()), "zip-bomb")
    assert "xl/worksheets/sheet1.xml" in error.message
    assert "16.0 MiB" in error.message


def test_zip_that_is_no_workbook(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(ReadError) as caught:
        read_table(write(tmp_path / "photos.xlsx", out.getvalue()))
    assert caught.value.finding == "not-a-workbook"


def test_encrypted_workbook(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    with pytest.raises(ReadError) as caught:
        read_table(write(tmp_path / "secret.xlsx", data))
    assert caught.value.finding == "encrypted-workbook"
    assert "Remove the password" in caught.value.message


def test_declared_sheet_size_is_not_trusted(tmp_path: Path) -> None:
    data = xlsx_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'ref="A1:B1"', b'ref="A1:XFD1048576"')
                assert b"XFD1048576" in body
            target.writestr(info.filename, body)
    start = time.perf_counter()
    table = read_table(write(tmp_path / "declared.xlsx", out.getvalue()))
    assert time.perf_counter() - start < 10
    assert list(table.frame.columns) == ["Gebiet", "Wert"]


# --- YAML ---------------------------------------------------------------------------


def yaml_refused(path: Path, finding: str) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as caught:
        read_yaml(path)
    assert caught.value.finding == finding
    return caught.value


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)
    ]
    path = write(tmp_path / "lol.yaml", "\n".join(lines))
    assert path.stat().st_size < 1000
    assert (
        f"{limits.MAX_YAML_NODES:,} values" in yaml_refused(path, "yaml-bomb").message
    )


def test_aliases_beyond_the_limit(tmp_path: Path) -> None:
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * (limits.MAX_YAML_ALIASES + 1)) + "]\n"
    yaml_refused(write(tmp_path / "many.yaml", many), "yaml-bomb")
    few = "a: &a 1\nb: [" + ", ".join(["*a"] * limits.MAX_YAML_ALIASES) + "]\n"
    assert read_yaml(write(tmp_path / "few.yaml", few))["b"][-1] == 1


def test_shared_fields_by_a_merge_key_are_read(tmp_path: Path) -> None:
    text = (
        "- &common {unit: '%', source: Statistik}\n"
        "- {<<: *common, id: a, name: A}\n"
        "- {<<: *common, id: b, name: B}\n"
    )
    data = read_yaml(write(tmp_path / "merge.yaml", text))
    assert data[2] == {"unit": "%", "source": "Statistik", "id": "b", "name": "B"}


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, "".join("  " * i + "- \n" for i in range(100))],
    ids=["flow", "block"],
)
def test_nesting_beyond_the_limit(tmp_path: Path, text: str) -> None:
    error = yaml_refused(write(tmp_path / "deep.yaml", text), "yaml-too-deep")
    assert f"more than {limits.MAX_YAML_DEPTH} deep" in error.message


def test_alias_chains_count_as_nesting(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 40)]
    yaml_refused(write(tmp_path / "chain.yaml", "\n".join(lines)), "yaml-too-deep")


def test_recursive_alias(tmp_path: Path) -> None:
    yaml_refused(write(tmp_path / "loop.yaml", "- &a [*a]\n"), "yaml-bomb")


def test_impossible_date_is_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_yaml(write(tmp_path / "date.yaml", "first: 2021-13-45\n"))
    assert caught.value.finding == "invalid-yaml"
    assert "Quote texts that look like dates" in caught.value.message


# --- the report ---------------------------------------------------------------------


def test_report_keeps_a_bounded_number_of_findings() -> None:
    report = ValidationReport(path=Path("flood.csv"))
    for row in range(2, 10_002):
        report.error("unknown-area-code", f"'{row}' is not known.", row=row)
    report.warning("ignored-column", "Ignored.")
    assert len(report.findings) == limits.MAX_FINDINGS_PER_CODE + 1
    assert (report.error_count, report.warning_count) == (10_000, 1)
    assert report.omitted[Severity.ERROR] == 10_000 - limits.MAX_FINDINGS_PER_CODE
    text = report.to_text()
    assert len(text.splitlines()) < 60
    assert "… and 9,951 more findings" in text
    assert "10,000 errors, 1 warnings." in text
    assert report.to_dict()["errors"] == 10_000
    assert not report.is_valid


def test_report_quotes_long_values_shortened() -> None:
    report = ValidationReport(path=Path("long.csv"))
    value = "x" * 1_000_000
    report.error(
        "not-a-number", f"'{value}' is not a number. Write a number.", value=value
    )
    (finding,) = report.findings
    assert finding.value == "x" * limits.MAX_QUOTED_CHARS + "… (1,000,000 characters)"
    assert finding.message == f"'{finding.value}' is not a number. Write a number."
    report.error("long", "y" * 100_000 + " Do this.")
    assert len(report.findings[1].message) <= limits.MAX_MESSAGE_CHARS + 3
    assert report.findings[1].message.endswith(" Do this.")


def test_shared_texts_larger_than_held_in_memory(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", bytes(range(256)) * (6 << 10))
    data = bytearray(out.getvalue())
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/sharedStrings.xml"))
    declared = limits.MAX_SHARED_STRINGS_BYTES + 1
    data[entry + 24 : entry + 28] = declared.to_bytes(4, "little")  # unpacked size
    error = refused(write(tmp_path / "texts.xlsx", bytes(data)), "zip-bomb")
    assert "the workbook's texts unpack to 128.0 MiB" in error.message
