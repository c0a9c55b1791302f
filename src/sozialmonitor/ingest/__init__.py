"""Import: read files, validate everything, then write in one transaction."""
