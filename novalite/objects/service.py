"""Service: one running novalite service (binary on a host) and its heartbeat."""

import dataclasses

from novalite.objects.base import Record


@dataclasses.dataclass
class Service(Record):
    """A row of os-services; liveness comes from ``updated_at`` (see servicegroup)."""

    host: str
    binary: str
    topic: str
    report_count: int = 0
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    availability_zone: str | None = None
    uuid: str | None = None
    id: int | None = None
    created_at: object = None
    updated_at: object = None
    last_seen_up: object = None
