"""ComputeFilter: only hosts whose compute service is enabled and up."""

from novalite.scheduler import interfaces


class ComputeFilter(interfaces.BaseFilter):
    """Rejects hosts whose compute service is disabled or down; reads no options."""

    def host_passes(self, host_state, spec, cycle_state):
        service = host_state.service
        return (not service.get('disabled') and not service.get('forced_down')
                and bool(service.get('is_up')))

    def vec_key(self, spec, cycle_state):
        # The verdict reads only the enabled/up columns.
        return ()

    def filter_vec(self, hosts, spec, cycle_state):
        return hosts.enabled & hosts.up

    def reject_reason(self, host_state, spec, cycle_state):
        service = host_state.service
        if service.get('disabled'):
            why = service.get('disabled_reason')
            return 'service disabled' + (' (%s)' % why if why else '')
        if service.get('forced_down'):
            return 'service forced down'
        return 'service is down'
