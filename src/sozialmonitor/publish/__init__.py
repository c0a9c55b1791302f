"""The static build of the public portal (``sozialmonitor publish``): ``build``
puts it together, ``crawl`` reads the portal in-process, ``addresses`` maps
addresses to files and rewrites links, ``search_page`` is the search without a
server."""
