"""AggregateCoreFilter: CoreFilter with the CPU allocation ratio taken from aggregate metadata."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata


class AggregateCoreFilter(interfaces.BaseFilter):
    """Rejects hosts short of vCPUs under the aggregates' ``cpu_allocation_ratio``; sets ``limits['vcpu']``.

    The ratio is the smallest valid ``cpu_allocation_ratio`` metadata value of
    the host's aggregates, else the node's own ratio, else ``[DEFAULT]
    cpu_allocation_ratio``.  Per host only: aggregates are not columns.
    """

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.cpu_allocation_ratio
        self._ratio = aggregate_metadata.NumberFromAggregates('cpu_allocation_ratio', float)

    def _limit(self, host_state):
        ratio = host_state.cpu_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        if host_state.aggregates:
            ratio = self._ratio(host_state, ratio)
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

    def reject_reason(self, host_state, spec, cycle_state):
        if spec.vcpus > host_state.vcpus_total:
            return '%d vCPUs requested > %d physical' % (spec.vcpus, host_state.vcpus_total)
        usable = self._limit(host_state) - host_state.vcpus_used
        return '%d usable vCPUs < %d requested' % (usable, spec.vcpus)
