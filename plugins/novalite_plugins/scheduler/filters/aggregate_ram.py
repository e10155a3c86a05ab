"""AggregateRamFilter: RamFilter with the RAM allocation ratio taken from aggregate metadata."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata


class AggregateRamFilter(interfaces.BaseFilter):
    """Rejects hosts short of RAM under aggregates' ``ram_allocation_ratio``; sets ``limits['memory_mb']``.

    The ratio is the smallest valid ``ram_allocation_ratio`` metadata value of
    the host's aggregates, else the node's own ratio, else ``[DEFAULT]
    ram_allocation_ratio``.  Per host only: aggregates are not columns.
    """

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.ram_allocation_ratio
        self._ratio = aggregate_metadata.NumberFromAggregates('ram_allocation_ratio', float)

    def _limit_and_usable(self, host_state):
        ratio = host_state.ram_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        if host_state.aggregates:
            ratio = self._ratio(host_state, ratio)
        total = host_state.total_usable_ram_mb
        limit = total * ratio
        # Used RAM counts against the oversubscribed total, not the physical one.
        return limit, limit - (total - host_state.free_ram_mb)

    def host_passes(self, host_state, spec, cycle_state):
        limit, usable = self._limit_and_usable(host_state)
        if usable < spec.memory_mb:
            return False
        host_state.limits['memory_mb'] = limit
        return True

    def reject_reason(self, host_state, spec, cycle_state):
        _limit, usable = self._limit_and_usable(host_state)
        return '%d MB usable RAM < %d MB requested' % (usable, spec.memory_mb)
