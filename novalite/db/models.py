"""SQLAlchemy 2 table definitions.  Migrations under db/migrations must match them."""

import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer
from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from novalite.utils import utcnow




class Base(DeclarativeBase):
    """Declarative base; ``created_at``/``updated_at`` on every table."""

    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, onupdate=utcnow)


class Service(Base):
    __tablename__ = 'services'
    __table_args__ = (UniqueConstraint('host', 'binary', name='uniq_services0host0binary'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class ComputeNode(Base):
    __tablename__ = 'compute_nodes'
    __table_args__ = (UniqueConstraint('host', 'hypervisor_hostname',
                                       name='uniq_compute_nodes0host0hypervisor_hostname'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    hypervisor_hostname: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    local_gb: Mapped[int] = mapped_column(Integer, default=0)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_used: Mapped[int] = mapped_column(Integer, default=0)
    local_gb_used: Mapped[int] = mapped_column(Integer, default=0)
    free_ram_mb: Mapped[int] = mapped_column(Integer, default=0)
    free_disk_gb: Mapped[int] = mapped_column(Integer, default=0)
    disk_available_least: Mapped[int | None] = mapped_column(Integer)
    running_vms: Mapped[int] = mapped_column(Integer, default=0)
    current_workload: Mapped[int] = mapped_column(Integer, default=0)
    hypervisor_type: Mapped[str] = mapped_column(String(255), default='fake')
    hypervisor_version: Mapped[int] = mapped_column(BigInteger, default=0)
    host_ip: Mapped[str | None] = mapped_column(String(39))
    cpu_info: Mapped[str] = mapped_column(Text, default='{}')
    supported_instances: Mapped[list] = mapped_column(JSON, default=list)
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    cpu_allocation_ratio: Mapped[float | None] = mapped_column(Float)
    ram_allocation_ratio: Mapped[float | None] = mapped_column(Float)
    disk_allocation_ratio: Mapped[float | None] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Flavor(Base):
    __tablename__ = 'flavors'
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavorid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    memory_mb: Mapped[int] = mapped_column(Integer)
    vcpus: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    extra_specs: Mapped[dict] = mapped_column(JSON, default=dict)


class Image(Base):
    """The local image registry: what imageRef may name."""

    __tablename__ = 'images'
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default='active')
    visibility: Mapped[str] = mapped_column(String(32), default='public')
    owner: Mapped[str | None] = mapped_column(String(255))
    disk_format: Mapped[str] = mapped_column(String(32), default='qcow2')
    container_format: Mapped[str] = mapped_column(String(32), default='bare')
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)


class KeyPair(Base):
    __tablename__ = 'key_pairs'
    __table_args__ = (UniqueConstraint('user_id', 'name', name='uniq_key_pairs0user_id0name'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), default='ssh')


class Instance(Base):
    __tablename__ = 'instances'
    __table_args__ = (Index('instances_project_id_deleted_idx', 'project_id', 'deleted'),
                      Index('instances_host_deleted_idx', 'host', 'deleted'),
                      Index('instances_reservation_id_idx', 'reservation_id'))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    image_ref: Mapped[str] = mapped_column(String(255), default='')
    flavor: Mapped[dict] = mapped_column(JSON)
    # copied out of the flavor so quota usage is one SUM, not a scan of JSON blobs
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    vm_state: Mapped[str] = mapped_column(String(255))
    task_state: Mapped[str | None] = mapped_column(String(255))
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    key_name: Mapped[str | None] = mapped_column(String(255))
    key_data: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict] = mapped_column('metadata', JSON, default=dict)
    system_metadata: Mapped[dict] = mapped_column(JSON, default=dict)
    reservation_id: Mapped[str] = mapped_column(String(255))
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    hostname: Mapped[str] = mapped_column(String(255), default='')
    user_data: Mapped[str | None] = mapped_column(Text)
    config_drive: Mapped[str] = mapped_column(String(255), default='')
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[str | None] = mapped_column(String(255))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    access_ip_v4: Mapped[str | None] = mapped_column(String(39))
    access_ip_v6: Mapped[str | None] = mapped_column(String(39))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    launched_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    terminated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class InstanceFault(Base):
    __tablename__ = 'instance_faults'
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), ForeignKey('instances.uuid'), index=True)
    code: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))


class Quota(Base):
    """Per-project overrides of the [quota] defaults."""

    __tablename__ = 'quotas'
    __table_args__ = (UniqueConstraint('project_id', 'resource', name='uniq_quotas0project_id0resource'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class Aggregate(Base):
    """A host aggregate; its ``availability_zone`` metadata key makes it a zone."""

    __tablename__ = 'aggregates'
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class AggregateHost(Base):
    __tablename__ = 'aggregate_hosts'
    __table_args__ = (UniqueConstraint('aggregate_id', 'host',
                                       name='uniq_aggregate_hosts0aggregate_id0host'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(Integer, ForeignKey('aggregates.id'), index=True)
    host: Mapped[str] = mapped_column(String(255), index=True)


class AggregateMetadata(Base):
    __tablename__ = 'aggregate_metadata'
    __table_args__ = (UniqueConstraint('aggregate_id', 'key',
                                       name='uniq_aggregate_metadata0aggregate_id0key'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(Integer, ForeignKey('aggregates.id'), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class InstanceGroup(Base):
    """A server group: one policy (affinity, anti-affinity, soft-...) and its rules."""

    __tablename__ = 'instance_groups'
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    policy: Mapped[str] = mapped_column(String(255))
    rules: Mapped[dict] = mapped_column(JSON, default=dict)


class InstanceGroupMember(Base):
    __tablename__ = 'instance_group_members'
    __table_args__ = (UniqueConstraint('group_id', 'instance_uuid',
                                       name='uniq_instance_group_members0group_id0instance_uuid'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(Integer, ForeignKey('instance_groups.id'), index=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
