"""The catalogue's licence texts map to the DCAT-AP.de vocabulary, and only a text
that names exactly one known licence is declared open."""

from __future__ import annotations

import pytest

from sozialmonitor.opendata.licences import licence_of


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("dl-de/by-2-0", "dl-by-de/2.0"),
        ("Datenlizenz Deutschland – Namensnennung – Version 2.0", "dl-by-de/2.0"),
        ("dl-de/zero-2-0", "dl-zero-de/2.0"),
        ("CC BY 4.0", "cc-by/4.0"),
        ("CC0", "cc-zero"),
        ("", "other-closed"),
        ("Abdruck mit genauer Quellenangabe gestattet", "other-closed"),
        ("dl-de/by-2-0; CC BY 4.0", "other-closed"),
        ("dl-de/by-2-0 (BKG); MSS 2021: Abdruck mit Quellenangabe", "other-closed"),
    ],
)
def test_licence_texts(text: str, key: str) -> None:
    assert licence_of(text).key == key
