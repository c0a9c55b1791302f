"""One translator from exceptions to RFC 9457 problem details."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sozialmonitor.errors import (
    SozialmonitorError,
    StillComputingError,
    UnknownAreaError,
    UnknownIndexError,
    UnknownIndicatorError,
    UnknownLevelError,
    UnknownRecordError,
    UnknownReleaseError,
    UnknownTopicError,
)
from sozialmonitor.reports.template import UnknownTemplateError

PROBLEM_TYPE = "https://sozialmonitor.example/problems/"
NOT_FOUND = (
    UnknownAreaError,
    UnknownIndexError,
    UnknownIndicatorError,
    UnknownLevelError,
    UnknownRecordError,
    UnknownReleaseError,
    UnknownTopicError,
    UnknownTemplateError,
)


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[dict[str, object]] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _ours(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SozialmonitorError)
    if isinstance(exc, StillComputingError):
        response = problem(503, "Still computing", exc.message, exc.code)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    status = 404 if isinstance(exc, NOT_FOUND) else 400
    title = "Not found" if status == 404 else "Bad request"
    return problem(status, title, exc.message, exc.code)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, object]] = [
        {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
        for e in exc.errors()
    ]
    return problem(
        400,
        "Bad request",
        "The request's parameters are not valid.",
        "invalid-parameters",
        errors,
    )


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = problem(
        exc.status_code, str(exc.detail), str(exc.detail), f"http-{exc.status_code}"
    )
    if exc.headers:  # e.g. WWW-Authenticate on a 401
        response.headers.update(exc.headers)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(SozialmonitorError, _ours)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
