"""FlatDHCPManager: flat networks whose bridge, gateway address and dnsmasq live on the network host.

The bridge is created on ``flat_interface`` (else the network's
``bridge_interface``) with the gateway address on it; one dnsmasq per network
hands out the fixed IPs from a hosts file (MAC -> IP, ``dhcp_lease_time``) and a
deallocated address gets a DHCP release (``force_dhcp_release``).  Options read:
``flat_network_bridge``, ``flat_interface``, ``flat_network_dns``,
``force_dhcp_release``, ``fixed_ip_disassociate_timeout``, ``public_interface``
(floating IPs).
"""

from novalite.network import interfaces


class FlatDHCPManager(interfaces.NetworkManager):
    """Flat networks with a managed bridge and one dnsmasq each; floating IPs NATed."""

    SHOULD_CREATE_BRIDGE = True
    SHOULD_CREATE_VLAN = False
    DHCP = True
    required_create_args = ('bridge',)

    def create_defaults(self, kwargs):
        kwargs['bridge'] = kwargs.get('bridge') or self.conf.flat_network_bridge
        kwargs['bridge_interface'] = kwargs.get('bridge_interface') or self.conf.flat_interface
        kwargs['vlan'] = None
        return kwargs

    def setup_network(self, network):
        self.linux_net.ensure_bridge(network['bridge'],
                                     self.conf.flat_interface or network['bridge_interface'],
                                     gateway_cidr=self._gateway_cidr(network))
