"""Alembic environment: runs on the connection the store hands over."""

from alembic import context

from hearten.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: use the URL from the config
    from sqlalchemy import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
