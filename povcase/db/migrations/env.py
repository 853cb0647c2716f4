"""Alembic environment: migrations run on the application's own engine (see migrate.py)."""

from alembic import context

from povcase.db.migrate import include_name
from povcase.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
