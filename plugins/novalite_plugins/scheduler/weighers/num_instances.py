"""NumInstancesWeigher: weigh hosts by how many instances they run."""

from novalite.scheduler import interfaces


class NumInstancesWeigher(interfaces.BaseWeigher):
    """Scores ``num_instances``: a positive multiplier packs, a negative one spreads.

    Multiplier: ``[filter_scheduler] num_instances_weight_multiplier`` (0.0,
    i.e. off, as in Nova).
    """

    multiplier_option = 'num_instances_weight_multiplier'
    default_multiplier = 0.0

    def weigh(self, host_state, spec, cycle_state):
        return host_state.num_instances

    def weigh_all(self, host_states, spec, cycle_state):
        return [h.num_instances for h in host_states]

    def weigh_vec(self, hosts, spec, cycle_state):
        return hosts.num_instances
