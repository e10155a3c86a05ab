"""SameHostFilter: hosts running at least one of the instances named by the ``same_host`` hint."""

from novalite.scheduler import interfaces


def hinted_uuids(spec, hint):
    """The hint's instance uuids as a frozenset (the API gives a string or a list)."""
    value = (spec.scheduler_hints or {}).get(hint)
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset([value])
    return frozenset(value)


class SameHostFilter(interfaces.BaseFilter):
    """Rejects hosts running none of the ``same_host`` hint's instances (host_state.instances); no options.

    Without the hint every host passes.  An empty host does not pass a
    ``same_host`` request (Nova Liberty and later).
    """

    def prepare(self, spec, cycle_state):
        cycle_state['SameHostFilter'] = hinted_uuids(spec, 'same_host')

    def host_passes(self, host_state, spec, cycle_state):
        wanted = cycle_state.get('SameHostFilter')
        if wanted is None:
            wanted = hinted_uuids(spec, 'same_host')
        return not wanted or not wanted.isdisjoint(host_state.instances)

    def reject_reason(self, host_state, spec, cycle_state):
        return 'runs none of the %d same_host instances' % len(hinted_uuids(spec, 'same_host'))
