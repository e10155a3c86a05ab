"""Networking in the boot flow: real conductor, scheduler, network and compute services in process.

The network service runs the configured manager (flatdhcp unless a test says
otherwise) with a dry-run executor, so every host command is recorded; the fake
driver records the VIFs it was given and the ones attached later.
"""

import netaddr
import pytest

import nltest
from novalite import context as nl_context
from novalite import exception
from novalite.compute import states
from novalite.network import model

ADMIN = nl_context.get_admin_context()




@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=('compute1', 'compute2')).start()
    try:
        yield cloud
    finally:
        cloud.stop()


def _network(cloud, cidr='10.0.0.0/28', label='private', **kwargs):
    [network] = cloud.api.network_api.create(ADMIN, label=label, cidr=cidr, num_networks=1,
                                             network_size=netaddr.IPNetwork(cidr).size,
                                             bridge=kwargs.pop('bridge', 'br100'), **kwargs)
    return network


def _fixed(cloud, uuid):
    return [ip['address'] for ip in model.fixed_ips(
        cloud.api.network_api.get_instance_nw_info(cloud.ctx, uuid))]


def _guest_vifs(cloud, instance):
    return cloud.drivers[instance.host].instances[instance.uuid].vifs


def test_boot_gets_a_fixed_ip_plugged_into_the_guest_and_delete_frees_it(cloud):
    network = _network(cloud)
    server = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
    [address] = _fixed(cloud, server.uuid)
    assert netaddr.IPAddress(address) in netaddr.IPNetwork('10.0.0.0/28')
    # network, gateway (the bridge) and broadcast are never handed out
    assert address not in ('10.0.0.0', '10.0.0.1', '10.0.0.15')
    [vif] = cloud.api.network_api.get_instance_nw_info(cloud.ctx, server.uuid)
    assert vif['network']['bridge'] == 'br100'
    assert vif['address'].startswith('fa:16:3e:')
    assert list(_guest_vifs(cloud, server)) == [vif['address']]
    addresses = model.addresses([vif])
    assert addresses == {'private': [{'version': 4, 'addr': address,
                                      'OS-EXT-IPS:type': 'fixed',
                                      'OS-EXT-IPS-MAC:mac_addr': vif['address']}]}

    with pytest.raises(exception.NetworkInUse):
        cloud.api.network_api.delete(ADMIN, network['uuid'])
    cloud.api.delete(cloud.ctx, server)
    cloud.wait_deleted(server.uuid)
    nltest.wait_for(lambda: not cloud.api.network_api.get_instance_nw_info(cloud.ctx,
                                                                          server.uuid),
                    what='the info cache to empty')
    # the address went back to the pool: the network can go now
    cloud.api.network_api.delete(ADMIN, network['uuid'])


def test_an_exhausted_network_puts_the_extra_server_in_error_and_leaks_nothing(cloud):
    # a /29 has 8 addresses: network, gateway, broadcast reserved -> 5 for servers
    _network(cloud, cidr='10.0.1.0/29')
    servers = cloud.boot(count=6)
    finished = [cloud.wait(s.uuid, lambda i: i.task_state is None
                           and i.vm_state in (states.ACTIVE, states.ERROR), what='a result')
                for s in servers]
    active = [s for s in finished if s.vm_state == states.ACTIVE]
    errors = [s for s in finished if s.vm_state == states.ERROR]
    assert len(active) == 5 and len(errors) == 1
    fault = cloud.db.instance_fault_get_latest([errors[0].uuid])[errors[0].uuid]
    assert 'No fixed IP' in fault['message']
    assert _fixed(cloud, errors[0].uuid) == []
    addresses = [a for s in active for a in _fixed(cloud, s.uuid)]
    assert len(set(addresses)) == 5
    # the failed server is not left on a hypervisor either
    assert all(errors[0].uuid not in d.instances for d in cloud.drivers.values())


