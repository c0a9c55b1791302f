"""Positions of area codes in a list of areas, looked up for many codes at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np
import numpy.typing as npt


class Positions(dict[str, int]):
    """Code → position in a list of codes, with ``of`` for many codes at once.

    ``of`` reads the dictionary through ``map`` at C speed: for the 22,000 codes of
    a change view at Germany size 3 ms, where ``pandas.Index.get_indexer`` on a
    string index takes 7.5 ms (it first turns the codes into a string array).
    """

    def __init__(self, codes: Iterable[str]) -> None:
        super().__init__((code, i) for i, code in enumerate(codes))

    def of(self, codes: Sequence[str]) -> npt.NDArray[np.int64]:
        """Each code's position (-1: not in the list), as an array."""
        return np.fromiter(
            map(self.get, codes, repeat(-1)), dtype=np.int64, count=len(codes)
        )
