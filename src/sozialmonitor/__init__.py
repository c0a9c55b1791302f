"""Sozialmonitor: municipal social monitoring and social planning."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sozialmonitor")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
