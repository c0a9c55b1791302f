"""The real public data in ``../shared/data`` (one folder per source, each with a
SOURCE.md), for the tests that check the importers on it; they skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_ENV = "SOZIALMONITOR_SHARED_DATA"


def shared_data() -> Path:
    """The shared data folder: ``$SOZIALMONITOR_SHARED_DATA``, else ``../shared/data``
    beside the checkout."""
    configured = os.environ.get(SHARED_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def shared_file(folder: str, name: str) -> Path:
    """A file of the shared data; skips the test when it is not there."""
    path = shared_data() / folder / name
    if not path.is_file():
        pytest.skip(
            f"{folder}/{name} is not in the shared data ({shared_data()}); set "
            f"{SHARED_ENV} to the folder that holds it."
        )
    return path
