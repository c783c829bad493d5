"""Alembic environment: migrations run on the connection ``server.registry.db.migrate`` opens."""

from alembic import context

from server.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through server.registry.db.migrate (kyusui-api migrate)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
