"""multi_host: every compute runs its own network service and serves its own servers.

Two computes, each with a network service on the same host name; a third network
service (the Cloud's) serves non-multi_host work.  Allocation is routed to the
network service of the server's host, which plugs the bridge and writes the
DHCP hosts on that host only; a floating IP is bound on the server's host.
"""

import pytest

import nltest
from novalite import context as nl_context
from novalite.cmd import network as network_cmd
from novalite.compute import states

ADMIN = nl_context.get_admin_context()
HOSTS = ('compute1', 'compute2')


@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(nltest.make_conf(tmp_path, multi_host=True), hosts=HOSTS)
    for host in HOSTS:
        cloud.services.append(network_cmd.build(cloud.conf, cloud.db, host=host))
    cloud.start()
    try:
        yield cloud
    finally:
        cloud.stop()


def _network_service(cloud, host):
    return next(s.manager for s in cloud.services
                if s.binary == 'novalite-network' and s.host == host)


def _commands(service):
    return [' '.join(c) for c in service.linux_net.executor.commands]


def test_each_host_serves_its_own_servers(cloud):
    [network] = cloud.api.network_api.create(ADMIN, label='private', cidr='10.0.0.0/24',
                                             num_networks=1, network_size=256,
                                             bridge='br100', multi_host=True)
    assert network['multi_host']
    servers = {}
    for host in HOSTS:
        [server] = cloud.boot(ctx=cloud.admin, availability_zone='nova:%s' % host)
        servers[host] = cloud.wait_state(server.uuid, states.ACTIVE)
        assert servers[host].host == host

    for host, server in servers.items():
        [fixed] = cloud.db.fixed_ip_get_by_instance(server.uuid)
        assert fixed['host'] == host
        service = _network_service(cloud, host)
        # the bridge was plugged and dnsmasq told about this host's server on this host
        assert any('br100' in c for c in _commands(service))
        hosts_files = [text for path, text in service.linux_net.executor.files.items()
                       if path.endswith('.conf') and 'br100' in path]
        assert hosts_files and fixed['address'] in hosts_files[-1]

    # a floating IP of the server on compute2 is bound by compute2's network service
    api = cloud.api.network_api
    api.create_floating_ips('172.24.4.0/29', 'public', 'eth0')
    fip = api.allocate_floating_ip(cloud.admin, pool='public')
    before = {h: len(_commands(_network_service(cloud, h))) for h in HOSTS}
    api.associate_floating_ip(cloud.admin, servers['compute2'], fip['address'])
    assert any(fip['address'] in c
               for c in _commands(_network_service(cloud, 'compute2'))[before['compute2']:])
    assert not any(fip['address'] in c
                   for c in _commands(_network_service(cloud, 'compute1'))[before['compute1']:])


def test_a_hosts_dnsmasq_lists_only_its_own_servers(cloud):
    cloud.api.network_api.create(ADMIN, label='private', cidr='10.0.0.0/24', num_networks=1,
                                 network_size=256, bridge='br100', multi_host=True)
    addresses = {}
    for host in HOSTS:
        [server] = cloud.boot(ctx=cloud.admin, availability_zone='nova:%s' % host)
        cloud.wait_state(server.uuid, states.ACTIVE)
        [fixed] = cloud.db.fixed_ip_get_by_instance(server.uuid)
        addresses[host] = fixed['address']
    for host, other in (HOSTS, tuple(reversed(HOSTS))):
        service = _network_service(cloud, host)
        [hosts_file] = [text for path, text in service.linux_net.executor.files.items()
                        if path.endswith('nova-br100.conf')]
        assert addresses[host] in hosts_file
        assert addresses[other] not in hosts_file
