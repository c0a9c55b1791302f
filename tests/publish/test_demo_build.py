"""The static build of the demo subset: every link works under the sub-path,
nothing internal or suppressed, the search lists the demo's indicators."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.publish.build import BuildOutcome
from sozialmonitor.store import queries
from tests.publish.build_walk import broken_links, files_containing
from tests.publish.demo_subset import DEMO_SUB


def test_the_demo_subset_builds_with_no_broken_link(
    hannover_demo: Engine, hannover_build: tuple[Path, BuildOutcome]
) -> None:
    root, outcome = hannover_build
    out = root / DEMO_SUB.strip("/")
    assert broken_links(out, DEMO_SUB) == []
    assert outcome.broken == []
    with hannover_demo.connect() as conn:
        public = queries.list_indicators(conn, audience=Audience.PUBLIC)
        everyone = queries.list_indicators(conn, audience=Audience.INTERNAL)
    for indicator in public:
        assert (out / "indikator" / indicator.id / "index.html").is_file(), indicator.id
    internal = [i for i in everyone if i not in public]
    assert files_containing(out, *(f"/indikator/{i.id}" for i in internal)) == []
    index = json.loads((out / "suche/index.json").read_text(encoding="utf-8"))
    titles = {p["title"] for p in index["pages"] if p["kind"] == "Kennzahl"}
    assert {i.name for i in public} <= titles
