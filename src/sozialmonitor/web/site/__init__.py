"""The portal as a municipality's own site: the site file and what it governs."""

from sozialmonitor.web.site.config import DEFAULT_SITE, Site
from sozialmonitor.web.site.loading import load_site

__all__ = ["DEFAULT_SITE", "Site", "load_site"]
