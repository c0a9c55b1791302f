"""Fetch a table from the GENESIS web service (REST interface 2020) as the CSV file
a person would download, for ``import official``.

The service (GENESIS-Online of Destatis, the Regionaldatenbank / Regionalstatistik,
a state's GENESIS database) answers ``POST data/tablefile`` with the table's CSV,
or with a JSON status (``{"Status": {"Code": 104, "Content": "…", "Type":
"Fehler"}}``) when it delivers none. Credentials travel in the ``username`` and
``password`` headers (an API token as the user, the password empty), never in the
address. The classic CSV (``format=csv``) is asked for: the shipped mappings select
its header rows, as in a downloaded file.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import zipfile
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import httpx

from sozialmonitor.errors import GenesisServiceError, ReadError, UnreadableFileError
from sozialmonitor.ingest.formats.zipped import check_zip
from sozialmonitor.ingest.limits import MAX_FILE_BYTES, shorten, size_text

INSTANCES = {
    "destatis": "https://www-genesis.destatis.de/genesisWS/rest/2020/",
    "regionalstatistik": "https://www.regionalstatistik.de/genesisws/rest/2020/",
}
"""The public GENESIS instances by name; any other is given by its address."""
TABLE_CODE = r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,40}"
"""What a table code looks like (``12411-01-01-4``, ``12411-0013``)."""
TIMEOUT = httpx.Timeout(120.0, connect=15.0)
"""Seconds to connect, and to wait for each part of the answer: a large table takes
the service a minute to prepare."""
MAX_STATUS_BYTES = 1 << 20
"""Largest JSON status answer read: 1 MiB (a real one has a few hundred bytes)."""
MAX_REDIRECTS = 3
"""Redirects followed, all on the instance's own host."""
JOB_CODES = frozenset({98, 99})
"""Status codes of a table the service prepares as a background job (too large for
a direct answer)."""
ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file starts: the service packs some answers (flat files, compress=true)."""
UNKNOWN_CODE = 104
"""Status code of 'no object matches the selection': an unknown table."""
FALLBACK = "download the table as CSV and use `sozialmonitor import official FILE`"
"""What to do when the service cannot deliver."""
CREDENTIALS_HINT = (
    "Check SOZIALMONITOR_GENESIS_USER and SOZIALMONITOR_GENESIS_PASSWORD (with an "
    "API token: the token as the user, the password empty)."
)


@dataclass(frozen=True, kw_only=True)
class GenesisAccess:
    """Where the service is and who asks."""

    base_url: str
    """The REST interface's address, ending in ``/``."""
    user: str
    """The account's user name, or an API token."""
    password: str = ""
    """The account's password; empty with a token."""

    @property
    def host(self) -> str:
        """The host as messages name it."""
        return httpx.URL(self.base_url).host


def base_url(instance: str) -> str:
    """The address of an instance: a known name or an ``https://`` address (plain
    ``http://`` only on this computer, for tests and tunnels).

    Examples
    --------
    >>> base_url("regionalstatistik")
    'https://www.regionalstatistik.de/genesisws/rest/2020/'
    >>> base_url("http://127.0.0.1:8080/genesisws/rest/2020")
    'http://127.0.0.1:8080/genesisws/rest/2020/'
    """
    if instance in INSTANCES:
        return INSTANCES[instance]
    try:
        url = httpx.URL(instance)
    except httpx.InvalidURL:
        url = httpx.URL("")
    if url.scheme not in ("http", "https") or not url.host:
        raise GenesisServiceError(
            f"Unknown GENESIS instance '{shorten(instance)}': give "
            f"{' or '.join(INSTANCES)}, or the address of a GENESIS REST interface "
            "(https://HOST/genesisWS/rest/2020/)."
        )
    if url.scheme == "http" and not _is_local(url.host):
        raise GenesisServiceError(
            f"The instance address '{shorten(instance)}' is plain http: the "
            "credentials would travel unencrypted. Give its https:// address."
        )
    return instance if instance.endswith("/") else instance + "/"


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def fetch_table(
    access: GenesisAccess,
    table: str,
    target: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
) -> None:
    """Download a table's CSV into ``target``.

    Raises
    ------
    GenesisServiceError
        When the service cannot be reached, refuses the credentials, does not know
        the table, prepares it as a background job, or answers beyond ``max_bytes``.
    """
    origin = httpx.URL(access.base_url)

    def same_host(request: httpx.Request) -> None:
        if (request.url.scheme, request.url.host, request.url.port) != (
            origin.scheme,
            origin.host,
            origin.port,
        ):
            raise GenesisServiceError(
                f"The service at {origin.host} redirected to {request.url.host}, "
                "another host; nothing was fetched from there. Give that address "
                f"with --instance if you trust it, or {FALLBACK}."
            )

    form = {
        "name": table,
        "area": "all",
        "format": "csv",
        "compress": "false",
        "transpose": "false",
        "job": "false",
        "language": "de",
    }
    headers = {"username": access.user, "password": access.password}
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                event_hooks={"request": [same_host]},
                trust_env=True,  # a city network's proxy and certificates
            ) as client,
            client.stream(
                "POST", access.base_url + "data/tablefile", data=form, headers=headers
            ) as response,
        ):
            _receive(access, table, response, target, max_bytes)
    except httpx.TimeoutException:
        raise GenesisServiceError(
            f"The service at {access.host} did not answer in time "
            f"({TIMEOUT.read:.0f} s). Try again later, or {FALLBACK}."
        ) from None
    except httpx.TooManyRedirects:
        raise GenesisServiceError(
            f"The service at {access.host} redirected more than {MAX_REDIRECTS} "
            f"times. Check --instance, or {FALLBACK}."
        ) from None
    except httpx.TransportError as exc:
        raise GenesisServiceError(
            f"Could not reach {access.host} ({type(exc).__name__}: "
            f"{shorten(str(exc))}) — check the network or {FALLBACK}."
        ) from None


