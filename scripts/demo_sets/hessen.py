"""The Hessian pilot of "Regionales Sozialmonitoring" (HMSI): four Landkreise and
the kreisfreie Stadt Offenbach am Main with all their municipalities, from official
statistics through the shipped mappings (see :mod:`official`)."""

from __future__ import annotations

from pathlib import Path

from .common import DemoSet
from .official import District, OfficialSpec
from .official import build as build_official

NAME = "hessen"
PILOT = "06-pilot"
"""The top area: the pilot's districts together (no official key; not Hessen)."""
SPEC = OfficialSpec(
    name=NAME,
    top={
        "code": PILOT,
        "name": "Hessen: Pilotkreise Regionales Sozialmonitoring",
        "level": "state",
    },
    districts=(
        District(code="06635"),  # Landkreis Waldeck-Frankenberg
        District(code="06631"),  # Landkreis Fulda
        District(code="06531"),  # Landkreis Gießen
        District(code="06433"),  # Landkreis Groß-Gerau
        District(code="06413"),  # Kreisfreie Stadt Offenbach am Main
    ),
    gisd_file="GISD_Hessen_Gemeindeverband.csv",
    gisd_district_file="GISD_Hessen_Kreis.csv",
)


def build(shared: Path) -> DemoSet:
    return build_official(shared, SPEC)
