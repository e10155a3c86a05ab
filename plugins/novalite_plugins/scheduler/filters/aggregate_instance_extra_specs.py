"""AggregateInstanceExtraSpecsFilter: flavor extra specs the host's aggregate metadata must satisfy."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata
from novalite_plugins.scheduler.filters import extra_specs_ops

_SCOPE = 'aggregate_instance_extra_specs'


class AggregateInstanceExtraSpecsFilter(interfaces.BaseFilter):
    """Rejects hosts whose aggregates' metadata fail the flavor's unscoped or scoped extra specs.

    Each extra spec without a scope, or in scope
    ``aggregate_instance_extra_specs:``, needs a metadata key of that name in
    one of the host's aggregates with some value (comma-separated values
    count separately) matching the requirement (extra_specs_ops syntax).
    Specs in other scopes are ignored.  Reads no options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['AggregateInstanceExtraSpecsFilter'] = self._wanted(spec)

    @staticmethod
    def _wanted(spec):
        wanted = []
        for key, req in ((spec.flavor or {}).get('extra_specs') or {}).items():
            scope = key.split(':', 1)
            if len(scope) > 1:
                if scope[0] != _SCOPE:
                    continue
                key = scope[1]
            wanted.append((key, req))
        return wanted

    @staticmethod
    def _failed(host_state, wanted):
        """The first (key, requirement, values) not satisfied, or None."""
        metadata = aggregate_metadata.metadata_by_key(host_state)
        for key, req in wanted:
            values = metadata.get(key)
            if not values or not any(extra_specs_ops.match(v, req) for v in values):
                return key, req, values
        return None

    def host_passes(self, host_state, spec, cycle_state):
        wanted = cycle_state.get('AggregateInstanceExtraSpecsFilter')
        if wanted is None:
            wanted = self._wanted(spec)
        if not wanted:
            return True
        return self._failed(host_state, wanted) is None

    def reject_reason(self, host_state, spec, cycle_state):
        failed = self._failed(host_state, self._wanted(spec))
        if failed is None:
            return 'aggregate metadata matches'
        key, req, values = failed
        if not values:
            return 'no aggregate metadata %s (extra spec wants %r)' % (key, req)
        return 'aggregate metadata %s=%s does not match %r' % (key, ','.join(sorted(values)), req)
