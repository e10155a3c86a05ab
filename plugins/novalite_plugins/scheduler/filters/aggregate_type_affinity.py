"""AggregateTypeAffinityFilter: hosts of flavor-restricted aggregates take only those flavors."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata

_KEY = 'instance_type'


class AggregateTypeAffinityFilter(interfaces.BaseFilter):
    """Rejects hosts in aggregates with ``instance_type`` metadata not listing the flavor's name.

    The value is a comma-separated list of flavor names; a host in several
    such aggregates passes if any of them lists the flavor (Nova).  Hosts
    without the key take any flavor.  Reads no options.
    """

    @staticmethod
    def _allowed(host_state):
        return [x.strip() for value in aggregate_metadata.values_for_key(host_state, _KEY)
                for x in str(value).split(',')]

    def host_passes(self, host_state, spec, cycle_state):
        if not host_state.aggregates:
            return True
        values = aggregate_metadata.values_for_key(host_state, _KEY)
        if not values:
            return True
        name = (spec.flavor or {}).get('name')
        return any(name in [x.strip() for x in str(v).split(',')] for v in values)

    def reject_reason(self, host_state, spec, cycle_state):
        return 'aggregates take flavors %s, not %r' % (
            ', '.join(sorted(set(self._allowed(host_state)))), (spec.flavor or {}).get('name'))
