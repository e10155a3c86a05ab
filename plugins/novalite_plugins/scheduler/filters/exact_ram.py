"""ExactRamFilter: hosts whose free RAM equals the flavor's (whole-node flavors, e.g. bare metal)."""

import numpy as np

from novalite.scheduler import interfaces


class ExactRamFilter(interfaces.BaseFilter):
    """Rejects hosts whose free RAM is not exactly the flavor's ``memory_mb``; sets ``limits['memory_mb']``.

    Reads no options.  The limit is the node's total RAM, so the compute's
    claim refuses a second instance on a node already taken.
    """

    def host_passes(self, host_state, spec, cycle_state):
        if host_state.free_ram_mb != spec.memory_mb:
            return False
        host_state.limits['memory_mb'] = host_state.total_usable_ram_mb
        return True

    def vec_key(self, spec, cycle_state):
        return spec.memory_mb

    def filter_vec(self, hosts, spec, cycle_state):
        return np.equal(hosts.free_ram_mb, spec.memory_mb)

    def reject_reason(self, host_state, spec, cycle_state):
        return '%d MB free RAM != %d MB requested' % (host_state.free_ram_mb, spec.memory_mb)
