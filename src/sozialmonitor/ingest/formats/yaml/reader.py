"""Read a YAML file safely: bounded in size, aliases, expansion and nesting.

``yaml.safe_load`` builds no arbitrary objects, but it still lets a file of a few
hundred bytes stand for billions of nodes through aliases ("billion laughs"), and
lets deep nesting exhaust Python's recursion. The loader here counts while it
composes the document, before any Python object is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from sozialmonitor.errors import LimitExceededError, ReadError
from sozialmonitor.ingest.limits import (
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)
from sozialmonitor.ingest.table import check_file_size


class _Limit(yaml.YAMLError):
    """A limit reached while composing; carries the finding and the line."""

    def __init__(self, finding: str, reason: str, line: int) -> None:
        super().__init__(reason)
        self.finding = finding
        self.reason = reason
        self.line = line


def _too_many_values() -> str:
    return (
        f"the file stands for more than {MAX_YAML_NODES:,} values, aliases (*name) "
        "counted as often as they are used. A catalogue has a few fields per "
        "indicator; write aliases out, or split the file."
    )


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses too many aliases and too deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        line = self.peek_event().start_mark.line + 1
        if self.check_event(AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _Limit(
                    "yaml-bomb",
                    f"more than {MAX_YAML_ALIASES} aliases (*name); a catalogue needs "
                    "few or none. Write the values out instead of referring to them.",
                    line,
                )
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise _Limit("yaml-bomb", _too_many_values(), line)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _Limit(
                    "yaml-too-deep",
                    f"lists and mappings nested more than {MAX_YAML_DEPTH} deep; a "
                    "catalogue is a list of indicators with fields, nested 4 deep at "
                    "most. Check the indentation and the brackets.",
                    line,
                )
            return Composer.compose_node(self, parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def expanded_size(root: Node) -> int:
    """How many nodes the document stands for, aliases counted as often as they
    are used; stops counting beyond ``MAX_YAML_NODES``.

    Raises
    ------
    _Limit
        When an alias refers to the node that contains it (an endless document), or
        aliases nest the document deeper than ``MAX_YAML_DEPTH``.
    """
    sizes: dict[int, tuple[int, int]] = {}
    """Node → (values it stands for, levels it nests)."""
    open_nodes: set[int] = set()

    def too_deep(node: Node) -> _Limit:
        return _Limit(
            "yaml-too-deep",
            f"through its aliases the document nests more than {MAX_YAML_DEPTH} deep. "
            "Write the values out instead of nesting aliases.",
            node.start_mark.line + 1,
        )

    def size(node: Node, level: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            if level + sizes[key][1] - 1 > MAX_YAML_DEPTH:
                raise too_deep(node)
            return sizes[key]
        if key in open_nodes:
            raise _Limit(
                "yaml-bomb",
                "an alias refers to the list or mapping that contains it, so the "
                "document never ends. Remove the alias.",
                node.start_mark.line + 1,
            )
        if level > MAX_YAML_DEPTH:
            raise too_deep(node)
        open_nodes.add(key)
        total, height = 1, 1
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            count, levels = size(child, level + 1)
            total, height = total + count, max(height, levels + 1)
            if total > MAX_YAML_NODES:
                break
        open_nodes.discard(key)
        sizes[key] = (min(total, MAX_YAML_NODES + 1), height)
        return sizes[key]

    return size(root, 1)[0]


def read_yaml(path: Path) -> Any:
    """The content of a YAML file as Python lists, dicts and scalars.

    Raises
    ------
    LimitExceededError
        When the file is larger than ``MAX_YAML_BYTES``, uses more than
        ``MAX_YAML_ALIASES`` aliases, stands for more than ``MAX_YAML_NODES`` nodes
        or nests deeper than ``MAX_YAML_DEPTH``.
    ReadError
        When it is not UTF-8 or not valid YAML (``finding`` ``wrong-encoding``,
        ``invalid-yaml``).
    """
    if not path.is_file():
        raise ReadError(
            path, "the file does not exist. Check the path and the file name."
        )
    check_file_size(path, MAX_YAML_BYTES)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise ReadError(
            path, "the file may not be read. Check its permissions."
        ) from None
    except UnicodeDecodeError as exc:
        raise ReadError(
            path,
            "the YAML file is not UTF-8. Save it again as UTF-8.",
            finding="wrong-encoding",
            row=exc.object[: exc.start].count(b"\n") + 1,
        ) from None
    loader = BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if expanded_size(root) > MAX_YAML_NODES:
            raise _Limit("yaml-bomb", _too_many_values(), 1)
        return loader.construct_document(root)
    except _Limit as exc:
        raise LimitExceededError(
            path, exc.reason, finding=exc.finding, row=exc.line
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ReadError(
            path,
            f"not valid YAML: {problem}. Check the indentation, the ':' after each "
            "field name and quote texts that contain ':' or '#'.",
            finding="invalid-yaml",
            row=mark.line + 1 if mark is not None else None,
        ) from None
    except (ValueError, OverflowError) as exc:  # e.g. a date 2021-13-45
        raise ReadError(
            path,
            f"not valid YAML: a value cannot be read ({exc}). Quote texts that look "
            "like dates or numbers.",
            finding="invalid-yaml",
        ) from None
    finally:
        loader.dispose()