def _receive(
    access: GenesisAccess,
    table: str,
    response: httpx.Response,
    target: Path,
    max_bytes: int,
) -> None:
    chunks = response.iter_bytes()
    first = next(chunks, b"")
    kind = response.headers.get("Content-Type", "")
    if "json" in kind or first.lstrip()[:1] == b"{" or response.status_code >= 400:
        body = bytearray(first)
        for chunk in chunks:
            body += chunk
            if len(body) > MAX_STATUS_BYTES:
                break
        raise _refusal(access, table, response.status_code, _status(bytes(body)))
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(access, table, int(declared), max_bytes)
    written = 0
    with target.open("wb") as out:
        for part in chain([first], chunks):
            written += len(part)
            if written > max_bytes:
                raise _too_large(access, table, written, max_bytes)
            out.write(part)
    if written == 0:
        raise GenesisServiceError(
            f"The service at {access.host} answered with an empty file for table "
            f"{table}. Try again later, or {FALLBACK}."
        )
    if first.startswith(ZIP_MAGIC):
        _unpack(access, table, target, max_bytes)


def _unpack(access: GenesisAccess, table: str, target: Path, max_bytes: int) -> None:
    """Replace a zipped answer by its one file, within the limits of every import."""
    packed = target.with_suffix(".zip")
    target.replace(packed)

    def damaged(path: Path) -> ReadError:
        return ReadError(path, "the zip file is damaged", finding="unreadable-export")

    try:
        members = [m for m in check_zip(packed, damaged) if not m.is_dir()]
    except UnreadableFileError as exc:
        raise GenesisServiceError(
            f"The service at {access.host} answered for table {table} with a zip "
            f"file that is not opened: {exc.message.replace(str(packed), table)} "
            f"Try again later, or {FALLBACK}."
        ) from None
    if len(members) != 1:
        raise GenesisServiceError(
            f"The service at {access.host} answered for table {table} with a zip "
            f"file of {len(members)} files instead of one table. Try again later, "
            f"or {FALLBACK}."
        )
    if members[0].file_size > max_bytes:
        raise _too_large(access, table, members[0].file_size, max_bytes)
    with (
        zipfile.ZipFile(packed) as archive,
        archive.open(members[0]) as source,
        target.open("wb") as out,
    ):
        shutil.copyfileobj(source, out)
    packed.unlink()


def _too_large(
    access: GenesisAccess, table: str, size: int, max_bytes: int
) -> GenesisServiceError:
    return GenesisServiceError(
        f"Table {table} from {access.host} is larger than {size_text(max_bytes)} "
        f"(at least {size_text(size)}), the largest file an import reads. Download "
        "a part of it (fewer years or areas) as CSV and use `sozialmonitor import "
        "official FILE`."
    )


def _status(body: bytes) -> dict[str, Any]:
    """The status of a JSON answer: ``Status`` of a full answer, or the answer
    itself when it is the status (``{"Code": …, "Content": …}``)."""
    try:
        data = json.loads(body[:MAX_STATUS_BYTES].decode("utf-8", errors="replace"))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    status = data.get("Status", data)
    return status if isinstance(status, dict) else {}


def _refusal(
    access: GenesisAccess, table: str, http_status: int, status: dict[str, Any]
) -> GenesisServiceError:
    code = status.get("Code")
    content = shorten(str(status.get("Content", "")).strip(), 300)
    said = f"status {code}: {content}" if code is not None else f"HTTP {http_status}"
    if code is not None and http_status >= 400:
        said = f"HTTP {http_status}, {said}"
    if http_status in (401, 403):
        return GenesisServiceError(
            f"The service at {access.host} refused the credentials ({said}). "
            + CREDENTIALS_HINT
        )
    if code in JOB_CODES:
        return GenesisServiceError(
            f"Table {table} is too large for a direct answer: the service at "
            f"{access.host} prepares it as a background job ({said}). Fetch it "
            "later from the service's web site (signed in: your jobs, 'Ergebnis "
            "abrufen' as CSV), or download fewer years or areas, and use "
            "`sozialmonitor import official FILE`."
        )
    if code == UNKNOWN_CODE:
        return GenesisServiceError(
            f"The service at {access.host} does not know table {table} ({said}). "
            "Check the code and the instance: tables like 12411-01-01-4 are on "
            "--instance regionalstatistik, tables like 12411-0013 on --instance "
            "destatis."
        )
    return GenesisServiceError(
        f"The service at {access.host} did not deliver table {table} ({said}). "
        f"Check the code and the credentials, or {FALLBACK}."
    )
