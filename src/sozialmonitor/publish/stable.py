"""The same content gives the same bytes, so that a new build rewrites only what a
new release changed: workbooks (zip files) carry the time they were written, and
rdflib names blank nodes at random."""

from __future__ import annotations

import io
import re
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry, for every entry."""
_BLANK_NODE = re.compile(r"_:N[0-9a-f]{32}")


def stable_zip(body: bytes) -> bytes:
    """The zip file (an XLSX workbook) with every entry dated ``ZIP_TIME``; the
    entries, their order and compression stay as they were."""
    source = zipfile.ZipFile(io.BytesIO(body))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            out.writestr(fixed, source.read(info))
    return target.getvalue()


def stable_blank_nodes(text: str) -> str:
    """rdflib's random blank-node names (``_:N…``) numbered in order of first use.

    Examples
    --------
    >>> stable_blank_nodes('{"a": "_:N' + "0" * 32 + '", "b": "_:N' + "f" * 32 + '"}')
    '{"a": "_:b0", "b": "_:b1"}'
    """
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"_:b{len(names)}")

    return _BLANK_NODE.sub(rename, text)
