"""Resource tracking on a compute host: claims against the scheduler's limits, usage reports.

Usage is what this host placed (the instances it claimed for) plus the
reserved amounts, not what the hypervisor says is in use: that is what the
scheduler's arithmetic needs, and what Nova's resource tracker reports.
"""

import threading

from novalite import exception


class Claim:
    """Resources held for one instance on one node; ``abort()`` gives them back."""

    def __init__(self, tracker, instance_uuid, nodename, usage):
        self.tracker = tracker
        self.instance_uuid = instance_uuid
        self.nodename = nodename
        self.usage = usage

    def abort(self):
        self.tracker.release(self.instance_uuid)


class ResourceTracker:
    """Per-node totals (from the driver) and usage (from the instances placed here)."""

    def __init__(self, conf, host, driver):
        self.conf = conf
        self.host = host
        self.driver = driver
        self._lock = threading.Lock()
        self.totals = {}        # nodename -> driver resource dict
        self.tracked = {}       # instance uuid -> (nodename, usage dict)
        self.failed_builds = {}  # nodename -> consecutive failed builds (Nova's stats)

    @staticmethod
    def usage_of(flavor):
        return {'memory_mb': flavor['memory_mb'], 'vcpus': flavor['vcpus'],
                'disk_gb': flavor.get('root_gb', 0) + flavor.get('ephemeral_gb', 0)
                + (flavor.get('swap', 0) + 1023) // 1024}

    def refresh_totals(self):
        for nodename in self.driver.get_available_nodes(refresh=True):
            resources = self.driver.get_available_resource(nodename)
            if resources:
                with self._lock:
                    self.totals[nodename] = resources

    def track(self, instance):
        """Count an instance that is already on this host (service restart)."""
        with self._lock:
            self.tracked[instance.uuid] = (instance.node, self.usage_of(instance.flavor))

    def _used(self, nodename):
        used = {'memory_mb': self.conf.reserved_host_memory_mb,
                'vcpus': self.conf.reserved_host_cpus,
                'disk_gb': (self.conf.reserved_host_disk_mb + 1023) // 1024, 'instances': 0}
        for node, usage in self.tracked.values():
            if node == nodename:
                used['memory_mb'] += usage['memory_mb']
                used['vcpus'] += usage['vcpus']
                used['disk_gb'] += usage['disk_gb']
                used['instances'] += 1
        return used

    def instance_claim(self, instance, nodename, limits):
        """Hold the instance's resources on ``nodename`` or raise ComputeResourcesUnavailable.

        ``limits`` are what the scheduler's filters computed (total x allocation
        ratio); a missing limit means that resource is not checked, as in Nova.
        """
        limits = limits or {}
        overhead = self.driver.estimate_instance_overhead(instance)
        usage = self.usage_of(instance.flavor)
        usage['memory_mb'] += overhead.get('memory_mb', 0)
        usage['vcpus'] += overhead.get('vcpus', 0)
        usage['disk_gb'] += overhead.get('disk_gb', 0)
        with self._lock:
            if instance.uuid in self.tracked:
                return Claim(self, instance.uuid, nodename, self.tracked[instance.uuid][1])
            if nodename not in self.totals:
                raise exception.ComputeResourcesUnavailable(
                    reason='node %s is not managed by host %s' % (nodename, self.host))
            used = self._used(nodename)
            for resource, limit_key in (('memory_mb', 'memory_mb'), ('vcpus', 'vcpu'),
                                        ('disk_gb', 'disk_gb')):
                limit = limits.get(limit_key)
                if limit is None:
                    continue
                if used[resource] + usage[resource] > limit:
                    raise exception.ComputeResourcesUnavailable(
                        reason='%s: requested %s, used %s, limit %s on %s' % (
                            resource, usage[resource], used[resource], limit, nodename))
            self.tracked[instance.uuid] = (nodename, usage)
        return Claim(self, instance.uuid, nodename, usage)

    def build_failed(self, nodename):
        """Count a failed build on ``nodename`` (reported as stats['failed_builds'])."""
        with self._lock:
            self.failed_builds[nodename] = self.failed_builds.get(nodename, 0) + 1

    def build_succeeded(self, nodename):
        """A successful build ends the run of failures on ``nodename``."""
        with self._lock:
            self.failed_builds[nodename] = 0

    def release(self, instance_uuid):
        with self._lock:
            return self.tracked.pop(instance_uuid, None) is not None

    def node_report(self, nodename):
        """The compute_nodes values for ``nodename``: driver totals, tracked usage."""
        with self._lock:
            totals = dict(self.totals.get(nodename) or {})
            used = self._used(nodename)
            failed_builds = self.failed_builds.get(nodename, 0)
        if not totals:
            return None
        free_disk = totals['local_gb'] - used['disk_gb']
        return {
            'vcpus': totals['vcpus'], 'memory_mb': totals['memory_mb'],
            'local_gb': totals['local_gb'], 'vcpus_used': used['vcpus'],
            'memory_mb_used': used['memory_mb'], 'local_gb_used': used['disk_gb'],
            'free_ram_mb': totals['memory_mb'] - used['memory_mb'],
            'free_disk_gb': free_disk,
            'disk_available_least': min(free_disk, totals.get('disk_available_least')
                                        if totals.get('disk_available_least') is not None
                                        else free_disk),
            'running_vms': used['instances'], 'current_workload': 0,
            'hypervisor_type': totals.get('hypervisor_type', 'unknown'),
            'hypervisor_version': totals.get('hypervisor_version', 0),
            'host_ip': totals.get('host_ip'), 'cpu_info': totals.get('cpu_info', '{}'),
            'supported_instances': totals.get('supported_instances', []),
            'stats': {'num_instances': used['instances'], 'failed_builds': failed_builds},
        }
