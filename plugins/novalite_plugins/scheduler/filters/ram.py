"""RamFilter: enough RAM under the RAM allocation ratio (a node's own ratio wins over the option)."""

import numpy as np

from novalite.scheduler import interfaces


class RamFilter(interfaces.BaseFilter):
    """Rejects hosts short of RAM under ``ram_allocation_ratio``; sets ``limits['memory_mb']``."""

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.ram_allocation_ratio

    def _limit_and_usable(self, host_state):
        ratio = host_state.ram_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
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

    def _usable_vec(self, arrays):
        total = arrays.total_usable_ram_mb
        ratio = arrays.view().ratio('ram_allocation_ratio', self.default_ratio)
        # Same operations in the same order as _limit_and_usable: identical floats.
        return total * ratio - (total - arrays.free_ram_mb)

    def _usable_row(self, cols, i):
        total = cols['total_usable_ram_mb'][i]
        ratio = cols['ram_allocation_ratio'][i]
        if ratio != ratio:  # NaN: None
            ratio = self.default_ratio
        return total * ratio - (total - cols['free_ram_mb'][i])

    def vec_key(self, spec, cycle_state):
        return spec.memory_mb

    def filter_vec(self, hosts, spec, cycle_state):
        # Usable RAM is a derived column the arrays keep up to date: one comparison here.
        usable = hosts.derived(('RamFilter.usable', self.default_ratio),
                               self._usable_vec, self._usable_row)
        return np.greater_equal(usable, spec.memory_mb)

    def reject_reason(self, host_state, spec, cycle_state):
        _limit, usable = self._limit_and_usable(host_state)
        return '%d MB usable RAM < %d MB requested' % (usable, spec.memory_mb)
