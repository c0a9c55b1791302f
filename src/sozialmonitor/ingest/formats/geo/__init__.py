"""Boundary files read with GDAL."""
