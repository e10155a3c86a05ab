"""BuildFailureWeigher: steer away from hosts whose recent builds failed."""

from novalite.scheduler import interfaces


class BuildFailureWeigher(interfaces.BaseWeigher):
    """Scores ``-failed_builds`` (the compute's consecutive failed builds): hosts that fail lose.

    Multiplier: ``[filter_scheduler] build_failure_weight_multiplier``
    (1000000.0, so it outweighs the other weighers as in Nova).  The count is
    reported by computes with ``[compute]
    consecutive_build_service_disable_threshold`` > 0.  Per host: failed_builds
    has no column.
    """

    multiplier_option = 'build_failure_weight_multiplier'
    default_multiplier = 1000000.0

    def weigh(self, host_state, spec, cycle_state):
        return -host_state.failed_builds

    def weigh_all(self, host_states, spec, cycle_state):
        return [-h.failed_builds for h in host_states]
