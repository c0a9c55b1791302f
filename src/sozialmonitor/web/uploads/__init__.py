"""Files uploaded in the administration: received to a private file while the body is
read (``receive``), checked with the importers' own dry run (``checking``), and
imported in a background job (``jobs``)."""
