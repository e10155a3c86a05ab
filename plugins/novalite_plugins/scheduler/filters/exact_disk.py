"""ExactDiskFilter: hosts whose free disk equals the flavor's (whole-node flavors, e.g. bare metal)."""

import numpy as np

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import disk


class ExactDiskFilter(interfaces.BaseFilter):
    """Rejects hosts whose free disk is not exactly root + ephemeral + swap; sets ``limits['disk_gb']``.

    Reads no options.  The limit is the node's total disk.
    """

    def host_passes(self, host_state, spec, cycle_state):
        if host_state.free_disk_mb != disk.requested_disk_mb(spec):
            return False
        host_state.limits['disk_gb'] = host_state.total_usable_disk_gb
        return True

    def vec_key(self, spec, cycle_state):
        return disk.requested_disk_mb(spec)

    def filter_vec(self, hosts, spec, cycle_state):
        return np.equal(hosts.free_disk_mb, disk.requested_disk_mb(spec))

    def reject_reason(self, host_state, spec, cycle_state):
        return '%d MB free disk != %d MB requested' % (host_state.free_disk_mb,
                                                       disk.requested_disk_mb(spec))
