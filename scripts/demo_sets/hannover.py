"""Region Hannover (03241) and its 21 municipalities, from official statistics
through the shipped mappings (see :mod:`official`)."""

from __future__ import annotations

from pathlib import Path

from .common import DemoSet
from .official import District, OfficialSpec
from .official import build as build_official

NAME = "hannover"
REGION = "03241"
SPEC = OfficialSpec(
    name=NAME,
    districts=(District(code=REGION, name="Region Hannover"),),
    gisd_file="GISD_Niedersachsen_Gemeindeverband.csv",
    checks={
        # Facts quoted by the sources' SOURCE.md: fail if reading goes wrong.
        ("unemployed", "03241002", "1998"): "1429",
        ("population", "03241002", "2015-12-31"): "33608",
        ("population", "03241001", "2008-12-31"): "",
        ("minimum_income_recipients", REGION, "2015-12-31"): "149906",
    },
)


def build(shared: Path) -> DemoSet:
    return build_official(shared, SPEC)
