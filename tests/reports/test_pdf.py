"""The report as a PDF: a text layer with the source lines and page numbers, tags,
bookmarks, the language and title; the same text when made twice; nothing
fetched (issue 14)."""

from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import Engine

from sozialmonitor.reports.document import report_document
from sozialmonitor.reports.making import make_report
from sozialmonitor.reports.pdf import _fetcher, pdf_bytes
from sozialmonitor.web.site import DEFAULT_SITE
from tests.fixtures import TOWNS
from tests.reports.conftest import SECOND_RELEASE


def profile_bytes(engine: Engine) -> bytes:
    report = make_report(engine, "gebietsprofil", area=TOWNS[0])
    return pdf_bytes(report_document(report, DEFAULT_SITE), made=report.made_at)


def profile_pdf(engine: Engine) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(profile_bytes(engine)))


def text_layer(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(items: list[object]) -> list[str]:
    found: list[str] = []
    for item in items:
        if isinstance(item, list):
            found += outline_titles(item)
        else:
            found.append(item.title)  # type: ignore[attr-defined]
    return found


@pytest.fixture
def pdf(report_engine: Engine) -> pypdf.PdfReader:
    return profile_pdf(report_engine)


def test_the_pdf_has_a_text_layer_with_the_source_lines(
    pdf: pypdf.PdfReader,
) -> None:
    text = text_layer(pdf)
    assert "Gebietsprofil Gemeinde 001" in text
    assert f"Datenstand: {SECOND_RELEASE}" in text
    assert text.count("Quelle:") >= 2
    assert "Beispiel: Schulstatistik" in text
    assert f"Seite 1 von {len(pdf.pages)}" in text.replace("\xa0", " ")


def test_the_pdf_is_tagged_with_language_and_title(pdf: pypdf.PdfReader) -> None:
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "de"
    assert pdf.metadata is not None
    assert pdf.metadata.title == "Gebietsprofil Gemeinde 001"


def test_the_pdf_has_bookmarks_of_its_chapters(pdf: pypdf.PdfReader) -> None:
    titles = outline_titles(pdf.outline)
    assert titles[0] == "Gebietsprofil Gemeinde 001"
    assert "Kennzahlen nach Themenfeld" in titles
    assert "Ergebnisse und Handlungsempfehlungen" in titles
    assert "Inhalt" not in titles


def test_the_table_of_contents_names_the_pages(pdf: pypdf.PdfReader) -> None:
    first = pdf.pages[0].extract_text()
    assert "Inhalt" in first
    lines = [
        line for line in first.splitlines() if "Kennzahlen nach Themenfeld" in line
    ]
    assert lines and lines[0].rstrip().endswith("1")


def test_made_twice_the_pdf_is_the_same(report_engine: Engine) -> None:
    first, second = profile_bytes(report_engine), profile_bytes(report_engine)
    assert text_layer(pypdf.PdfReader(io.BytesIO(first))) == text_layer(
        pypdf.PdfReader(io.BytesIO(second))
    )
    assert first == second  # the same file: its dates are the release's


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/logo.png", "file:///etc/hostname", "ftp://x/y"]
)
def test_nothing_is_fetched(url: str) -> None:
    with pytest.raises(ValueError, match="disallowed protocol"):
        _fetcher()(url)
    made = pdf_bytes(
        f'<!DOCTYPE html><html lang="de"><title>x</title><img src="{url}" alt="x">'
    )
    assert made.startswith(b"%PDF")
