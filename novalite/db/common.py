"""What every query module shares: deadlock retries and row conversion."""

import functools
import random
import time

import sqlalchemy as sa

_DEADLOCK_MYSQL = {1213, 1205}          # deadlock, lock wait timeout
_DEADLOCK_PG = {'40P01', '40001'}       # deadlock detected, serialization failure


def _is_deadlock(exc):
    orig = getattr(exc, 'orig', None)
    if orig is None:
        return False
    if getattr(orig, 'args', None) and orig.args[0] in _DEADLOCK_MYSQL:
        return True
    if getattr(orig, 'sqlstate', None) in _DEADLOCK_PG:
        return True
    return 'database is locked' in str(orig)


def retry_on_deadlock(func):
    """Run a write transaction again when the database picked it as a deadlock victim.

    InnoDB and PostgreSQL abort one of two transactions that lock rows in
    opposite orders (concurrent upserts of compute nodes do); the right answer
    is to run it again, as oslo.db's wrap_db_retry does for Nova.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(8):
            try:
                return func(*args, **kwargs)
            except sa.exc.DBAPIError as exc:
                if attempt == 7 or not _is_deadlock(exc):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
    return wrapper


def _row(row):
    return dict(row._mapping)
