"""YAML files: the indicator catalogue."""
