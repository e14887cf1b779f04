"""Alembic environment for the teaching tables. Run through `Store.migrate()`, which
passes its open connection in `config.attributes["connection"]`; no alembic.ini needed."""

from __future__ import annotations

from alembic import context

from api.teaching.storage import VERSION_TABLE, Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only Store.migrate() runs migrations
    raise RuntimeError("run migrations through api.teaching.storage.Store.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata,
                  version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
