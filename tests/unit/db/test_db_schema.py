"""The alembic migrations build exactly the schema the models declare."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from novalite.db import migration
from novalite.db import models


def test_migrations_match_models(tmp_path):
    engine = sa.create_engine('sqlite:///%s' % (tmp_path / 'schema.sqlite'))
    migration.db_sync(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
    assert diff == [], 'models and migrations differ; add a migration: %s' % diff


def test_sqlite_runs_in_wal_mode(tmp_path):
    from novalite.db import engine as db_engine
    engine = db_engine.create_engine('sqlite:///%s' % (tmp_path / 'wal.sqlite'))
    with engine.connect() as conn:
        assert conn.exec_driver_sql('PRAGMA journal_mode').scalar() == 'wal'
