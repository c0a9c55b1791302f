"""``publish_site``: the anonymous portal of the newest published release as files
any web server can serve, under a sub-path too.

The build is made in a staging folder beside ``out`` (a failed or stopped build
leaves ``out`` as it was), then brought over: only files whose content changed are
written, files of the previous build that are gone are deleted. A manifest
(``MANIFEST``) names the build's files, so that a folder is only ever filled by a
build or emptied of what a build wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Engine

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.opendata.datapackage import published_release, write_datapackage
from sozialmonitor.opendata.dcat import Publisher, dcat_document, dcat_graph
from sozialmonitor.publish import search_page
from sozialmonitor.publish.addresses import (
    base_path,
    file_for,
    is_page,
    link_for,
    media_type,
    rewrite_css,
    rewrite_html,
)
from sozialmonitor.publish.crawl import Answer, LeftOut, crawl
from sozialmonitor.publish.stable import stable_graph, stable_zip

MANIFEST = ".sozialmonitor-publish.json"
MAX_FILES = 50_000
"""Default cap on the pages and files read from the portal."""
MAX_BYTES = 2 * 1024**3
"""Default cap on the bytes written (2 GiB)."""
LOCAL_ADDRESS = "http://localhost"
"""The DCAT document's address when neither a full --base-url nor the base-url
setting names the public one."""
_REDIRECT_HOPS = 5
FORM_LEFT_OUT = "Formular, dessen Antwort ein Server geben muss (bleibt auf der Seite)"


class PublishLimitError(SozialmonitorError):
    code = "publish-limit"


@dataclass(frozen=True, kw_only=True)
class Limits:
    max_files: int = MAX_FILES
    """At most this many pages and files are read from the portal."""
    max_bytes: int = MAX_BYTES
    """At most this many bytes are written."""


@dataclass(kw_only=True)
class BuildOutcome:
    """What a build wrote, left out and could not read."""

    release: str
    base: str
    files: int = 0
    pages: int = 0
    bytes: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    seconds: float = 0.0
    left_out: dict[str, dict[str, object]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """Addresses the portal answered with an error (status and address)."""
    broken: list[str] = field(default_factory=list)
    """Links that lead to no file of the build (page and link)."""


@dataclass(kw_only=True)
class _Staging:
    root: Path
    base: str
    limits: Limits
    files: dict[str, str] = field(default_factory=dict)
    """File → its content type."""
    addresses: dict[tuple[str, str], str] = field(default_factory=dict)
    """(path, query) → file."""
    redirects: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    size: int = 0
    """Bytes written so far."""

    def add(self, file: str, body: bytes, content_type: str) -> None:
        if file in self.files:
            return
        self.size += len(body)
        if self.size > self.limits.max_bytes:
            raise PublishLimitError(
                "The build stopped: it would write more than "
                f"{self.limits.max_bytes:,} bytes (--max-bytes). Nothing was "
                "changed in the output folder; raise the limit if the portal "
                "really is that large."
            )
        target = self.root / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        self.files[file] = content_type


def publish_site(
    engine: Engine,
    out: Path,
    *,
    base_url: str = "/",
    public_url: str | None = None,
    publisher: str = "",
    limits: Limits | None = None,
) -> BuildOutcome:
    """Build the public portal of the newest published release into ``out``.

    Parameters
    ----------
    engine
        The portal's database.
    out
        A new or empty folder, or one holding a previous build (updated in place).
    base_url
        The sub-path (``/sozialmonitor/``) or the full address the build is served
        under; every link of the pages starts with its path.
    public_url
        The portal's public address for the DCAT-AP.de document and absolute links
        in downloads, when ``base_url`` is only a path.
    publisher
        The publishing body named in the DCAT-AP.de document (default: the site's
        publisher, else "Sozialmonitor").

    Raises
    ------
    SozialmonitorError
        No published release; ``out`` is a file or a folder holding other files;
        a bad ``base_url``.
    PublishLimitError
        More files or bytes than ``limits``; ``out`` is left as it was.
    """
    from sozialmonitor.config import setting
    from sozialmonitor.web.app import create_app

    started = time.monotonic()
    limits = limits or Limits()
    base = base_path(base_url)
    if base_url.startswith(("https://", "http://")):
        public_url = base_url
    public_url = public_url or setting("base-url", None) or LOCAL_ADDRESS + base
    with engine.connect() as conn:
        release = published_release(conn, None)
    previous = _previous_build(out)
    app = create_app(engine, refresh_seconds=3600.0, public_url=public_url)
    site = app.state.site
    graph = dcat_graph(
        engine,
        base_url=public_url,
        publisher=Publisher(name=publisher or site.publisher or "Sozialmonitor"),
        release=release.name,
    )
    outcome = BuildOutcome(release=release.name, base=base)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging_dir = Path(
        tempfile.mkdtemp(prefix=".sozialmonitor-publish-", dir=out.parent)
    )
    try:
        staging = _Staging(root=staging_dir, base=base, limits=limits)
        left_out = LeftOut()
        for answer in crawl(app, _seeds(graph, public_url), left_out):
            outcome.pages += 1
            if outcome.pages > limits.max_files:
                raise PublishLimitError(
                    f"The build stopped: the portal has more than {limits.max_files:,} "
                    "pages and files (--max-files). Nothing was changed in the output "
                    "folder; raise the limit if the portal really is that large."
                )
            _take(staging, answer, outcome)
        _add_search(staging)
        _rewrite(staging, outcome, left_out)
        _add_open_data(staging, engine, release.name, graph)
        outcome.left_out = left_out.summary()
        _bring_over(staging, out, previous, outcome)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    outcome.seconds = time.monotonic() - started
    return outcome


def _previous_build(out: Path) -> dict[str, str]:
    """The files (→ hash) of the build in ``out``; empty for a new or empty folder."""
    if out.exists() and not out.is_dir():
        raise SozialmonitorError(f"--out {out} is a file: give a folder.")
    if not out.exists() or not any(out.iterdir()):
        return {}
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise SozialmonitorError(
            f"--out {out} is not empty and holds no previous build (no {MANIFEST}): "
            "give a new or empty folder, or the folder of an earlier build."
        )
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SozialmonitorError(
            f"{manifest} cannot be read ({exc}); remove the folder's contents and "
            "build again."
        ) from None
    return {str(k): str(v) for k, v in files.items()}


def _seeds(graph: object, public_url: str) -> list[str]:
    """The portal's addresses the DCAT document names (pages and downloads), so
    that its links work in the build too."""
    from rdflib import DCAT, Graph

    assert isinstance(graph, Graph)  # noqa: S101 (typing only)
    prefix = public_url.rstrip("/")
    seeds = [search_page.SEARCH_PATH]
    for predicate in (DCAT.accessURL, DCAT.downloadURL, DCAT.landingPage):
        for url in sorted(str(o) for o in graph.objects(None, predicate)):
            if url.startswith(prefix + "/") and "?" not in url:
                seeds.append(url.removeprefix(prefix).split("#", 1)[0])
    return seeds


def _take(staging: _Staging, answer: Answer, outcome: BuildOutcome) -> None:
    key = (answer.path, answer.query)
    shown = f"{answer.path}?{answer.query}" if answer.query else answer.path
    if answer.location:
        if answer.location.startswith("/"):
            staging.redirects[key] = _split(answer.location)
        else:
            outcome.failed.append(f"{answer.status} {shown} → {answer.location}")
        return
    if answer.status != 200:
        outcome.failed.append(f"{answer.status} {shown}")
        if not 400 <= answer.status < 500:
            return
        # Written all the same: a link the portal offers shows, in the build as on
        # the server, the portal's explanation (e.g. "no map for this level").
    file = file_for(answer.path, answer.query, answer.content_type)
    body = answer.body
    if file.endswith(".xlsx") and answer.status == 200:
        body = stable_zip(body)
    try:
        staging.add(file, body, answer.content_type)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        outcome.failed.append(f"file conflict {shown} → {file}")
        return
    staging.addresses[key] = file


def _target(staging: _Staging, path: str, query: str) -> str | None:
    """The address in the build of a portal link; None when no file holds it.

    A view left out (an English page, another selection) leads to the nearest
    one built: the same view in German, else the page without a query."""
    german = urlencode(
        [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    )
    for candidate in ((path, query), (path, german), (path, "")):
        key = candidate
        for _ in range(_REDIRECT_HOPS):
            if key not in staging.redirects:
                break
            key = staging.redirects[key]
        file = staging.addresses.get(key)
        if file is not None:
            return link_for(file, staging.base)
    return None


def _add_search(staging: _Staging) -> None:
    page_file = staging.addresses.get((search_page.SEARCH_PATH, ""))
    if page_file is None:
        return
    entries = []
    for (path, query), file in staging.addresses.items():
        if query or not is_page(staging.files[file]) or path == search_page.SEARCH_PATH:
            continue
        text = (staging.root / file).read_text(encoding="utf-8")
        found = search_page.entry(path, link_for(file, staging.base), text)
        if found is not None:
            entries.append(found)
    entries = search_page.sorted_entries(entries)
    staging.add(
        search_page.INDEX_FILE, search_page.index_document(entries), "application/json"
    )
    staging.add(search_page.SCRIPT_FILE, search_page.script(), "text/javascript")
    staging.addresses[("/" + search_page.SCRIPT_FILE, "")] = search_page.SCRIPT_FILE
    page = (staging.root / page_file).read_text(encoding="utf-8")
    (staging.root / page_file).write_text(
        search_page.static_search_page(page, entries, staging.base), encoding="utf-8"
    )


def _split(url: str) -> tuple[str, str]:
    path, _, query = url.partition("?")
    return path, query


def _rewrite(staging: _Staging, outcome: BuildOutcome, left_out: LeftOut) -> None:
    """Every link of every page and style sheet pointed at its file in the build."""
    url_of = {
        file: path for (path, query), file in staging.addresses.items() if not query
    }
    url_of.update({file: f"{p}?{q}" for (p, q), file in staging.addresses.items() if q})
    for file, content_type in staging.files.items():
        kind = media_type(content_type)
        if kind not in {"text/html", "text/css"}:
            continue
        url = url_of.get(file, "/" + file)

        def target(
            path: str, query: str, is_form: bool = False, page: str = url
        ) -> str:
            found = _target(staging, path, query)
            if found is None and is_form:
                # A form whose answer only a server can give: it stays on its page.
                left_out.add(FORM_LEFT_OUT, path)
                found = _target(staging, *_split(page))
            if found is None:
                outcome.broken.append(f"{page} → {path}{'?' + query if query else ''}")
                return staging.base + path.lstrip("/")
            return found

        text = (staging.root / file).read_text(encoding="utf-8")
        if kind == "text/html":
            text = rewrite_html(text, url, target)
        else:
            text = rewrite_css(text, url, target)
        (staging.root / file).write_text(text, encoding="utf-8")


def _add_open_data(
    staging: _Staging, engine: Engine, release: str, graph: object
) -> None:
    """The release's Data Package (``datapackage.json`` and its CSV files) and the
    DCAT-AP.de document (``dcat.ttl``, ``dcat.jsonld``) at the build's root."""
    from rdflib import Graph

    assert isinstance(graph, Graph)  # noqa: S101 (typing only)
    with tempfile.TemporaryDirectory(dir=staging.root.parent) as folder:
        package = Path(folder) / "package"
        write_datapackage(engine, package, release=release)
        for path in sorted(p for p in package.rglob("*") if p.is_file()):
            name = path.relative_to(package).as_posix()
            staging.add(name, path.read_bytes(), "application/octet-stream")
    staging.add(
        "dcat.ttl",
        dcat_document(stable_graph(graph), "turtle").encode("utf-8"),
        "text/turtle",
    )
    staging.add(
        "dcat.jsonld",
        dcat_document(stable_graph(graph), "json-ld").encode("utf-8"),
        "application/ld+json",
    )


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _bring_over(
    staging: _Staging, out: Path, previous: dict[str, str], outcome: BuildOutcome
) -> None:
    """Write into ``out`` the files that changed, delete those no longer built."""
    out.mkdir(parents=True, exist_ok=True)
    built: dict[str, str] = {}
    for file in sorted(staging.files):
        source = staging.root / file
        digest = _digest(source)
        built[file] = digest
        target = out / file
        if (
            target.is_file()
            and previous.get(file) == digest
            and _digest(target) == digest
        ):
            outcome.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        outcome.written += 1
    root = out.resolve()
    for file in sorted(set(previous) - set(built)):
        stale = out / file
        if root not in stale.resolve().parents:
            continue  # a manifest naming a file outside the folder is not obeyed
        if stale.is_file():
            stale.unlink()
            outcome.deleted += 1
            for parent in stale.parents:
                if parent == out:
                    break
                with contextlib.suppress(OSError):
                    parent.rmdir()
    manifest = {
        "release": outcome.release,
        "base": outcome.base,
        "files": built,
        "left_out": outcome.left_out,
        "failed": outcome.failed,
        "broken": outcome.broken,
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    outcome.files = len(built)
    outcome.bytes = sum(s.stat().st_size for s in (out / f for f in built))
