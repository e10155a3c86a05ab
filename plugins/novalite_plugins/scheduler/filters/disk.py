"""DiskFilter: enough local disk under the disk allocation ratio (a node's own ratio wins)."""

import numpy as np

from novalite.scheduler import interfaces


def requested_disk_mb(spec):
    # Nova's DiskFilter: root and ephemeral in GB, swap in MB.
    flavor = spec.flavor
    return (1024 * (flavor.get('root_gb', 0) + flavor.get('ephemeral_gb', 0))
            + flavor.get('swap', 0))


class DiskFilter(interfaces.BaseFilter):
    """Rejects hosts short of disk under ``disk_allocation_ratio``; sets ``limits['disk_gb']``."""

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.disk_allocation_ratio

    def _limit_and_usable(self, host_state):
        ratio = host_state.disk_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        total_mb = host_state.total_usable_disk_gb * 1024
        limit_mb = total_mb * ratio
        return limit_mb, limit_mb - (total_mb - host_state.free_disk_mb)

    def host_passes(self, host_state, spec, cycle_state):
        limit_mb, usable_mb = self._limit_and_usable(host_state)
        if usable_mb < requested_disk_mb(spec):
            return False
        host_state.limits['disk_gb'] = limit_mb / 1024
        return True

    def _usable_vec(self, arrays):
        ratio = arrays.view().ratio('disk_allocation_ratio', self.default_ratio)
        total_mb = arrays.total_usable_disk_gb * 1024
        # Same operations in the same order as _limit_and_usable: identical floats.
        return total_mb * ratio - (total_mb - arrays.free_disk_mb)

    def _usable_row(self, cols, i):
        ratio = cols['disk_allocation_ratio'][i]
        if ratio != ratio:  # NaN: None
            ratio = self.default_ratio
        total_mb = cols['total_usable_disk_gb'][i] * 1024
        return total_mb * ratio - (total_mb - cols['free_disk_mb'][i])

    def vec_key(self, spec, cycle_state):
        return requested_disk_mb(spec)

    def filter_vec(self, hosts, spec, cycle_state):
        # Usable disk is a derived column the arrays keep up to date: one comparison here.
        usable_mb = hosts.derived(('DiskFilter.usable_mb', self.default_ratio),
                                  self._usable_vec, self._usable_row)
        return np.greater_equal(usable_mb, requested_disk_mb(spec))

    def reject_reason(self, host_state, spec, cycle_state):
        _limit, usable_mb = self._limit_and_usable(host_state)
        return '%d MB usable disk < %d MB requested' % (usable_mb, requested_disk_mb(spec))
