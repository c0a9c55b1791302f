"""The portal's pages; each module has one query function, an HTML route and its
JSON twin under ``/api/v1/pages``."""
