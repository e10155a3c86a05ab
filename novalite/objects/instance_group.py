"""InstanceGroup: a server group, its policy and its (non-deleted) members."""

import dataclasses

from novalite.objects.base import Record

POLICIES = ('affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity')


@dataclasses.dataclass
class InstanceGroup(Record):
    """A server group.  ``policy`` is one of :data:`POLICIES`; ``rules`` may hold
    ``max_server_per_host`` (anti-affinity only); ``members`` lists the uuids of
    its servers that are not deleted."""

    uuid: str
    name: str
    user_id: str
    project_id: str
    policy: str
    rules: dict = dataclasses.field(default_factory=dict)
    members: list = dataclasses.field(default_factory=list)
    id: int | None = None
    created_at: object = None
    updated_at: object = None
