"""The same content gives the same bytes, so that a new build rewrites only what a
new release changed: workbooks (zip files) carry the time they were written, and
rdflib names blank nodes at random (and orders its JSON-LD by those names)."""

from __future__ import annotations

import hashlib
import io
import zipfile

from rdflib import BNode, Graph

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry, for every entry."""
_NAME_DIGITS = 16
_ROUNDS = 3
"""Blank nodes nested this deep are named after their content."""


def stable_zip(body: bytes) -> bytes:
    """The zip file (an XLSX workbook) with every entry dated ``ZIP_TIME``; the
    entries, their order and compression stay as they were."""
    source = zipfile.ZipFile(io.BytesIO(body))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            out.writestr(fixed, source.read(info))
    return target.getvalue()


def stable_graph(graph: Graph) -> Graph:
    """The graph with each blank node named after what it says (a hash of its
    own statements), so that a serialiser orders and names them the same in every
    build. Blank nodes saying the same become one, which leaves the graph's
    meaning as it was."""
    nodes = {s for s in graph.subjects() if isinstance(s, BNode)}
    names: dict[BNode, BNode] = {}
    for _ in range(_ROUNDS):  # a blank node inside another is named first
        names = {
            node: BNode(f"b{_digest(graph, node, names)[:_NAME_DIGITS]}")
            for node in nodes
        }
    stable = Graph(namespace_manager=graph.namespace_manager)
    for s, p, o in graph:
        stable.add(
            (
                names.get(s, s) if isinstance(s, BNode) else s,
                p,
                names.get(o, o) if isinstance(o, BNode) else o,
            )
        )
    return stable


def _digest(graph: Graph, node: BNode, names: dict[BNode, BNode]) -> str:
    said = sorted(
        f"{p.n3()} {names.get(o, o).n3() if isinstance(o, BNode) else o.n3()}"
        for p, o in graph.predicate_objects(node)
    )
    return hashlib.sha256("\n".join(said).encode("utf-8")).hexdigest()
