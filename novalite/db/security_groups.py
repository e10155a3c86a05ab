"""Database queries for security groups, their rules and server associations (a mixin of Database)."""


class SecurityGroupsMixin:
    """Security group queries; mixed into :class:`novalite.db.api.Database`."""
