"""Database queries for networks, fixed and floating IPs, VIFs and info caches (a mixin of Database)."""


class NetworksMixin:
    """Network queries; mixed into :class:`novalite.db.api.Database`."""
