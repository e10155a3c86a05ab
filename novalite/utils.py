"""Small helpers shared by services that must not import the database layer."""

import datetime


def utcnow():
    """Naive UTC, the way every timestamp is stored and compared."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
