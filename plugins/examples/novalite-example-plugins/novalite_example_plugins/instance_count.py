"""InstanceCountWeigher: weigh hosts by how many instances they run."""

from novalite.scheduler import interfaces


class InstanceCountWeigher(interfaces.BaseWeigher):
    """Prefers hosts running fewer instances; a positive multiplier packs instead."""

    # The raw weight is the instance count, so "fewer is better" is a negative
    # multiplier.  [filter_scheduler] weight_multipliers overrides it.
    default_multiplier = -1.0

    def weigh(self, host_state, spec, cycle_state):
        return host_state.num_instances

    def weigh_all(self, host_states, spec, cycle_state):
        return [h.num_instances for h in host_states]
