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


# -- networking (nova-network's tables) ------------------------------------------------------

class Network(Base):
    """A fixed network: its subnet, L2 (bridge, VLAN), DHCP and the host that serves it."""

    __tablename__ = 'networks'
    __table_args__ = (Index('networks_cidr_deleted_idx', 'cidr', 'deleted'),
                      Index('networks_project_id_deleted_idx', 'project_id', 'deleted'))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    label: Mapped[str | None] = mapped_column(String(255))
    injected: Mapped[bool] = mapped_column(Boolean, default=False)
    cidr: Mapped[str | None] = mapped_column(String(43))
    cidr_v6: Mapped[str | None] = mapped_column(String(43))
    multi_host: Mapped[bool] = mapped_column(Boolean, default=False)
    gateway: Mapped[str | None] = mapped_column(String(39))
    netmask: Mapped[str | None] = mapped_column(String(39))
    broadcast: Mapped[str | None] = mapped_column(String(39))
    bridge: Mapped[str | None] = mapped_column(String(255))
    bridge_interface: Mapped[str | None] = mapped_column(String(255))
    dns1: Mapped[str | None] = mapped_column(String(39))
    dns2: Mapped[str | None] = mapped_column(String(39))
    vlan: Mapped[int | None] = mapped_column(Integer)
    vpn_private_address: Mapped[str | None] = mapped_column(String(39))
    dhcp_start: Mapped[str | None] = mapped_column(String(39))
    dhcp_server: Mapped[str | None] = mapped_column(String(39))
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    share_address: Mapped[bool] = mapped_column(Boolean, default=False)
    project_id: Mapped[str | None] = mapped_column(String(255))
    priority: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))
    mtu: Mapped[int | None] = mapped_column(Integer)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VirtualInterface(Base):
    """A server's NIC on one network: its MAC (unique) and uuid (the port id of os-interface)."""

    __tablename__ = 'virtual_interfaces'
    __table_args__ = (Index('virtual_interfaces_instance_uuid_idx', 'instance_uuid'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    address: Mapped[str] = mapped_column(String(255), unique=True)
    network_id: Mapped[int] = mapped_column(ForeignKey('networks.id'))
    instance_uuid: Mapped[str] = mapped_column(String(36))


class FixedIp(Base):
    """One address of a network: free, reserved, or allocated (and leased) to a server's VIF."""

    __tablename__ = 'fixed_ips'
    __table_args__ = (UniqueConstraint('network_id', 'address',
                                       name='uniq_fixed_ips0network_id0address'),
                      Index('fixed_ips_instance_uuid_idx', 'instance_uuid'),
                      Index('fixed_ips_network_id_free_idx', 'network_id', 'reserved',
                            'instance_uuid'),
                      Index('fixed_ips_address_idx', 'address'))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(39))
    network_id: Mapped[int] = mapped_column(ForeignKey('networks.id'))
    virtual_interface_id: Mapped[int | None] = mapped_column(Integer)
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    allocated: Mapped[bool] = mapped_column(Boolean, default=False)
    leased: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    host: Mapped[str | None] = mapped_column(String(255))


class FloatingIp(Base):
    """A public address of a pool: free, allocated to a project, and maybe on a fixed IP."""

    __tablename__ = 'floating_ips'
    __table_args__ = (Index('floating_ips_project_id_idx', 'project_id'),
                      Index('floating_ips_pool_project_idx', 'pool', 'project_id'),
                      Index('floating_ips_fixed_ip_id_idx', 'fixed_ip_id'))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(39), unique=True)
    fixed_ip_id: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    auto_assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    pool: Mapped[str] = mapped_column(String(255))
    interface: Mapped[str | None] = mapped_column(String(255))


class InstanceInfoCache(Base):
    """A server's last network_info (VIFs, fixed and floating IPs) as the API shows it."""

    __tablename__ = 'instance_info_caches'
    instance_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_info: Mapped[list] = mapped_column(JSON, default=list)


class SecurityGroup(Base):
    """A project's named set of ingress rules."""

    __tablename__ = 'security_groups'
    __table_args__ = (UniqueConstraint('project_id', 'name',
                                       name='uniq_security_groups0project_id0name'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default='')
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))


class SecurityGroupRule(Base):
    """One ingress rule: protocol and port range (or ICMP type/code) from a CIDR or a group."""

    __tablename__ = 'security_group_rules'
    __table_args__ = (Index('security_group_rules_parent_idx', 'parent_group_id'),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_group_id: Mapped[int] = mapped_column(
        ForeignKey('security_groups.id', ondelete='CASCADE'))
    protocol: Mapped[str | None] = mapped_column(String(255))
    from_port: Mapped[int | None] = mapped_column(Integer)
    to_port: Mapped[int | None] = mapped_column(Integer)
    cidr: Mapped[str | None] = mapped_column(String(43))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey('security_groups.id', ondelete='CASCADE'))


class SecurityGroupInstanceAssociation(Base):
    """Which groups apply to which server."""

    __tablename__ = 'security_group_instance_association'
    __table_args__ = (UniqueConstraint('security_group_id', 'instance_uuid',
                                       name='uniq_sgia0security_group_id0instance_uuid'),
                      Index('sgia_instance_uuid_idx', 'instance_uuid'))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    security_group_id: Mapped[int] = mapped_column(
        ForeignKey('security_groups.id', ondelete='CASCADE'))
    instance_uuid: Mapped[str] = mapped_column(String(36))
