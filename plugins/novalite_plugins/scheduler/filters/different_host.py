"""DifferentHostFilter: hosts running none of the instances named by the ``different_host`` hint."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import same_host


class DifferentHostFilter(interfaces.BaseFilter):
    """Rejects hosts running any of the ``different_host`` hint's instances (``host_state.instances``).

    Without the hint every host passes.  Reads no options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['DifferentHostFilter'] = same_host.hinted_uuids(spec, 'different_host')

    def host_passes(self, host_state, spec, cycle_state):
        avoid = cycle_state.get('DifferentHostFilter')
        if avoid is None:
            avoid = same_host.hinted_uuids(spec, 'different_host')
        return not avoid or avoid.isdisjoint(host_state.instances)

    def reject_reason(self, host_state, spec, cycle_state):
        avoid = same_host.hinted_uuids(spec, 'different_host')
        return 'runs %d of the different_host instances' % len(avoid & set(host_state.instances))
