"""The demo sets of ``src/sozialmonitor/demo``: one module each, listed in
``scripts/build_demo_data.py`` (``SETS``)."""
