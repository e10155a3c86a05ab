"""SimpleCIDRAffinityFilter: hosts whose IP is in the network of the ``build_near_host_ip`` hint."""

import netaddr

from novalite.scheduler import interfaces


class _Wanted:
    __slots__ = ('network', 'error')

    def __init__(self, network=None, error=None):
        self.network = network
        self.error = error


def _wanted(spec):
    hints = spec.scheduler_hints or {}
    address = hints.get('build_near_host_ip')
    if not address:
        return _Wanted()
    cidr = hints.get('cidr') or '/24'
    try:
        return _Wanted(network=netaddr.IPNetwork('%s%s' % (address, cidr)))
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        return _Wanted(error='bad build_near_host_ip/cidr %s%s: %s' % (address, cidr, exc))


class SimpleCIDRAffinityFilter(interfaces.BaseFilter):
    """Rejects hosts whose ``host_ip`` is outside ``build_near_host_ip`` + ``cidr`` (hints; cidr '/24').

    Without ``build_near_host_ip`` every host passes.  A malformed address or
    prefix rejects every host (Nova raises), as does a host without a valid
    IP.  Reads no options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['SimpleCIDRAffinityFilter'] = _wanted(spec)

    def host_passes(self, host_state, spec, cycle_state):
        wanted = cycle_state.get('SimpleCIDRAffinityFilter')
        if wanted is None:
            wanted = _wanted(spec)
        if wanted.network is None:
            return wanted.error is None
        try:
            return netaddr.IPAddress(host_state.host_ip) in wanted.network
        except (netaddr.AddrFormatError, ValueError, TypeError):
            return False

    def reject_reason(self, host_state, spec, cycle_state):
        wanted = _wanted(spec)
        if wanted.error:
            return wanted.error
        return 'host IP %s not in %s' % (host_state.host_ip, wanted.network.cidr)
