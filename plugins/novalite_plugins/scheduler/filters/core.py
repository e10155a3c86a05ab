"""CoreFilter: enough vCPUs under the CPU allocation ratio (a node's own ratio wins over the option)."""

import math

import numpy as np

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

    # host_passes is (total == 0) or (total >= vcpus and usable >= vcpus), i.e.
    # capacity >= vcpus with capacity = inf if total == 0 else min(total, usable)
    # (NaN usable stays NaN: never passes, as before).

    def _capacity_vec(self, arrays):
        total = arrays.vcpus_total
        ratio = arrays.view().ratio('cpu_allocation_ratio', self.default_ratio)
        usable = total * ratio - arrays.vcpus_used
        return np.where(total == 0, math.inf, np.minimum(total, usable))

    def _capacity_row(self, cols, i):
        total = cols['vcpus_total'][i]
        if total == 0:
            return math.inf
        ratio = cols['cpu_allocation_ratio'][i]
        if ratio != ratio:  # NaN: None
            ratio = self.default_ratio
        usable = total * ratio - cols['vcpus_used'][i]
        return total if total <= usable else usable  # NaN usable -> NaN, as np.minimum

    def vec_key(self, spec, cycle_state):
        return spec.vcpus

    def filter_vec(self, hosts, spec, cycle_state):
        # A derived column the arrays keep up to date: one comparison here.
        capacity = hosts.derived(('CoreFilter.capacity', self.default_ratio),
                                 self._capacity_vec, self._capacity_row)
        return np.greater_equal(capacity, spec.vcpus)

    def reject_reason(self, host_state, spec, cycle_state):
        if spec.vcpus > host_state.vcpus_total:
            return '%d vCPUs requested > %d physical' % (spec.vcpus, host_state.vcpus_total)
        usable = self._limit(host_state) - host_state.vcpus_used
        return '%d usable vCPUs < %d requested' % (usable, spec.vcpus)
