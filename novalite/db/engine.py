"""Engine creation: the configured URL, or a WAL-mode SQLite file under state_path."""

import os

import sqlalchemy as sa
from sqlalchemy import event


def default_sqlite_url(conf):
    """SQLite file under state_path (created on demand)."""
    state = os.path.abspath(os.path.expanduser(conf.state_path))
    os.makedirs(state, exist_ok=True)
    return 'sqlite:///' + os.path.join(state, 'novalite.sqlite')


def connection_url(conf):
    return conf.database.connection or default_sqlite_url(conf)


def create_engine(url, echo=False, pool_size=10, max_overflow=20):
    """An Engine tuned per backend: SQLite gets WAL, a busy timeout and relaxed fsync."""
    if url.startswith('sqlite'):
        engine = sa.create_engine(url, echo=echo, connect_args={'check_same_thread': False,
                                                                'timeout': 30},
                                  pool_size=pool_size, max_overflow=max_overflow)

        @event.listens_for(engine, 'connect')
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL lets readers proceed during a write; NORMAL sync is safe with WAL
            # (a crash can lose the last commits but never corrupts the file).
            cur.execute('PRAGMA journal_mode=WAL')
            cur.execute('PRAGMA synchronous=NORMAL')
            cur.execute('PRAGMA foreign_keys=ON')
            cur.close()
        return engine
    return sa.create_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow,
                            pool_pre_ping=True, pool_recycle=3600)
