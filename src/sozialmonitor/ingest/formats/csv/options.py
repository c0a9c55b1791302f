"""What the CSV reader tries, as named constants."""

from __future__ import annotations

DELIMITERS = (";", ",", "\t")
"""Column separators, tried on the header line; the most frequent wins."""

ENCODINGS = ("utf-8", "cp1252")
"""Tried in this order after a UTF-8 byte order mark; Latin-1 files read as cp1252."""

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ã„", "Ã–", "Ãœ")
"""UTF-8 read twice: 'ä' shows as 'Ã¤'."""
