"""Database queries for server groups and their members (a mixin of Database)."""


class InstanceGroupsMixin:
    """Server group queries; mixed into :class:`novalite.db.api.Database`."""
