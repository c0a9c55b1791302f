"""Migration 0005: the import jobs' table goes and comes back with the schema."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from sozialmonitor.store.database import _alembic_config, schema_is_current


def test_migration_0005_downgrades_and_upgrades_again(engine: Engine) -> None:
    assert "import_job" in inspect(engine).get_table_names()
    command.downgrade(_alembic_config(engine), "0004")
    assert "import_job" not in inspect(engine).get_table_names()
    assert "audit_event" in inspect(engine).get_table_names()
    command.upgrade(_alembic_config(engine), "head")
    assert schema_is_current(engine)
    indexes = {i["name"] for i in inspect(engine).get_indexes("import_job")}
    assert indexes == {"ix_import_job_account", "ix_import_job_created_at"}
