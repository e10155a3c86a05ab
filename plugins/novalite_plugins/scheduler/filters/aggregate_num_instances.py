"""AggregateNumInstancesFilter: NumInstancesFilter with the maximum taken from aggregate metadata."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata
from novalite_plugins.scheduler.filters import options

OPTS = [options.MAX_INSTANCES_PER_HOST]


def list_opts():
    return [(options.GROUP, OPTS)]


class AggregateNumInstancesFilter(interfaces.BaseFilter):
    """Rejects hosts with as many instances as their aggregates' ``max_instances_per_host`` or more.

    The maximum is the smallest valid ``max_instances_per_host`` metadata
    value (an integer) of the host's aggregates, else ``[filter_scheduler]
    max_instances_per_host`` (Kilo [DEFAULT]).  Per host only: aggregates are
    not columns.
    """

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        self.default_max = conf[options.GROUP].max_instances_per_host
        self._max = aggregate_metadata.NumberFromAggregates('max_instances_per_host', int)

    def _max_for(self, host_state):
        if not host_state.aggregates:
            return self.default_max
        return self._max(host_state, self.default_max)

    def host_passes(self, host_state, spec, cycle_state):
        return host_state.num_instances < self._max_for(host_state)

    def reject_reason(self, host_state, spec, cycle_state):
        return '%d instances >= max %d' % (host_state.num_instances, self._max_for(host_state))
