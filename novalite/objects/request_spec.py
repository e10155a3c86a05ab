"""RequestSpec: everything the scheduler needs to place one boot request."""

import dataclasses

from novalite.objects.base import Record


@dataclasses.dataclass
class RequestSpec(Record):
    """What to place and under which constraints.

    ``num_instances`` servers of ``flavor`` (a dict with memory_mb, vcpus, root_gb,
    ephemeral_gb, swap, extra_specs) for ``project_id``.  ``retry`` is Nova's retry
    record ``{'num_attempts': int, 'hosts': [[host, node], ...]}`` or None when
    rescheduling is disabled; ``ignore_hosts``/``force_hosts``/``force_nodes`` are
    lists of names; ``scheduler_hints`` is the API's ``os:scheduler_hints`` dict
    (values as the API accepted them: ``group``, ``same_host``/``different_host``
    lists of instance uuids, ``query`` a JSON string, ``build_near_host_ip`` and
    ``cidr``).  ``image`` is the image record with its ``properties`` dict.
    ``instance_group`` is None or the server group the instances join, filled in
    by the conductor: ``{'uuid', 'name', 'policy', 'rules': {'max_server_per_host':
    n}, 'members': [instance uuids, including this request's], 'hosts': [hosts
    members are on]}``; the engine appends each chosen host to ``hosts``.
    ``requested_networks`` is None (the network manager's default networks), an
    empty list (no networking: ``networks: "none"``), or ``[{'uuid', 'fixed_ip'}]``.
    """

    flavor: dict
    project_id: str = ''
    user_id: str = ''
    num_instances: int = 1
    instance_uuids: list = dataclasses.field(default_factory=list)
    image: dict = dataclasses.field(default_factory=dict)
    availability_zone: str | None = None
    scheduler_hints: dict = dataclasses.field(default_factory=dict)
    retry: dict | None = None
    ignore_hosts: list = dataclasses.field(default_factory=list)
    force_hosts: list = dataclasses.field(default_factory=list)
    force_nodes: list = dataclasses.field(default_factory=list)
    instance_group: dict | None = None
    requested_networks: list | None = None

    @property
    def memory_mb(self):
        return self.flavor['memory_mb']

    @property
    def vcpus(self):
        return self.flavor['vcpus']

    @property
    def disk_gb(self):
        """Local disk a server of this flavor takes: root + ephemeral + swap (MB->GB)."""
        return (self.flavor.get('root_gb', 0) + self.flavor.get('ephemeral_gb', 0)
                + (self.flavor.get('swap', 0) + 1023) // 1024)
