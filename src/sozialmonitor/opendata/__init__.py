"""Open data out of the published releases: a Frictionless Data Package and the
DCAT-AP.de metadata GovData harvests. Public values only, read through the gate."""
