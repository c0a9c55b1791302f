"""One folder per file format; each reader returns a ``Table``."""
