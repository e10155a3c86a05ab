"""FlatManager: fixed IPs from shared networks on a bridge that must already exist (no DHCP).

Options read: ``flat_network_bridge`` (the bridge of networks created without
one), ``flat_injected`` (the guest's static network config is injected) and
``flat_network_dns``.  A released address is free at once (no DHCP lease to wait
for); floating IPs are not supported (Nova's FlatManager has only stubs).
"""

from novalite.network import interfaces


class FlatManager(interfaces.NetworkManager):
    """Every server gets an address on each flat network; nothing is created on the host."""

    SHOULD_CREATE_BRIDGE = False
    SHOULD_CREATE_VLAN = False
    DHCP = False
    FLOATING_IPS = False
    timeout_fixed_ips = False
    required_create_args = ('bridge',)

    def create_defaults(self, kwargs):
        kwargs['bridge'] = kwargs.get('bridge') or self.conf.flat_network_bridge
        kwargs['vlan'] = None
        return kwargs
