"""A multipart/form-data body, read as it streams in: its small fields into memory,
its one file into a private file (mode 0600, in a private folder), with the size
limit enforced while the bytes arrive — a larger body is never held or stored.

The CSRF token is checked before the file is stored: a form sends its fields in
document order, ours the ``csrf`` field first, and ``before_file`` sees the fields
that came before the file (``web/session.csrf_protected`` passes the check).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from fastapi import HTTPException, Request
from python_multipart.exceptions import ParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from sozialmonitor.ingest.limits import MAX_FILE_BYTES
from sozialmonitor.web.nul_refusal import refuse_nul_fields

MAX_FIELD_BYTES = 16_384
"""All small fields of an upload form together (a token, a kind, a release name)."""
MAX_FIELDS = 20
"""Most parts (fields and the file) of one upload form."""
MAX_NAME_CHARS = 100
"""Longest file name kept (with its suffix)."""
SAFE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, kw_only=True)
class ReceivedFile:
    path: Path
    """The private copy: ``<upload folder>/<token>/<safe name>``."""
    token: str
    """The random name of its folder (the import job's id, if one follows)."""
    original_name: str
    """The name the browser sent, made harmless (see :func:`safe_file_name`)."""
    size: int


@dataclass(kw_only=True)
class Upload:
    """What a multipart form brought."""

    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None
    too_large: bool = False
    """The file was larger than the limit: refused, nothing of it kept."""


class _TooLargeError(Exception):
    pass


E = TypeVar("E", bound=Callable[..., object])


def takes_a_file(endpoint: E) -> E:
    """Mark a route that takes an uploaded file; any other refuses a file (415)
    before any of it is stored."""
    endpoint.takes_a_file = True  # type: ignore[attr-defined]
    return endpoint


def _route_takes_a_file(request: Request) -> bool:
    return bool(getattr(request.scope.get("endpoint"), "takes_a_file", False))


def upload_folder(request: Request) -> Path:
    """The private folder uploads are kept in until their import ends: the app's
    ``upload_dir`` (tests) or ``sozialmonitor-uploads-<uid>`` in the system's
    temporary folder, created with mode 0700 and refused if anyone else owns it or
    may read it."""
    configured = getattr(request.app.state, "upload_dir", None)
    folder = (
        Path(configured)
        if configured
        else Path(tempfile.gettempdir()) / f"sozialmonitor-uploads-{os.getuid()}"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & 0o077
    ):
        raise HTTPException(
            status_code=500,
            detail=f"The upload folder {folder} is not private to this server.",
        )
    return folder


def upload_limit(request: Request) -> int:
    """Largest file accepted: the importers' own limit (``ingest/limits.py``), or
    the app's ``upload_limit`` (tests)."""
    limit: int = getattr(request.app.state, "upload_limit", None) or MAX_FILE_BYTES
    return limit


def safe_file_name(name: str) -> str:
    """The name a browser sent, as a harmless file name: its last path part, letters,
    digits, ``.``, ``-`` and ``_`` only, no leading dot, at most ``MAX_NAME_CHARS``
    characters with its suffix kept.

    Examples
    --------
    >>> safe_file_name("../../etc/passwd")
    'passwd'
    >>> safe_file_name("C:\\\\Daten\\\\Werte 2021.csv")
    'Werte_2021.csv'
    >>> safe_file_name("\\x00\\n..")
    'upload'
    >>> safe_file_name("Einwohner\\u202egpj.csv")
    'Einwohner_gpj.csv'
    """
    last = re.split(r"[/\\]", name)[-1]
    text = "".join(
        ch if unicodedata.category(ch)[0] not in "CZ" else "_" for ch in last
    )
    text = SAFE_NAME.sub("_", unicodedata.normalize("NFC", text)).lstrip("._")
    text = re.sub(r"_+", "_", text).strip("_")
    if not text.strip("._-"):
        return "upload"
    stem, dot, suffix = text.rpartition(".")
    if dot and len(suffix) <= 10:
        return f"{stem[: MAX_NAME_CHARS - len(suffix) - 1]}.{suffix}"
    return text[:MAX_NAME_CHARS]


class _Receiver:
    """The parser's callbacks: fields into memory, the file part to disk."""

    def __init__(
        self,
        folder: Path,
        limit: int,
        before_file: Callable[[Mapping[str, str]], None] | None,
    ) -> None:
        self.folder = folder
        self.limit = limit
        self.before_file = before_file
        self.upload = Upload()
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.data = bytearray()
        self.field_bytes = 0
        self.parts = 0
        self.handle: int | None = None
        self.file_size = 0
        self.file_dir: Path | None = None
        self.file_path: Path | None = None
        self.file_name = ""
        self.is_file = False
        self.skip = False
        """A file input left empty: its (empty) part is ignored."""
        self.announced_too_large = False
        """The request's Content-Length is beyond the limit."""
        self.takes_a_file = False
        """The route is marked with :func:`takes_a_file`."""

    # --- the parser's callbacks ---------------------------------------------------
    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_FIELDS:
            raise HTTPException(status_code=400, detail="Too many form fields.")
        self.headers, self.data = {}, bytearray()
        self.is_file = self.skip = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition"))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            return
        if not options[b"filename"]:
            self.skip = True
            return
        if self.upload.file is not None or self.handle is not None:
            raise HTTPException(status_code=400, detail="One file per upload.")
        if not self.takes_a_file:
            raise HTTPException(status_code=415, detail="This address takes no file.")
        if self.before_file is not None:
            self.before_file(self.upload.fields)
        if self.announced_too_large:
            raise _TooLargeError
        self.is_file = True
        self.file_name = safe_file_name(options[b"filename"].decode("utf-8", "replace"))
        token = secrets.token_urlsafe(18)
        self.file_dir = self.folder / token
        self.file_dir.mkdir(mode=0o700)
        self.file_path = self.file_dir / self.file_name
        self.handle = os.open(
            self.file_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600
        )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.skip:
            if len(chunk):
                raise HTTPException(status_code=400, detail="A file without a name.")
            return
        if self.is_file:
            if self.file_size + len(chunk) > self.limit:
                raise _TooLargeError
            assert self.handle is not None
            self.file_size += len(chunk)
            view = memoryview(chunk)
            while view:
                written = os.write(self.handle, view)
                view = view[written:]
            return
        self.field_bytes += len(chunk)
        if self.field_bytes > MAX_FIELD_BYTES:
            raise HTTPException(status_code=413, detail="Form fields too large.")
        self.data.extend(chunk)

    def on_part_end(self) -> None:
        if self.is_file:
            assert self.handle is not None and self.file_dir and self.file_path
            os.close(self.handle)
            self.handle = None
            self.upload.file = ReceivedFile(
                path=self.file_path,
                token=self.file_dir.name,
                original_name=self.file_name,
                size=self.file_size,
            )
            return
        if self.skip:
            return
        self.upload.fields.setdefault(self.name, self.data.decode("utf-8", "replace"))

    # --- clean-up -----------------------------------------------------------------
    def discard(self) -> None:
        """Remove whatever of the file was stored."""
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None
        if self.file_dir is not None:
            shutil.rmtree(self.file_dir, ignore_errors=True)
        self.upload.file = None


async def uploaded_form(
    request: Request,
    before_file: Callable[[Mapping[str, str]], None] | None = None,
) -> Upload:
    """The request's multipart form, read once (later calls get the same).

    ``before_file`` is called with the fields read so far when the file begins; it
    raises to refuse the request before anything of the file is stored. A field
    with a NUL character is refused (400, ``web/nul_refusal.py``) and the file
    discarded.
    """
    cached: Upload | None = getattr(request.state, "upload", None)
    if cached is not None:
        return cached
    kind, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise HTTPException(status_code=415, detail="Expected multipart/form-data.")
    limit = upload_limit(request)
    declared = request.headers.get("content-length", "")
    receiver = _Receiver(upload_folder(request), limit, before_file)
    # A body announced as larger is refused where its file begins: the fields before
    # it (the CSRF token) are read, the file is not.
    receiver.takes_a_file = _route_takes_a_file(request)
    receiver.announced_too_large = (
        declared.isdigit() and int(declared) > limit + MAX_FIELD_BYTES
    )
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": receiver.on_part_begin,
            "on_part_data": receiver.on_part_data,
            "on_part_end": receiver.on_part_end,
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
        },
        max_size=limit + MAX_FIELD_BYTES,
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except _TooLargeError:
        receiver.discard()
        receiver.upload.too_large = True
    except HTTPException:
        receiver.discard()
        raise
    except ParseError as exc:  # a malformed body
        receiver.discard()
        raise HTTPException(status_code=400, detail="Malformed form.") from exc
    try:
        refuse_nul_fields(receiver.upload.fields)
    except HTTPException:
        receiver.discard()
        raise
    request.state.upload = receiver.upload
    return receiver.upload
