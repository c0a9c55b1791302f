"""The OpenAPI document of ``/api/v1`` as the API really answers.

FastAPI describes each operation from its signature: a 200, and a 422 for invalid
parameters. The portal answers otherwise (``web/problems.py``): invalid parameters
are a 400, a name that does not exist (indicator, area, level, release, index …) a
404, an analysis still being computed a 503 with ``Retry-After``, an unchanged public
answer a 304 — every error as RFC 9457 problem details. This module writes those
answers into the document, from one table of which operation can answer what
(``ANSWERS``); a test fails for an operation missing from it, and schemathesis checks
the document against the running API (``tests/web/test_api_contract.py``).

Only ``/api/…`` is described: the HTML pages and forms are not part of the API.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
REFERENCE = re.compile(r'"#/components/schemas/([^"]+)"')

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "URI of the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What is wrong, in words."},
        "errors": {
            "type": "array",
            "description": "The invalid parameters, one entry each.",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

DESCRIPTIONS = {
    "304": "Not modified: the answer's ETag matches ``If-None-Match``.",
    "400": "Invalid parameters (problem details name each one).",
    "404": "A named indicator, area, level, topic, release or record does not "
    "exist (or is not visible to the caller).",
    "503": "The analysis is still being computed; ask again after ``Retry-After`` "
    "seconds.",
}

NO_NUL = "^[^\\x00]*$"
"""Every text parameter: a NUL is refused before any route (``web/nul_refusal.py``)."""
PERIOD = (
    r"^(?:|(?:19|20)\d\d(?:-H[12])?"
    r"|(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8]))$"
)
"""A year, a half-year or a reference date (every date the pattern admits is a real
one), or empty for none. The API also reads the other forms
``domain.period.parse_period`` knows."""
PERIOD_PARAMETERS = frozenset({"period", "from", "to"})
ID_LIST_ITEM = r"^[^,\s\x00]+$"
"""An item of a list that may also be given comma-separated: one id each."""

NOT_FOUND = frozenset({"404"})
ANSWERS: dict[str, frozenset[str]] = {
    "/api/v1/indicators": frozenset(),
    "/api/v1/areas": NOT_FOUND,
    "/api/v1/observations": NOT_FOUND,
    "/api/v1/gaps": NOT_FOUND | {"503"},
    "/api/v1/indices": frozenset(),
    "/api/v1/indices/{index_id}": NOT_FOUND,
    "/api/v1/indices/{index_id}/results": NOT_FOUND,
    "/api/v1/statistics/compare": NOT_FOUND,
    "/api/v1/statistics/trend": NOT_FOUND,
    "/api/v1/statistics/classes": NOT_FOUND,
    "/api/v1/statistics/spatial": NOT_FOUND | {"503"},
    "/api/v1/statistics/typology": NOT_FOUND,
    "/api/v1/pages/start": frozenset(),
    "/api/v1/pages/thema": frozenset(),
    "/api/v1/pages/thema/{slug}": NOT_FOUND,
    "/api/v1/pages/indikator/{indicator_id}": NOT_FOUND,
    "/api/v1/pages/gebiet": NOT_FOUND,
    "/api/v1/pages/gebiet/{code}": NOT_FOUND,
    "/api/v1/pages/vergleich": NOT_FOUND,
    "/api/v1/pages/sozialindex": frozenset(),
    "/api/v1/pages/sozialindex/{index_id}": NOT_FOUND,
    "/api/v1/pages/empfehlungen": frozenset(),
    "/api/v1/pages/empfehlungen/{code}": NOT_FOUND,
    "/api/v1/pages/berichte": frozenset(),
    "/api/v1/pages/berichte/{template}": NOT_FOUND,
    "/api/v1/pages/berichte/veroeffentlicht/{report_id}": NOT_FOUND,
    "/api/v1/pages/methoden": NOT_FOUND,
    "/api/v1/pages/datenluecken": NOT_FOUND,
    "/api/v1/pages/veraenderungen": NOT_FOUND,
    "/api/v1/pages/suche": frozenset(),
    "/api/v1/pages/impressum": frozenset(),
    "/api/v1/pages/datenschutz": frozenset(),
    "/api/v1/pages/barrierefreiheit": frozenset(),
}
"""Path → the answers besides 200 (and 304, and 400 where it takes parameters)
that its operations can give. A test holds the table to the routes."""
UNDECLARED = NOT_FOUND
"""A route missing from the table (which the test refuses) still gets its 404."""


def api_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the app's ``/api/`` routes with their real answers
    (built once, as FastAPI's own)."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description="Indicators, areas, observations, indices and statistics "
            "of the public social monitoring, and the JSON twin of every page.",
            routes=app.routes,
        )
        document["paths"] = {
            path: item
            for path, item in document["paths"].items()
            if path.startswith(API_PREFIX)
        }
        for path, item in document["paths"].items():
            for operation in item.values():
                _declare(operation, ANSWERS.get(path, UNDECLARED))
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        document["components"]["schemas"] = _referenced(document["paths"], schemas)
        app.openapi_schema = document
    return app.openapi_schema


def _referenced(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schemas the paths use, directly or through each other (the
    forms of the HTML pages and FastAPI's 422 left out)."""
    kept: dict[str, Any] = {}
    todo = [paths]
    while todo:
        text = json.dumps(todo.pop())
        for name in REFERENCE.findall(text):
            if name not in kept and name in schemas:
                kept[name] = schemas[name]
                todo.append(schemas[name])
    return dict(sorted(kept.items()))


def _declare(operation: dict[str, Any], answers: frozenset[str]) -> None:
    for parameter in operation.get("parameters", []):
        _constrain(parameter)
    responses: dict[str, Any] = operation["responses"]
    codes = set(answers) | {"304"}
    if responses.pop("422", None) is not None or operation.get("parameters"):
        codes.add("400")
    for code in sorted(codes):
        if code == "304":
            responses[code] = {"description": DESCRIPTIONS[code]}
            continue
        responses[code] = {
            "description": DESCRIPTIONS[code],
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }


def _constrain(parameter: dict[str, Any]) -> None:
    """Write the rules the API checks into a parameter's schema: periods in their
    forms, id lists one id an item, no NUL anywhere."""
    if parameter["name"] in PERIOD_PARAMETERS:
        pattern = PERIOD
    elif parameter["schema"].get("minItems"):
        pattern = ID_LIST_ITEM
    else:
        pattern = NO_NUL
    for schema in _text_schemas(parameter["schema"]):
        schema.setdefault("pattern", pattern)


def _text_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas within a parameter's schema (alternatives, list items)."""
    if schema.get("type") == "string":
        return [schema]
    found = [s for part in schema.get("anyOf", []) for s in _text_schemas(part)]
    if "items" in schema:
        found += _text_schemas(schema["items"])
    return found
