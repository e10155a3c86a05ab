"""VlanManager: one network per project, on its own VLAN interface, bridge and dnsmasq.

Networks are numbered from ``vlan_start`` (``vlan<N>`` on ``vlan_interface``,
else the network's ``bridge_interface``, under bridge ``br<N>``); a project's
first server associates a free network with the project, and projects see only
their own networks.  Options read: ``vlan_start``, ``vlan_interface``,
``flat_network_dns``, ``force_dhcp_release``, ``fixed_ip_disassociate_timeout``,
``public_interface`` (floating IPs).
"""

from novalite import exception
from novalite.network import interfaces


class VlanManager(interfaces.NetworkManager):
    """Per-project VLAN networks, associated on demand; isolated from other projects."""

    SHOULD_CREATE_BRIDGE = True
    SHOULD_CREATE_VLAN = True
    DHCP = True
    required_create_args = ('bridge_interface',)

    def create_defaults(self, kwargs):
        kwargs['bridge_interface'] = kwargs.get('bridge_interface') or self.conf.vlan_interface
        return kwargs

    def networks_for_instance(self, project_id, requested_networks=None):
        if requested_networks is not None:
            return self._requested(requested_networks, project_id, own_only=True)
        own = [n for n in self.db.network_get_all(project_id=project_id, vlan=True)
               if n['project_id'] == project_id]
        if not own:
            try:
                own = [self.db.network_associate(project_id)]
            except exception.NoMoreNetworks:
                raise exception.NoMoreNetworks(
                    reason='no VLAN network is free for project %s' % project_id) from None
        return [(n, None) for n in own]

    def setup_network(self, network):
        self.linux_net.ensure_vlan_bridge(network['vlan'], network['bridge'],
                                          self.conf.vlan_interface or network['bridge_interface'],
                                          gateway_cidr=self._gateway_cidr(network))
