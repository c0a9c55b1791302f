"""Analysis: composite indices and the statistics behind every comparison."""
