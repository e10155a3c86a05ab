"""IoOpsWeigher: weigh hosts by their I/O-heavy operations in flight."""

from novalite.scheduler import interfaces


class IoOpsWeigher(interfaces.BaseWeigher):
    """Scores ``num_io_ops``; with the default multiplier -1.0 it prefers idle hosts.

    Multiplier: ``[filter_scheduler] io_ops_weight_multiplier`` (-1.0; Kilo
    ``[DEFAULT] io_ops_weight_multiplier``).  A positive value prefers busy hosts.
    """

    multiplier_option = 'io_ops_weight_multiplier'
    default_multiplier = -1.0

    def weigh(self, host_state, spec, cycle_state):
        return host_state.num_io_ops

    def weigh_all(self, host_states, spec, cycle_state):
        return [h.num_io_ops for h in host_states]

    def weigh_vec(self, hosts, spec, cycle_state):
        return hosts.num_io_ops
