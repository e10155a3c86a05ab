"""Flavor: the hardware template a server is built from."""

import dataclasses

from novalite.objects.base import Record


@dataclasses.dataclass
class Flavor(Record):
    """A flavor as Nova's users know it (``flavorid`` is the API id)."""

    flavorid: str
    name: str
    memory_mb: int
    vcpus: int
    root_gb: int = 0
    ephemeral_gb: int = 0
    swap: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True
    disabled: bool = False
    description: str | None = None
    extra_specs: dict = dataclasses.field(default_factory=dict)
    id: int | None = None
    created_at: object = None
    updated_at: object = None
