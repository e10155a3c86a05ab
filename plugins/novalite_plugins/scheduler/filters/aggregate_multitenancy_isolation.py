"""AggregateMultiTenancyIsolation: hosts of tenant-restricted aggregates take only those tenants."""

from novalite.scheduler import interfaces

_KEY = 'filter_tenant_id'


def _tenants(host_state):
    """Project ids the host's aggregates allow (empty set: no restriction)."""
    allowed = set()
    for aggregate in host_state.aggregates:
        for key, value in (aggregate.get('metadata') or {}).items():
            # Nova Rocky+: filter_tenant_id, filter_tenant_id2 ... (metadata values are
            # limited to 255 characters, so long lists spread over several keys).
            if key.startswith(_KEY):
                allowed.update(x.strip() for x in str(value).split(','))
    allowed.discard('')
    return allowed


class AggregateMultiTenancyIsolation(interfaces.BaseFilter):
    """Rejects hosts in aggregates with ``filter_tenant_id*`` metadata not listing the request's project.

    Values are comma-separated project ids; every ``filter_tenant_id``-prefixed
    key of every aggregate of the host counts.  Hosts without such metadata
    take any project.  Reads no options.
    """

    def host_passes(self, host_state, spec, cycle_state):
        if not host_state.aggregates:
            return True
        allowed = _tenants(host_state)
        return not allowed or spec.project_id in allowed

    def reject_reason(self, host_state, spec, cycle_state):
        return 'aggregates isolate it to other projects (%s), not %s' % (
            ', '.join(sorted(_tenants(host_state))), spec.project_id)
