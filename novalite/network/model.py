"""network_info: a server's VIFs with their networks, subnets, fixed and floating IPs.

A JSON-safe list of VIF dicts in Nova's shape (``nova.network.model``), built by
the network managers and cached per server::

    [{'id', 'address' (MAC), 'type': 'bridge', 'devname': 'tap<id[:11]>',
      'network': {'id', 'label', 'bridge', 'bridge_interface', 'vlan', 'multi_host',
                  'injected', 'should_create_bridge', 'should_create_vlan', 'mtu',
                  'subnets': [{'cidr', 'version', 'gateway', 'netmask', 'broadcast',
                               'dhcp_server', 'dns': [...],
                               'ips': [{'address', 'type': 'fixed', 'version',
                                        'floating_ips': [{'address', 'type': 'floating',
                                                          'version'}]}]}]}}]
"""

import netaddr

VIF_TYPE_BRIDGE = 'bridge'


def devname(vif_uuid):
    """The tap device of a VIF (Nova: ``tap`` + the first 11 characters of its id)."""
    return ('tap' + vif_uuid)[:14]


def make_vif(vif, network, fixed_ips, floating_by_fixed, should_create_bridge=False,
             should_create_vlan=False, dns=None):
    """One network_info entry from DB dicts: ``vif`` (uuid, address), ``network`` (a
    networks row), ``fixed_ips`` (rows on this VIF) and ``floating_by_fixed`` ({fixed
    address: [floating addresses]})."""
    cidr = netaddr.IPNetwork(network['cidr'])
    ips = [{'address': ip['address'], 'type': 'fixed', 'version': cidr.version,
            'floating_ips': [{'address': f, 'type': 'floating',
                              'version': netaddr.IPAddress(f).version}
                             for f in floating_by_fixed.get(ip['address'], [])]}
           for ip in fixed_ips]
    if dns is None:
        dns = [d for d in (network.get('dns1'), network.get('dns2')) if d]
    return {
        'id': vif['uuid'],
        'address': vif['address'],
        'type': VIF_TYPE_BRIDGE,
        'devname': devname(vif['uuid']),
        'network': {
            'id': network['uuid'],
            'label': network['label'],
            'bridge': network['bridge'],
            'bridge_interface': network.get('bridge_interface'),
            'vlan': network.get('vlan'),
            'multi_host': bool(network.get('multi_host')),
            'injected': bool(network.get('injected')),
            'should_create_bridge': bool(should_create_bridge),
            'should_create_vlan': bool(should_create_vlan),
            'mtu': network.get('mtu'),
            'subnets': [{
                'cidr': str(cidr),
                'version': cidr.version,
                'gateway': network.get('gateway'),
                'netmask': network.get('netmask') or str(cidr.netmask),
                'broadcast': network.get('broadcast') or str(cidr.broadcast),
                'dhcp_server': network.get('dhcp_server'),
                'dns': list(dns),
                'ips': ips,
            }],
        },
    }


def _ips(vif):
    for subnet in vif['network']['subnets']:
        yield from subnet['ips']


def fixed_ips(network_info):
    """Every fixed IP entry (``{'address', 'type', 'version', 'floating_ips'}``), VIF order."""
    return [ip for vif in network_info or [] for ip in _ips(vif)]


def floating_ips(network_info):
    """Every floating IP entry (``{'address', 'type': 'floating', 'version'}``)."""
    return [f for ip in fixed_ips(network_info) for f in ip.get('floating_ips', [])]


def addresses(network_info):
    """The server body's ``addresses``: ``{label: [{'version', 'addr', 'OS-EXT-IPS:type',
    'OS-EXT-IPS-MAC:mac_addr'}]}`` with each fixed IP followed by its floating IPs."""
    result = {}
    for vif in network_info or []:
        entries = result.setdefault(vif['network']['label'], [])
        for ip in _ips(vif):
            for entry in [ip] + list(ip.get('floating_ips', [])):
                entries.append({'version': entry['version'], 'addr': entry['address'],
                                'OS-EXT-IPS:type': entry['type'],
                                'OS-EXT-IPS-MAC:mac_addr': vif['address']})
    return result


def find_vif(network_info, vif_uuid):
    """The entry of VIF ``vif_uuid``, or None."""
    return next((vif for vif in network_info or [] if vif['id'] == vif_uuid), None)
