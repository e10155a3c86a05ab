"""DiskWeigher: weigh hosts by free local disk."""

from novalite.scheduler import interfaces


class DiskWeigher(interfaces.BaseWeigher):
    """Prefers hosts with more free disk (``free_disk_mb``); negative multiplier packs.

    Multiplier: ``[filter_scheduler] disk_weight_multiplier`` (1.0).
    """

    multiplier_option = 'disk_weight_multiplier'

    def weigh(self, host_state, spec, cycle_state):
        return host_state.free_disk_mb

    def weigh_all(self, host_states, spec, cycle_state):
        return [h.free_disk_mb for h in host_states]

    def weigh_vec(self, hosts, spec, cycle_state):
        return hosts.free_disk_mb
