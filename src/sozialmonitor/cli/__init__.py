"""The ``sozialmonitor`` command. Thin: parse, call the layer below, print.

One module per command group (``imports``, ``releases``, ``levels``, ``index``,
``stats``, whose text tables are in ``stats_tables``) and per top-level command
(``export``, ``serve``); ``root`` puts them together, ``console`` holds what
they share.
"""

from sozialmonitor.cli.root import app

__all__ = ["app"]
