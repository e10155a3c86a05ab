"""Database queries for host aggregates, their hosts and metadata (a mixin of Database)."""


class AggregatesMixin:
    """Aggregate queries; mixed into :class:`novalite.db.api.Database`."""
