"""Aggregate: a named group of hosts with metadata; ``availability_zone`` metadata makes it a zone."""

import dataclasses

from novalite.objects.base import Record

AZ_KEY = 'availability_zone'


@dataclasses.dataclass
class Aggregate(Record):
    """A host aggregate as the compute API and os-aggregates see it."""

    name: str
    id: int | None = None
    uuid: str | None = None
    hosts: list = dataclasses.field(default_factory=list)
    metadata: dict = dataclasses.field(default_factory=dict)
    deleted: bool = False
    created_at: object = None
    updated_at: object = None
    deleted_at: object = None

    @property
    def availability_zone(self):
        """The zone this aggregate defines (its ``availability_zone`` metadata), or None."""
        return self.metadata.get(AZ_KEY)
