"""``/api/v1/indices``: the index definitions and their results as JSON.

Results are computed on request through the read gate for the request's audience:
the public's from published, public, unsuppressed values only, so they always match
the published state the rest of the API shows; a signed-in reader's (or a token's)
from the administration's view within the account's area scope, marked ``internal``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sozialmonitor.analysis.index_definition import (
    IndexDefinition,
    shipped_definitions,
)
from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.errors import UnknownIndexError
from sozialmonitor.store import queries
from sozialmonitor.web.session import audience_of

router = APIRouter(prefix="/api/v1")


def _definition(index_id: str) -> IndexDefinition:
    """A shipped definition by id only (never a path from the request)."""
    shipped = shipped_definitions()
    if index_id not in shipped:
        raise UnknownIndexError(
            f"There is no index '{index_id}'. Indices: {', '.join(shipped)}."
        )
    return shipped[index_id]


def _summary(definition: IndexDefinition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "name": definition.name,
        "level": definition.level,
        "period": definition.period,
        "results": f"/api/v1/indices/{definition.id}/results",
    }


@router.get("/indices")
def indices() -> dict[str, Any]:
    """The index definitions available (shipped with Sozialmonitor)."""
    return {
        "indices": [
            {**_summary(d), "definition": d.to_dict(), "definition_sha256": d.digest}
            for d in shipped_definitions().values()
        ]
    }


@router.get("/indices/{index_id}")
def index_definition(index_id: str) -> dict[str, Any]:
    """One definition, with its YAML text."""
    d = _definition(index_id)
    return {
        **_summary(d),
        "definition": d.to_dict(),
        "definition_sha256": d.digest,
        "text": d.text,
    }


@router.get("/indices/{index_id}/results")
def index_results(
    request: Request,
    index_id: str,
    period: Annotated[
        str | None,
        Query(description="Reference period (default: the definition's)."),
    ] = None,
    as_of: Annotated[str | None, Query(description="Read as of this release.")] = None,
) -> dict[str, Any]:
    """Per area: z-scores by indicator, sums, index values, classes with their
    official labels, the combined cell, or why the area is left out; and the focus
    areas with their drivers. ``internal`` says whether the result was computed
    from the administration's view (internal and confidential values, within the
    account's area scope ``scope``) rather than the public's."""
    d = _definition(index_id)
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        result = compute_from_database(
            conn, d, period=period, as_of=as_of, audience=audience
        )
        release = (
            queries.get_release(conn, as_of)
            if as_of
            else queries.latest_published(conn)
        )
    return {
        "release": release.to_dict() if release else None,
        "internal": audience.internal,
        "scope": audience.scope,
        **result.to_dict(),
    }
