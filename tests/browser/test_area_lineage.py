"""The profile of an area with boundary changes (validity, predecessors,
successors) has no WCAG 2.1 A/AA violation, in German and English (issue 12)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.lineage import save_links
from sozialmonitor.store.writes import save_areas
from sozialmonitor.web.app import create_app
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import VIEWPORTS, serving
from tests.fixtures import REGION, TOWNS, make_demo_db

pytestmark = pytest.mark.browser
OLD = "03241901"


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_lineage_section_is_accessible(
    browser: Any, tmp_path: Path, viewport: str, lang: str
) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'lineage.db'}")
    init_database(engine)
    make_demo_db(engine)
    with engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(
                    code=OLD,
                    name="Altgemeinde",
                    level="municipality",
                    parent=REGION,
                    valid_to=dt.date(2020, 12, 31),
                )
            ],
        )
        save_links(
            conn,
            [
                AreaLink(
                    predecessor=OLD,
                    successor=town,
                    kind=LineageKind.SPLIT,
                    valid_on=dt.date(2021, 1, 1),
                    share=0.5,
                    basis=ShareBasis.AREA,
                )
                for town in TOWNS[:2]
            ],
        )
    with serving(create_app(engine)) as base:
        context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
        try:
            page = context.new_page()
            for code in (OLD, TOWNS[0]):
                response = page.goto(f"{base}/gebiet/{code}?lang={lang}")
                assert response is not None and response.status == 200
                assert page.locator("section.lineage li").count() >= 1
                violations = axe_violations(page)
                assert not violations, describe(violations)
        finally:
            context.close()
    engine.dispose()
