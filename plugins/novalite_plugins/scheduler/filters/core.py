"""CoreFilter: enough vCPUs under the CPU allocation ratio (a node's own ratio wins over the option)."""

from novalite.scheduler import interfaces


class CoreFilter(interfaces.BaseFilter):
    """Rejects hosts short of vCPUs under ``cpu_allocation_ratio``; sets ``limits['vcpu']``."""

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.cpu_allocation_ratio

    def _limit(self, host_state):
        ratio = host_state.cpu_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        return host_state.vcpus_total * ratio

    def host_passes(self, host_state, spec, cycle_state):
        if not host_state.vcpus_total:
            # Nova: a node that reports no vCPUs is not judged on them (fail safe).
            return True
        limit = self._limit(host_state)
        if limit > 0:
            host_state.limits['vcpu'] = limit
        # An instance may overcommit against others, never against itself.
        if spec.vcpus > host_state.vcpus_total:
            return False
        return limit - host_state.vcpus_used >= spec.vcpus

    def filter_vec(self, hosts, spec, cycle_state):
        total = hosts.vcpus_total
        ratio = hosts.ratio('cpu_allocation_ratio', self.default_ratio)
        usable = total * ratio - hosts.vcpus_used
        return (total == 0) | ((total >= spec.vcpus) & (usable >= spec.vcpus))

    def reject_reason(self, host_state, spec, cycle_state):
        if spec.vcpus > host_state.vcpus_total:
            return '%d vCPUs requested > %d physical' % (spec.vcpus, host_state.vcpus_total)
        usable = self._limit(host_state) - host_state.vcpus_used
        return '%d usable vCPUs < %d requested' % (usable, spec.vcpus)
