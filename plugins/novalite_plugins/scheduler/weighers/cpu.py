"""CPUWeigher: weigh hosts by free vCPUs under the CPU allocation ratio."""

from novalite.scheduler import interfaces


class CPUWeigher(interfaces.BaseWeigher):
    """Prefers hosts with more free vCPUs (``vcpus_total * cpu_allocation_ratio - vcpus_used``).

    A node's own ratio wins over ``[DEFAULT] cpu_allocation_ratio``, as in
    CoreFilter.  Multiplier: ``[filter_scheduler] cpu_weight_multiplier``
    (1.0 spreads; negative packs).
    """

    multiplier_option = 'cpu_weight_multiplier'

    def __init__(self, conf):
        super().__init__(conf)
        self.default_ratio = conf.cpu_allocation_ratio

    def weigh(self, host_state, spec, cycle_state):
        ratio = host_state.cpu_allocation_ratio
        if ratio is None:
            ratio = self.default_ratio
        return host_state.vcpus_total * ratio - host_state.vcpus_used

    def weigh_vec(self, hosts, spec, cycle_state):
        ratio = hosts.ratio('cpu_allocation_ratio', self.default_ratio)
        return hosts.vcpus_total * ratio - hosts.vcpus_used
