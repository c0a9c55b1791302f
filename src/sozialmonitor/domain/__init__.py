"""The domain: plain records and rules, no I/O."""
