"""Schema migrations (alembic): ``db_sync`` brings any supported database to head."""

import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from novalite.db import engine as db_engine

_INI = os.path.join(os.path.dirname(__file__), 'alembic.ini')


def _config(connection):
    cfg = Config(_INI)
    cfg.set_main_option('script_location', os.path.join(os.path.dirname(__file__), 'migrations'))
    cfg.attributes['connection'] = connection
    return cfg


def db_sync(engine, revision='head'):
    """Upgrade the schema behind ``engine`` to ``revision``."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def db_version(engine):
    """The current alembic revision, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def engine_for(conf):
    return db_engine.create_engine(db_engine.connection_url(conf))
