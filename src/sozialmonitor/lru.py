"""A small thread-safe least-recently-used store: the one bounded cache of the
project.

Pages keep what they read between requests only through their snapshot
(:meth:`sozialmonitor.web.snapshot.Snapshot.lru` and
:meth:`~sozialmonitor.web.snapshot.Snapshot.remember`), so that a new data version
drops everything at once; the drawing module keeps prepared map paths in one, and
the spatial statistics their contiguities (``analysis/service/clusters.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING: Any = object()


class Lru:
    """A bounded thread-safe cache; the least recently used entries go first.

    ``None`` is a value like any other (it can record that a key has none).

    Examples
    --------
    >>> cache = Lru(2)
    >>> cache.put("a", 1); cache.put("b", 2); cache.get("a")
    1
    >>> cache.put("c", 3)  # "b" was used least recently
    >>> cache.lookup(["a", "b", "c"])
    ({'a': 1, 'c': 3}, {'b'})
    >>> cache.get_or_make("b", lambda: 4), len(cache)
    (4, 2)
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept for ``key``, or ``default``."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return default

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key``."""
        self.store({key: value})

    def lookup(self, keys: Iterable[Hashable]) -> tuple[dict[Any, Any], set[Any]]:
        """The values kept for these keys, and the keys without one."""
        found: dict[Any, Any] = {}
        missing: set[Any] = set()
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
                else:
                    missing.add(key)
        return found, missing

    def store(self, values: Mapping[Any, Any]) -> None:
        """Keep several values at once."""
        with self._lock:
            for key, value in values.items():
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept for ``key``, made by ``make()`` and kept when missing.

        ``make`` runs unlocked, so a rare concurrent double make is possible (and
        harmless); use :meth:`Snapshot.remember` where it must run once.
        """
        found = self.get(key, _MISSING)
        if found is _MISSING:
            found = make()
            self.put(key, found)
        return found  # type: ignore[no-any-return]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
