"""Instance: one server and its state machine fields."""

import dataclasses

from novalite.objects.base import Record


@dataclasses.dataclass
class Instance(Record):
    """A server.  ``flavor`` is a snapshot (dict) of the flavor it was built from."""

    uuid: str
    display_name: str
    user_id: str
    project_id: str
    flavor: dict
    image_ref: str = ''
    display_description: str | None = None
    vm_state: str = 'building'
    task_state: str | None = 'scheduling'
    power_state: int = 0
    host: str | None = None
    node: str | None = None
    availability_zone: str | None = None
    key_name: str | None = None
    key_data: str | None = None
    metadata: dict = dataclasses.field(default_factory=dict)
    system_metadata: dict = dataclasses.field(default_factory=dict)
    reservation_id: str = ''
    launch_index: int = 0
    hostname: str = ''
    user_data: str | None = None
    config_drive: str = ''
    locked: bool = False
    locked_by: str | None = None
    progress: int = 0
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    tags: list = dataclasses.field(default_factory=list)
    deleted: bool = False
    launched_at: object = None
    terminated_at: object = None
    created_at: object = None
    updated_at: object = None
    deleted_at: object = None
    id: int | None = None

    @property
    def memory_mb(self):
        return self.flavor['memory_mb']

    @property
    def vcpus(self):
        return self.flavor['vcpus']

    @property
    def root_gb(self):
        return self.flavor['root_gb']

    @property
    def ephemeral_gb(self):
        return self.flavor['ephemeral_gb']
