"""HostState: the scheduler's view of one (host, nodename), with virtual consumption."""

import datetime
import json
import types


def utcnow():
    """Naive UTC now, the way novalite records store timestamps."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _service_dict(service):
    if service is None:
        return {}
    if hasattr(service, 'to_dict'):
        service = service.to_dict()
    return dict(service)


#: Shared empty values: most hosts have no instances noted, no aggregates ...,
#: and one object per host of each would cost more than the host's columns.
NO_INSTANCES = frozenset()
EMPTY_MAPPING = types.MappingProxyType({})


def _cpu_info(value):
    """The node's cpu_info as a dict (computes report it as a JSON string)."""
    if isinstance(value, dict):
        return value
    if not value or value == '{}':
        return EMPTY_MAPPING
    try:
        parsed = json.loads(value or '{}')
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


class HostState:
    """Mutable resources of one compute node as the scheduler sees them.

    The resource fields come from the node's last report
    (:meth:`update_from_compute_node`) minus what this scheduler has placed
    there since (:meth:`consume_from_request`).  ``service`` is a dict with
    at least ``disabled``, ``disabled_reason``, ``forced_down`` and ``is_up``
    (liveness precomputed by the host manager).  ``aggregates`` is a list of
    ``{'name': ..., 'metadata': {...}}`` dicts.  ``limits`` is filled by
    resource filters (``memory_mb``, ``vcpu``, ``disk_gb``) and handed to the
    compute's claim.  ``cpu_info`` is the node's cpu_info parsed to a dict,
    ``supported_instances`` its ``[[arch, hypervisor_type, vm_mode], ...]``,
    ``failed_builds`` the compute's count of consecutive failed builds (from
    its stats), ``instances`` the set of instance uuids known to be on the
    host.  An allocation ratio of None means "not known here":
    filters then use the configured default.
    """

    # Slots keep ~10k-host populations small and attribute access fast.
    __slots__ = ('host', 'nodename',
                 'total_usable_ram_mb', 'free_ram_mb',
                 'total_usable_disk_gb', 'free_disk_mb', 'disk_mb_used',
                 'vcpus_total', 'vcpus_used', 'num_instances', 'num_io_ops',
                 'availability_zone', 'aggregates', 'service',
                 'hypervisor_type', 'hypervisor_version', 'host_ip', 'stats',
                 'cpu_info', 'supported_instances', 'failed_builds',
                 'limits', 'ram_allocation_ratio', 'cpu_allocation_ratio',
                 'disk_allocation_ratio', 'instances', 'updated',
                 '_arrays', '_slot')

    # What consume_from_request changes, i.e. what snapshot/restore cover.
    _CONSUMED = ('free_ram_mb', 'free_disk_mb', 'vcpus_used', 'num_instances',
                 'num_io_ops', 'updated')

    def __init__(self, host, nodename, **attrs):
        self.host = host
        self.nodename = nodename
        self.total_usable_ram_mb = 0
        self.free_ram_mb = 0
        self.total_usable_disk_gb = 0
        self.free_disk_mb = 0
        self.disk_mb_used = 0
        self.vcpus_total = 0
        self.vcpus_used = 0
        self.num_instances = 0
        self.num_io_ops = 0
        self.availability_zone = None
        self.aggregates = ()
        self.service = {'disabled': False, 'disabled_reason': None,
                        'forced_down': False, 'is_up': True}
        self.hypervisor_type = None
        self.hypervisor_version = None
        self.host_ip = None
        self.stats = EMPTY_MAPPING
        self.cpu_info = EMPTY_MAPPING
        self.supported_instances = ()
        self.failed_builds = 0
        self.limits = {}
        self.ram_allocation_ratio = None
        self.cpu_allocation_ratio = None
        self.disk_allocation_ratio = None
        self.instances = NO_INSTANCES
        self.updated = None
        # Set by HostArrays.add: this state's row, kept in sync by the methods below.
        self._arrays = None
        self._slot = None
        for key, value in attrs.items():
            setattr(self, key, value)

    def __repr__(self):
        return ('HostState(%s, %s) ram: %s MB free, disk: %s MB free, '
                'vcpus: %s/%s used, instances: %s' % (
                    self.host, self.nodename, self.free_ram_mb, self.free_disk_mb,
                    self.vcpus_used, self.vcpus_total, self.num_instances))

    def update_service(self, service):
        """Replace the service dict (a Service record, or a dict: kept, not copied, if it has ``is_up``)."""
        if isinstance(service, dict) and 'is_up' in service:
            # The host manager shares one dict among hosts whose services look alike.
            self.service = service
        else:
            self.service = _service_dict(service)
            self.service.setdefault('is_up', True)
        if self._arrays is not None:
            self._arrays.load_service(self._slot, self.service)

    def update_from_compute_node(self, node, service=None, default_ratios=None, now=None):
        """Refresh from a :class:`ComputeNode` report.

        ``service`` (if given) and the allocation ratios are always updated.
        The resources are *not* when this state's ``updated`` is newer than
        ``node.updated_at``: the report predates placements this scheduler
        made, so overwriting would forget them (Nova Kilo behaviour).
        ``default_ratios`` is ``{'ram': r, 'cpu': c, 'disk': d}``; a node's
        ratio of None or 0.0 means "use the default".  ``now`` stands in for a
        report without ``updated_at``.  Returns True if resources changed.
        """
        if service is not None:
            self.update_service(service)
        defaults = default_ratios or {}
        self.ram_allocation_ratio = node.ram_allocation_ratio or defaults.get('ram')
        self.cpu_allocation_ratio = node.cpu_allocation_ratio or defaults.get('cpu')
        self.disk_allocation_ratio = node.disk_allocation_ratio or defaults.get('disk')
        self.hypervisor_type = node.hypervisor_type
        self.hypervisor_version = node.hypervisor_version
        self.host_ip = node.host_ip
        self.cpu_info = _cpu_info(node.cpu_info)
        self.supported_instances = node.supported_instances or ()

        reported = node.updated_at if node.updated_at is not None else now
        if self.updated is not None and reported is not None and self.updated > reported:
            self.sync()
            return False

        free_gb = node.free_disk_gb
        if node.disk_available_least is not None:
            # Sparse images: what the hypervisor can really still allocate.
            free_gb = min(free_gb, node.disk_available_least)
        self.total_usable_ram_mb = node.memory_mb
        self.free_ram_mb = node.free_ram_mb
        self.total_usable_disk_gb = node.local_gb
        self.free_disk_mb = free_gb * 1024
        self.disk_mb_used = node.local_gb_used * 1024
        self.vcpus_total = node.vcpus
        self.vcpus_used = node.vcpus_used
        self.stats = node.stats or EMPTY_MAPPING
        self.num_instances = int(self.stats.get('num_instances', node.running_vms))
        self.num_io_ops = int(self.stats.get('io_workload', 0))
        self.failed_builds = int(self.stats.get('failed_builds', 0))
        self.updated = reported
        self.sync()
        return True

    def consume_from_request(self, spec, now=None, instance_uuid=None):
        """Account one instance of ``spec`` as placed here, before the compute reports it.

        The next instance of a multi-create, and later requests, then see
        the reduced resources; ``updated = now`` keeps an older compute
        report from overwriting this.
        """
        self.free_ram_mb -= spec.memory_mb
        self.free_disk_mb -= spec.disk_gb * 1024
        self.vcpus_used += spec.vcpus
        self.num_instances += 1
        # A build is an I/O-heavy operation until the compute reports otherwise.
        self.num_io_ops += 1
        self.updated = now if now is not None else utcnow()
        if instance_uuid is not None:
            self.add_instance(instance_uuid)
        if self._arrays is not None:
            self._arrays.load_consumed(self._slot, self)

    def add_instance(self, uuid):
        """Note ``uuid`` in ``instances`` (read-only for plugins; change it through these)."""
        if self.instances is NO_INSTANCES:
            self.instances = {uuid}
        else:
            self.instances.add(uuid)

    def discard_instance(self, uuid):
        """Forget ``uuid`` from ``instances``."""
        if uuid in self.instances:
            self.instances.discard(uuid)
            if not self.instances:
                self.instances = NO_INSTANCES

    def snapshot(self):
        """Opaque value for :meth:`restore`: the fields consumption changes."""
        return tuple(getattr(self, name) for name in self._CONSUMED)

    def restore(self, snapshot, instance_uuid=None):
        """Undo consumptions made since ``snapshot`` (and forget ``instance_uuid``)."""
        for name, value in zip(self._CONSUMED, snapshot):
            setattr(self, name, value)
        if instance_uuid is not None:
            self.discard_instance(instance_uuid)
        if self._arrays is not None:
            self._arrays.load_consumed(self._slot, self)

    def sync(self):
        """Copy this state into its HostArrays row (after setting attributes directly)."""
        if self._arrays is not None:
            self._arrays.load(self._slot, self)
