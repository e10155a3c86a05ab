"""AggregateDiskFilter: DiskFilter with the disk allocation ratio taken from aggregate metadata."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata
from novalite_plugins.scheduler.filters import disk


class AggregateDiskFilter(interfaces.BaseFilter):
    """Rejects hosts short of disk under aggregates' ``disk_allocation_ratio``; sets ``limits['disk_gb']``.

    The ratio is the smallest valid ``disk_allocation_ratio`` metadata value of
    the host's aggregates, else the node's own ratio, else ``[DEFAULT]
    disk_allocation_ratio``.  Per host only: aggregates are not columns.
    """

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.disk_allocation_ratio
        self._ratio = aggregate_metadata.NumberFromAggregates('disk_allocation_ratio', float)

    def _limit_and_usable(self, host_state):
        ratio = host_state.disk_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        if host_state.aggregates:
            ratio = self._ratio(host_state, ratio)
        total_mb = host_state.total_usable_disk_gb * 1024
        limit_mb = total_mb * ratio
        return limit_mb, limit_mb - (total_mb - host_state.free_disk_mb)

    def host_passes(self, host_state, spec, cycle_state):
        limit_mb, usable_mb = self._limit_and_usable(host_state)
        if usable_mb < disk.requested_disk_mb(spec):
            return False
        host_state.limits['disk_gb'] = limit_mb / 1024
        return True

    def reject_reason(self, host_state, spec, cycle_state):
        _limit, usable_mb = self._limit_and_usable(host_state)
        return '%d MB usable disk < %d MB requested' % (usable_mb, disk.requested_disk_mb(spec))
