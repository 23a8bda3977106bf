"""Alembic env: runs on the connection `migrate()` hands over in `config.attributes`."""

from __future__ import annotations

from alembic import context

from syncjobs.engine.schema import metadata

VERSION_TABLE = "engine_alembic_version"


def _include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # The store's tables share the database: only ever look at ours.
    if type_ == "table":
        return bool(name and name.startswith("engine_"))
    return True


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run engine migrations through syncjobs.engine.migrate()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    include_object=_include_object,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
