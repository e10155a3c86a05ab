"""RAMWeigher: weigh hosts by free RAM."""

from novalite.scheduler import interfaces


class RAMWeigher(interfaces.BaseWeigher):
    """Prefers hosts with more free RAM; a negative multiplier packs instead.

    Multiplier: ``[filter_scheduler] ram_weight_multiplier`` (1.0; Kilo
    ``[DEFAULT] ram_weight_multiplier``).
    """

    multiplier_option = 'ram_weight_multiplier'

    def weigh(self, host_state, spec, cycle_state):
        return host_state.free_ram_mb

    def weigh_all(self, host_states, spec, cycle_state):
        return [h.free_ram_mb for h in host_states]

    def weigh_vec(self, hosts, spec, cycle_state):
        return hosts.free_ram_mb
