"""Storage: SQLAlchemy tables, migrations, the public read gate and the writes."""
