"""ComputeNode: a hypervisor node's resources as its compute last reported them."""

import dataclasses

from novalite.objects.base import Record


@dataclasses.dataclass
class ComputeNode(Record):
    """Totals and usage of one node; ``*_allocation_ratio`` of None means the scheduler's default."""

    host: str
    hypervisor_hostname: str
    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    free_ram_mb: int = 0
    free_disk_gb: int = 0
    disk_available_least: int | None = None
    running_vms: int = 0
    current_workload: int = 0
    hypervisor_type: str = 'fake'
    hypervisor_version: int = 1000
    host_ip: str | None = None
    cpu_info: str = '{}'
    supported_instances: list = dataclasses.field(default_factory=list)
    stats: dict = dataclasses.field(default_factory=dict)
    cpu_allocation_ratio: float | None = None
    ram_allocation_ratio: float | None = None
    disk_allocation_ratio: float | None = None
    uuid: str | None = None
    id: int | None = None
    created_at: object = None
    updated_at: object = None
