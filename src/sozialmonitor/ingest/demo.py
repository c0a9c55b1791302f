"""The demo database: the project's own real demo data, imported the normal way."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.analysis.index_definition import find_definition
from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.lineage import import_lineage
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.ingest.qualitative import import_records
from sozialmonitor.store.database import init_database
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import publish_release

DEMO_RELEASE = "Demo 2021"
DEMO_SETS = ("hannover", "berlin", "hessen")
"""Folders of ``sozialmonitor/demo``, each with areas, indicators and observations."""
DEMO_VINTAGES = ("berlin-2020",)
"""Folders with an earlier boundary vintage of a set's areas: areas.geojson and the
lineage.csv that links them to their successors (Berlin's 447 planning areas until
2020)."""
DEMO_INDICES = ("mss",)
"""Shipped index definitions computed into the demo release (Berlin's MSS 2021)."""
DEMO_EXAMPLES = ("examples/hannover-qualitative.csv",)
"""Example findings and recommendations (invented, each marked "Beispiel", without
figures or personal data; ``demo/examples/README.md``)."""
DEMO_SITES = ("hannover", "berlin")
"""Site configurations shipped with the demo (``demo/sites/<name>/site.toml``):
``sozialmonitor demo --site hannover``."""


def demo_folder() -> Path:
    with as_file(files("sozialmonitor").joinpath("demo")) as path:
        return Path(path)


def demo_site(name: str) -> str:
    """The site file of a shipped demo site by its name, else ``name`` itself (a
    site file of one's own)."""
    if name in DEMO_SITES:
        return str(demo_folder() / "sites" / name / "site.toml")
    return name


def build_demo_database(engine: Engine) -> bool:
    """Fill a database with the demo data; False when it was there already."""
    init_database(engine)
    with engine.connect() as conn:
        if any(r.name == DEMO_RELEASE for r in list_releases(conn)):
            return False
    root = demo_folder()
    for name in DEMO_SETS:
        folder = root / name
        import_indicators(engine, folder / "indicators.yaml")
        import_areas(engine, folder / "areas.geojson")
        import_observations(engine, folder / "observations.csv", release=DEMO_RELEASE)
    for name in DEMO_VINTAGES:
        import_areas(engine, root / name / "areas.geojson")
        import_lineage(engine, root / name / "lineage.csv")
    for index in DEMO_INDICES:
        compute_and_store(engine, find_definition(index), release=DEMO_RELEASE)
    with engine.begin() as conn:
        publish_release(conn, DEMO_RELEASE)
    for name in DEMO_EXAMPLES:
        import_records(engine, root / name)
    return True
