"""The demo subset the static build is timed and walked on (fixtures, shared
through ``tests/conftest.py`` with the browser test): the Region Hannover
set of the demo (its 21 municipalities), imported the normal way and published."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.demo import DEMO_RELEASE, demo_folder
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.publish.build import BuildOutcome, publish_site
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import publish_release

DEMO_SUB = "/sozialmonitor/"
DEMO_SUBSET = "hannover"


@pytest.fixture(scope="session")
def hannover_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("hannover") / "demo.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    folder = demo_folder() / DEMO_SUBSET
    import_indicators(engine, folder / "indicators.yaml")
    import_areas(engine, folder / "areas.geojson")
    import_observations(engine, folder / "observations.csv", release=DEMO_RELEASE)
    with engine.begin() as conn:
        publish_release(conn, DEMO_RELEASE)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def hannover_build(
    hannover_demo: Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, BuildOutcome]:
    """The demo subset built under ``DEMO_SUB``: the folder served (the build is
    its sub-folder ``sozialmonitor``) and the outcome, with its time printed."""
    root = tmp_path_factory.mktemp("served")
    started = time.monotonic()
    outcome = publish_site(hannover_demo, root / DEMO_SUB.strip("/"), base_url=DEMO_SUB)
    print(
        f"\nstatic build of the demo subset ({DEMO_SUBSET}): {outcome.files} files, "
        f"{outcome.bytes:,} bytes in {time.monotonic() - started:.1f} s"
    )
    return root, outcome
