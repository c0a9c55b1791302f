"""Zip files (Excel workbooks, zipped Shapefiles) checked before they are opened.

A zip bomb packs gigabytes into kilobytes; the members' sizes and packing ratios are
read from the zip's directory, without unpacking anything. Python's ``zipfile`` (which
openpyxl uses) never unpacks more than a member's declared size, so a member that lies
about its size fails its checksum instead of growing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from sozialmonitor.errors import LimitExceededError, ReadError
from sozialmonitor.ingest.limits import (
    MAX_PACKING_RATIO,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_MEMBERS,
    PACKING_RATIO_FROM_BYTES,
    shorten,
    size_text,
)


def check_zip(
    path: Path, damaged: Callable[[Path], ReadError]
) -> list[zipfile.ZipInfo]:
    """The members of a zip file, after checking its size limits.

    Raises
    ------
    ReadError
        From ``damaged`` when ``path`` is not a zip file or its directory is damaged.
    LimitExceededError
        When it has too many members, unpacks to more than ``MAX_UNPACKED_BYTES`` or
        a member packs more than ``MAX_PACKING_RATIO``-fold (a zip bomb).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise damaged(path) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise LimitExceededError(
            path,
            f"the zip file has {len(members):,} members, more than the "
            f"{MAX_ZIP_MEMBERS:,} an import opens. Check that it is the file you "
            "meant.",
            finding="zip-bomb",
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise LimitExceededError(
            path,
            f"the file unpacks to {size_text(total)}, more than the "
            f"{size_text(MAX_UNPACKED_BYTES)} an import unpacks. Split it into "
            "several files, or check that it is the file you meant.",
            finding="zip-bomb",
        )
    for member in members:
        if member.file_size < PACKING_RATIO_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_PACKING_RATIO:
            raise LimitExceededError(
                path,
                f"the member '{shorten(member.filename)}' unpacks from "
                f"{size_text(member.compress_size)} to {size_text(member.file_size)} "
                f"({ratio:,.0f}-fold, more than the {MAX_PACKING_RATIO}-fold of real "
                "files): a zip bomb or a damaged file. It is not opened; save the "
                "data again from the original program.",
                finding="zip-bomb",
                value=shorten(member.filename),
            )
    return members
