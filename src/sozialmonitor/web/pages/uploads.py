"""Uploading a file in the administration (``/verwaltung/hochladen``) and following
its import (``/verwaltung/importe/<id>``), for editors and above.

Upload → the command line's dry run → the validation report (nothing written) →
"In Entwurf übernehmen" → the import in a background job, one transaction. Editors
see their own jobs; publishers and administrators, who publish what editors
import, see everyone's. Someone else's job is "not found" to an editor.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sozialmonitor.access.clock import now
from sozialmonitor.access.roles import Role
from sozialmonitor.ingest.limits import size_text
from sozialmonitor.store.queries import list_releases
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.pages.administration import CRUMB, gate
from sozialmonitor.web.session import (
    STATE_CHANGING,
    SignedIn,
    client_address,
    csrf_protected,
    current_user,
    engine_of,
    no_store,
)
from sozialmonitor.web.uploads import jobs
from sozialmonitor.web.uploads.checking import (
    KIND_LABELS,
    KeptReport,
    Kind,
    kind_of,
    release_name_ok,
)
from sozialmonitor.web.uploads.receive import (
    Upload,
    takes_a_file,
    upload_folder,
    upload_limit,
    uploaded_form,
)
from sozialmonitor.web.urls import href


def editors_only(request: Request) -> None:
    """A POST here from anyone below an editor is refused before its body is read
    (so a reader's upload is never stored); pages say so with the 403 page."""
    if request.method in STATE_CHANGING:
        user = current_user(request)
        if user is None or user.role < Role.EDITOR:
            raise HTTPException(status_code=403, detail="Only editors may import.")


router = APIRouter(dependencies=[Depends(editors_only), Depends(csrf_protected)])

UPLOAD_PATH = "/verwaltung/hochladen"
UPLOAD_CRUMB = ("Daten hochladen", UPLOAD_PATH)
DEFAULT_RELEASE = ""
"""The form's value for "the newest draft, else a new one" (as the command line)."""

STATUS_LABELS = {
    jobs.Status.WAITING: "geprüft, wartet auf Übernahme",
    jobs.Status.RUNNING: "läuft",
    jobs.Status.DONE: "abgeschlossen",
    jobs.Status.FAILED: "nicht übernommen",
    jobs.Status.ABORTED: "abgebrochen",
}
PHASE_LABELS = {
    "importing": "Die Datei wird geprüft und in den Entwurf geschrieben "
    "(eine Transaktion).",
    "recording": "Das Ergebnis wird festgehalten.",
}


@dataclass(frozen=True, kw_only=True)
class JobRow:
    """One job in the list of recent imports."""

    url: str
    file_name: str
    kind: str
    account: str
    created: str
    status: str


@dataclass(frozen=True, kw_only=True)
class UploadPage:
    """The upload form and the recent imports."""

    csrf_token: str
    kinds: tuple[Option, ...]
    drafts: tuple[Option, ...]
    """Existing drafts, after the default ("newest draft, else a new one")."""
    new_release: str
    limit: str
    """The largest file accepted, e.g. ``1.0 GiB``."""
    message: str
    """Why the last upload was not taken (German), or empty."""
    jobs: tuple[JobRow, ...]
    all_accounts: bool
    """The list shows everyone's jobs (publishers, administrators)."""


@dataclass(frozen=True, kw_only=True)
class JobStatus:
    """A job's state, for its page and its JSON (polled by import-progress.js)."""

    status: str
    """waiting, running, done, failed, aborted."""
    label: str
    """The status in the page's language."""
    text: str
    """One sentence on where the job stands."""
    rows_done: int
    rows_total: int
    finished: bool
    message: str
    """Why it failed, in the importer's (English) words."""


@dataclass(frozen=True, kw_only=True)
class JobPage:
    """A job: its file, its validation report, its state, and the confirmation."""

    csrf_token: str
    file_name: str
    kind: str
    release: str
    account: str
    created: str
    sha256: str
    state: JobStatus
    page_url: str
    status_url: str
    start_url: str
    may_start: bool
    report: KeptReport | None
    message: str
    """Why it failed, in the importer's (English) words."""


def _t(request: Request) -> Translator:
    return Translator(lang=request_language(request))


def _time(value: dt.datetime | None, lang: Language) -> str:
    if value is None:
        return ""
    local = value.astimezone(formatting.PORTAL_ZONE)
    return f"{formatting.date(local, lang)}, {local:%H:%M:%S}"


def _sees_all(user: SignedIn) -> bool:
    return user.role >= Role.PUBLISHER


def _job_url(job_id: str, lang: Language, suffix: str = "") -> str:
    return href(f"/verwaltung/importe/{job_id}{suffix}", lang)


def _upload_page(
    request: Request,
    user: SignedIn,
    *,
    message: str = "",
    status: int = 200,
    chosen_kind: str = Kind.OBSERVATIONS.value,
    chosen_release: str = DEFAULT_RELEASE,
    new_release: str = "",
) -> Response:
    t = _t(request)
    lang = request_language(request)
    engine = engine_of(request)
    with engine.connect() as conn:
        drafts = [r.name for r in list_releases(conn) if r.is_editable]
    found = jobs.recent(engine, None if _sees_all(user) else user.account.name)
    content = UploadPage(
        csrf_token=user.csrf_token,
        kinds=tuple(
            Option(value=k.value, label=t(KIND_LABELS[k]), selected=k == chosen_kind)
            for k in Kind
        ),
        drafts=(
            Option(
                value=DEFAULT_RELEASE,
                label=t("neuester Entwurf, sonst ein neuer (wie die Kommandozeile)"),
                selected=chosen_release == DEFAULT_RELEASE,
            ),
            *(
                Option(value=name, label=name, selected=name == chosen_release)
                for name in reversed(drafts)
            ),
        ),
        new_release=new_release,
        limit=size_text(upload_limit(request)),
        message=message,
        jobs=tuple(
            JobRow(
                url=_job_url(j.id, lang),
                file_name=j.file_name,
                kind=t(KIND_LABELS[j.kind]),
                account=j.account,
                created=_time(j.created_at, lang),
                status=t(STATUS_LABELS[j.status]),
            )
            for j in found
        ),
        all_accounts=_sees_all(user),
    )
    frame = frame_for(
        request, current_snapshot(request), title=t("Daten hochladen"), crumbs=(CRUMB,)
    )
    response = render(request, "upload.html", frame=frame, page=content)
    response.status_code = status
    return no_store(response)


@router.get(UPLOAD_PATH, response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    return _upload_page(request, user)


@router.post(UPLOAD_PATH)
@takes_a_file
async def upload(request: Request) -> Response:
    """Receive a file (streamed to a private file), check it with its importer's dry
    run and show the report; nothing is written to the data."""
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    t = _t(request)
    form: Upload = await uploaded_form(request)
    fields = form.fields
    kind = kind_of(fields.get("kind", ""))
    chosen = fields.get("release", DEFAULT_RELEASE)
    new_release = fields.get("new_release", "").strip()

    def again(message: str, status: int) -> Response:
        if form.file is not None:
            shutil.rmtree(form.file.path.parent, ignore_errors=True)
        return _upload_page(
            request,
            user,
            message=message,
            status=status,
            chosen_kind=kind.value if kind else Kind.OBSERVATIONS.value,
            chosen_release=chosen,
            new_release=new_release,
        )

    if form.too_large:
        return again(
            t(
                "Die Datei ist größer als {limit} und wurde nicht angenommen. Teilen "
                "Sie sie auf oder importieren Sie sie mit der Kommandozeile "
                "(sozialmonitor import).",
                limit=size_text(upload_limit(request)),
            ),
            413,
        )
    if form.file is None:
        return again(t("Bitte wählen Sie eine Datei aus."), 400)
    if kind is None:
        return again(t("Bitte wählen Sie, was die Datei enthält."), 400)
    release = new_release or chosen or None
    if new_release and not release_name_ok(new_release):
        return again(
            t(
                "Der Name des neuen Entwurfs darf höchstens 100 Zeichen lang sein "
                "und weder Steuerzeichen noch / oder \\ enthalten (er ist Teil der "
                "Adresse seiner Seite). Wählen Sie einen einfachen Namen wie 2022-H1."
            ),
            400,
        )
    if kind is not Kind.OBSERVATIONS:
        release = None  # areas and the catalogue are not part of a release
    received = form.file
    jobs.sweep(upload_folder(request))
    job = await run_in_threadpool(
        jobs.prepare,
        engine_of(request),
        received,
        kind=kind,
        release=release,
        account=user.account.name,
        address=client_address(request),
    )
    target = _job_url(job.id, request_language(request))
    return no_store(RedirectResponse(target, status_code=303))


def _visible_job(request: Request, user: SignedIn, job_id: str) -> jobs.Job:
    job = jobs.get(engine_of(request), job_id[:40])
    if job is None or not (_sees_all(user) or job.account == user.account.name):
        raise HTTPException(status_code=404, detail="No such import.")
    return job


def _state(job: jobs.Job, t: Translator) -> JobStatus:
    rows = formatting.number(job.rows_total, 0, t.lang)
    done = formatting.number(job.rows_done, 0, t.lang)
    if job.status is jobs.Status.WAITING:
        text = t(
            "Die Datei ist geprüft ({rows} Zeilen gültig). Noch ist nichts "
            "geschrieben.",
            rows=rows,
        )
    elif job.status is jobs.Status.RUNNING:
        text = t(PHASE_LABELS.get(job.phase, PHASE_LABELS["importing"]))
        text += " " + t("{rows} gültige Zeilen.", rows=rows)
        if job.started_at is not None:
            seconds = max(int((now() - job.started_at).total_seconds()), 0)
            text += " " + t("Läuft seit {seconds} Sekunden.", seconds=seconds)
    elif job.status is jobs.Status.DONE:
        text = t(
            "Abgeschlossen: {done} Datensätze neu oder geändert.",
            done=done,
        )
        if job.release_name:
            text += " " + t(
                "Sie stehen im Entwurf „{release}“ und sind erst nach der "
                "Veröffentlichung öffentlich.",
                release=job.release_name,
            )
    elif job.status is jobs.Status.ABORTED:
        text = t(
            "Der Import wurde abgebrochen, weil der Server-Prozess endete. Es wurde "
            "nichts geschrieben, es sei denn, das Audit-Protokoll verzeichnet den "
            "Import. Laden Sie die Datei erneut hoch."
        )
    else:
        text = t("Nicht übernommen: Es wurde nichts geschrieben.")
    return JobStatus(
        status=job.status.value,
        label=t(STATUS_LABELS[job.status]),
        text=text,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        finished=job.finished,
        message=job.message,
    )


@router.get("/verwaltung/importe/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    job = _visible_job(request, user, job_id)
    t = _t(request)
    lang = request_language(request)
    content = JobPage(
        csrf_token=user.csrf_token,
        file_name=job.file_name,
        kind=t(KIND_LABELS[job.kind]),
        release=job.release_name
        or (
            t("neuester Entwurf, sonst ein neuer (wie die Kommandozeile)")
            if job.kind is Kind.OBSERVATIONS
            else t("keiner (nicht Teil einer Veröffentlichung)")
        ),
        account=job.account,
        created=_time(job.created_at, lang),
        sha256=job.sha256,
        state=_state(job, t),
        page_url=_job_url(job.id, lang),
        status_url=_job_url(job.id, lang, "/stand"),
        start_url=_job_url(job.id, lang, "/starten"),
        may_start=job.status is jobs.Status.WAITING,
        report=job.report,
        message=job.message,
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Import von {name}", name=job.file_name),
        crumbs=(CRUMB, UPLOAD_CRUMB),
    )
    return no_store(render(request, "import_job.html", frame=frame, page=content))


@router.get("/verwaltung/importe/{job_id}/stand")
def job_status(request: Request, job_id: str) -> Response:
    """The job's state as JSON (what the job page's script polls)."""
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        raise HTTPException(status_code=403, detail="Sign in as an editor.")
    job = _visible_job(request, user, job_id)
    state = _state(job, _t(request))
    return no_store(JSONResponse(state.__dict__))


@router.post("/verwaltung/importe/{job_id}/starten")
def start_job(request: Request, job_id: str) -> Response:
    """Start a checked job's import in the background; back to its page at once."""
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    job = _visible_job(request, user, job_id)
    jobs.start(
        engine_of(request),
        job.id,
        upload_folder(request),
        actor=user.account.name,
        address=client_address(request),
    )
    target = _job_url(job.id, request_language(request))
    return no_store(RedirectResponse(target, status_code=303))
