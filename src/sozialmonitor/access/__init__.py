"""Who may see what: disclosure control of small counts (and, later, accounts,
roles and sessions). The read gate in ``store.queries`` asks it; nothing else does."""
