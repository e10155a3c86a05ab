"""ExactCoreFilter: hosts whose free vCPUs equal the flavor's (whole-node flavors, e.g. bare metal)."""

import numpy as np

from novalite.scheduler import interfaces


class ExactCoreFilter(interfaces.BaseFilter):
    """Rejects hosts whose free vCPUs (no overcommit) are not exactly the flavor's; sets ``limits['vcpu']``.

    Reads no options.  A node reporting no vCPUs is rejected (Nova: CPU
    collection is broken there).  The limit is the node's vCPU count.
    """

    def host_passes(self, host_state, spec, cycle_state):
        total = host_state.vcpus_total
        if not total or total - host_state.vcpus_used != spec.vcpus:
            return False
        host_state.limits['vcpu'] = total
        return True

    def vec_key(self, spec, cycle_state):
        return spec.vcpus

    def filter_vec(self, hosts, spec, cycle_state):
        total = hosts.vcpus_total
        return (total != 0) & np.equal(total - hosts.vcpus_used, spec.vcpus)

    def reject_reason(self, host_state, spec, cycle_state):
        if not host_state.vcpus_total:
            return 'reports no vCPUs'
        return '%d free vCPUs != %d requested' % (
            host_state.vcpus_total - host_state.vcpus_used, spec.vcpus)