def test_a_failed_spawn_releases_the_address_before_the_reschedule(tmp_path):
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', spawn_failure_rate=1.0),
               'compute2': nltest.fake_driver(tmp_path, 'c2', spawn_failure_rate=1.0)}
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=tuple(drivers),
                         drivers=drivers).start()
    try:
        _network(cloud, cidr='10.0.2.0/29')
        server = cloud.wait_state(cloud.boot()[0].uuid, states.ERROR)
        assert _fixed(cloud, server.uuid) == []
        # nothing stays allocated after the reschedule and the final failure
        assert cloud.db.fixed_ip_get_by_instance(server.uuid) == []
    finally:
        cloud.stop()


def test_requested_network_and_fixed_ip_and_none(cloud):
    _network(cloud, cidr='10.0.3.0/28', label='first', bridge='br101')
    second = _network(cloud, cidr='10.0.4.0/28', label='second', bridge='br102')
    [server] = cloud.boot(networks=[{'uuid': second['uuid'], 'fixed_ip': '10.0.4.9'}])
    cloud.wait_state(server.uuid, states.ACTIVE)
    assert _fixed(cloud, server.uuid) == ['10.0.4.9']

    [bare] = cloud.boot(networks=[])
    cloud.wait_state(bare.uuid, states.ACTIVE)
    assert _fixed(cloud, bare.uuid) == []

    with pytest.raises(exception.Invalid, match='could not be found'):
        cloud.boot(networks=[{'uuid': '2c1f4a1e-9a0e-4c63-9d6b-0c6c3b8c1d11',
                              'fixed_ip': None}])
    with pytest.raises(exception.FixedIpInvalid):
        cloud.boot(networks=[{'uuid': second['uuid'], 'fixed_ip': '192.168.9.9'}])


def test_attach_and_detach_an_interface_on_a_second_network(cloud):
    first = _network(cloud, cidr='10.0.5.0/28', label='first', bridge='br103')
    second = _network(cloud, cidr='10.0.6.0/28', label='second', bridge='br104')
    [server] = cloud.boot(networks=[{'uuid': first['uuid'], 'fixed_ip': None}])
    server = cloud.wait_state(server.uuid, states.ACTIVE)
    vif = cloud.api.attach_interface(cloud.ctx, server, second['uuid'])
    assert vif['network']['id'] == second['uuid']
    [ip] = [i['address'] for s in vif['network']['subnets'] for i in s['ips']]
    assert netaddr.IPAddress(ip) in netaddr.IPNetwork('10.0.6.0/28')
    assert len(_guest_vifs(cloud, server)) == 2
    listed = cloud.api.list_interfaces(cloud.ctx, server)
    assert [v['id'] for v in listed][-1] == vif['id']

    cloud.api.detach_interface(cloud.ctx, server, vif['id'])
    assert list(_guest_vifs(cloud, server)) == [listed[0]['address']]
    assert len(cloud.api.list_interfaces(cloud.ctx, server)) == 1
    with pytest.raises(exception.InterfaceNotFound):
        cloud.api.detach_interface(cloud.ctx, server, vif['id'])


def test_security_group_rules_reach_the_compute_firewall(cloud):
    _network(cloud, cidr='10.0.7.0/28')
    sg_api = cloud.api.security_group_api
    group = sg_api.create(cloud.ctx, 'web', 'ssh from the office')
    [server] = cloud.boot(security_groups=['web'])
    server = cloud.wait_state(server.uuid, states.ACTIVE)
    firewall = next(s for s in cloud.services
                    if getattr(s, 'host', None) == server.host).manager.firewall
    before = len(firewall.executor.inputs)
    sg_api.add_rule(cloud.ctx, group['id'], 'tcp', 22, 22, cidr='192.0.2.0/24')
    nltest.wait_for(lambda: any('-s 192.0.2.0/24 -p tcp' in (stdin or '') and
                                '--dport 22' in stdin
                                for _, stdin in firewall.executor.inputs[before:]),
                    what='the rule in the compute host\'s iptables-restore input')

    with pytest.raises(exception.Invalid, match='security_group'):
        cloud.boot(security_groups=['no-such-group'])
