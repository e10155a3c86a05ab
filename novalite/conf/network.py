"""Networking options (nova-network's names): the manager, IP allocation, linux_net, firewall.

Nova kept these in [DEFAULT]; so does novalite, so a nova.conf's lines work unchanged.
"""

from oslo_config import cfg

MANAGER_OPTS = [
    cfg.StrOpt('network_manager', default='flatdhcp',
               help='Network manager: an entry-point name in novalite.network.managers '
                    '(flat, flatdhcp, vlan, or a third-party one).'),
    cfg.StrOpt('network_topic', default='network',
               help='The RPC topic network services listen on.'),
    cfg.StrOpt('flat_network_bridge',
               help='Bridge of flat networks created without --bridge.'),
    cfg.StrOpt('flat_network_dns', default='8.8.4.4',
               help='DNS server handed to instances on flat networks without dns1.'),
    cfg.BoolOpt('flat_injected', default=False,
                help='Whether flat networks are injected into the image (static config).'),
    cfg.StrOpt('flat_interface',
               help='Interface the flat-DHCP bridge is put on (default: bridge_interface of '
                    'the network).'),
    cfg.IntOpt('vlan_start', default=100, min=1, max=4094,
               help='First VLAN id of VLAN-mode networks.'),
    cfg.StrOpt('vlan_interface',
               help='Interface VLAN interfaces are created on (default: the network\'s '
                    'bridge_interface).'),
    cfg.IntOpt('num_networks', default=1, min=1,
               help='Networks to create when num_networks is not given.'),
    cfg.IntOpt('network_size', default=256, min=4,
               help='Addresses per network when network_size is not given.'),
    cfg.IntOpt('fixed_ip_disassociate_timeout', default=600, min=0,
               help='Seconds after which a deallocated, unleased fixed IP returns to the pool.'),
    cfg.BoolOpt('force_dhcp_release', default=True,
                help='Send a DHCP release (dhcp_release) when a fixed IP is deallocated, so the '
                     'address is free at once.'),
    cfg.StrOpt('dhcp_domain', default='novalocal',
               help='Domain of instance host names in DHCP answers.'),
    cfg.IntOpt('create_unique_mac_address_attempts', default=5, min=1,
               help='Attempts to generate a MAC address not used by another interface.'),
    cfg.BoolOpt('multi_host', default=False,
                help='Default for new networks: every compute runs its own network service '
                     'and is the gateway of its instances.'),
    cfg.StrOpt('default_floating_pool', default='nova',
               help='Floating-IP pool used when none is named.'),
    cfg.BoolOpt('auto_assign_floating_ip', default=False,
                help='Allocate and associate a floating IP to every new server.'),
]

LINUX_NET_OPTS = [
    cfg.StrOpt('network_executor', default='real', choices=['real', 'dry-run'],
               help='How host network changes are made: "real" runs ip/bridge/iptables/'
                    'dnsmasq; "dry-run" only records the commands (no root needed; '
                    'novalite-all uses it unless configured).'),
    cfg.StrOpt('network_namespace',
               help='Run every host network command inside this network namespace '
                    '(ip netns exec NAME ...); for tests and confined deployments.'),
    cfg.StrOpt('public_interface', default='eth0',
               help='Interface floating IPs are bound to.'),
    cfg.StrOpt('routing_source_ip', default='$my_ip',
               help='Source address of SNAT for instances without a floating IP.'),
    cfg.StrOpt('dmz_cidr', default='',
               help='Comma-separated CIDRs traffic to which is not SNATed.'),
    cfg.IntOpt('dhcp_lease_time', default=86400, min=1,
               help='Lifetime of a DHCP lease in seconds.'),
    cfg.StrOpt('dns_server',
               help='DNS server dnsmasq forwards to (default: the host resolver).'),
    cfg.StrOpt('dnsmasq_config_file', default='',
               help='An extra dnsmasq configuration file.'),
    cfg.StrOpt('networks_path', default='$state_path/networks',
               help='Where dnsmasq hosts, lease and pid files are kept.'),
    cfg.StrOpt('metadata_host', default='$my_ip',
               help='Address of the metadata service (DNAT of 169.254.169.254).'),
    cfg.PortOpt('metadata_port', default=8775,
                help='Port of the metadata service.'),
    cfg.StrOpt('iptables_top_regex', default='',
               help='Rules matching this regex stay at the top of the chains iptables-restore '
                    'writes.'),
    cfg.StrOpt('iptables_bottom_regex', default='',
               help='Rules matching this regex stay at the bottom.'),
]

FIREWALL_OPTS = [
    cfg.StrOpt('firewall_driver', default='iptables', choices=['iptables', 'noop'],
               help='How computes apply security groups: iptables chains per instance, or '
                    'nothing.'),
    cfg.BoolOpt('allow_same_net_traffic', default=True,
                help='Allow all traffic between instances of the same fixed network.'),
]


def register_opts(conf):
    conf.register_opts(MANAGER_OPTS)
    conf.register_opts(LINUX_NET_OPTS)
    conf.register_opts(FIREWALL_OPTS)


def list_opts():
    return [(None, MANAGER_OPTS + LINUX_NET_OPTS + FIREWALL_OPTS)]
