"""Alembic environment: runs against the connection novalite.db.migration hands over."""

from alembic import context

from novalite.db import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online():
    connectable = config.attributes.get('connection')
    if connectable is None:
        import sqlalchemy as sa
        connectable = sa.create_engine(config.get_main_option('sqlalchemy.url')).connect()
    context.configure(connection=connectable, target_metadata=target_metadata,
                      render_as_batch=connectable.dialect.name == 'sqlite')
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option('sqlalchemy.url'),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
