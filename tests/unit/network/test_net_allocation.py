"""NetworkManager (the plugin API base): network creation, allocation, release, floating IPs.

The managers are built directly on a SQLite database with a recording stand-in
for LinuxNet, so every host call is visible.
"""

import netaddr
import pytest

from net_fakes import RecordingLinuxNet, make_conf, make_db
from novalite import exception
from novalite.network import model
from novalite_plugins.network import flatdhcp


@pytest.fixture
def env(tmp_path):
    db = make_db(tmp_path)
    linux = RecordingLinuxNet()
    mgr = flatdhcp.FlatDHCPManager(make_conf(tmp_path), db, linux, host='net1')
    yield mgr
    db.dispose()


def _net(mgr, cidr='10.0.0.0/29', label='private', bridge='br100', **kwargs):
    [network] = mgr.create_networks(label=label, cidr=cidr, num_networks=1,
                                    network_size=netaddr.IPNetwork(cidr).size, bridge=bridge,
                                    **kwargs)
    return network


def _free(mgr, network):
    return [f['address'] for f in mgr.db.fixed_ip_get_by_network(network['id'])
            if not f['reserved'] and f['instance_uuid'] is None]


def test_create_splits_the_range_and_reserves_network_gateway_broadcast(env):
    networks = env.create_networks(label='net', cidr='10.1.0.0/24', num_networks=4,
                                   network_size=64, bridge='br100', dns1='1.1.1.1')
    assert [n['cidr'] for n in networks] == ['10.1.0.0/26', '10.1.0.64/26', '10.1.0.128/26',
                                             '10.1.0.192/26']
    assert [n['label'] for n in networks] == ['net_1', 'net_2', 'net_3', 'net_4']
    second = networks[1]
    assert (second['gateway'], second['dhcp_server'], second['dhcp_start'],
            second['netmask'], second['broadcast']) == \
        ('10.1.0.65', '10.1.0.65', '10.1.0.66', '255.255.255.192', '10.1.0.127')
    assert second['vlan'] is None and second['dns1'] == '1.1.1.1'
    reserved = [f['address'] for f in env.db.fixed_ip_get_by_network(second['id'])
                if f['reserved']]
    assert reserved == ['10.1.0.64', '10.1.0.65', '10.1.0.127']


@pytest.mark.parametrize('kwargs, message', [
    ({'cidr': '10.1.0.0/30', 'num_networks': 2, 'network_size': 4}, 'not big enough'),
    ({'cidr': '10.1.0.0/24', 'network_size': 100}, 'power of 2'),
    ({'cidr': 'not-a-cidr'}, 'not a CIDR'),
    ({'cidr': '10.1.0.0/24', 'num_networks': 2, 'network_size': 64, 'uuid': 'x'},
     'num_networks=1'),
    ({'cidr': '10.1.0.0/24', 'gateway': '10.9.9.9'}, 'not in'),
    ({'cidr': None}, '--cidr'),
])
def test_create_refuses_bad_input(env, kwargs, message):
    with pytest.raises(exception.Invalid, match=message):
        env.create_networks(label='x', bridge='br1', **kwargs)
    assert env.db.network_get_all() == []


def test_create_refuses_overlaps(env):
    _net(env, cidr='10.0.0.0/24')
    with pytest.raises(exception.CidrConflict):
        _net(env, cidr='10.0.0.128/25')
    with pytest.raises(exception.CidrConflict):
        _net(env, cidr='10.0.0.0/16')


def test_allocate_gives_a_vif_and_fixed_ip_and_plugs_the_network(env):
    network = _net(env)
    [vif] = env.allocate_for_instance('inst-1', 'p1', 'compute1')
    assert vif['address'].startswith('fa:16:3e:') and vif['devname'] == 'tap' + vif['id'][:11]
    assert vif['network']['id'] == network['uuid'] and vif['network']['bridge'] == 'br100'
    assert vif['network']['should_create_bridge'] is True
    [subnet] = vif['network']['subnets']
    assert subnet['gateway'] == '10.0.0.1' and subnet['dns'] == ['8.8.4.4']
    assert subnet['ips'] == [{'address': '10.0.0.2', 'type': 'fixed', 'version': 4,
                              'floating_ips': []}]
    # the bridge with the gateway on it, then dnsmasq's hosts
    [(args, kwargs)] = env.linux_net.named('ensure_bridge')
    assert args[0] == 'br100' and kwargs['gateway_cidr'] == '10.0.0.1/29'
    [(args, _)] = env.linux_net.named('update_dhcp')
    assert args[0]['dhcp_start'] == '10.0.0.2'
    assert args[1] == [{'mac': vif['address'], 'hostname': 'host-10-0-0-2', 'ip': '10.0.0.2'}]
    assert env.db.instance_info_cache_get('inst-1') == [vif]
    assert env.db.network_get(network['id'])['host'] == 'net1'


def test_requested_networks_and_addresses(env):
    first = _net(env)
    second = _net(env, cidr='10.0.1.0/29', label='second', bridge='br101')
    info = env.allocate_for_instance('inst-1', 'p1', 'compute1')
    assert [v['network']['label'] for v in info] == ['private', 'second']
    info = env.allocate_for_instance('inst-2', 'p1', 'compute1', requested_networks=[
        {'uuid': second['uuid'], 'fixed_ip': '10.0.1.5'}, {'uuid': first['uuid']}])
    assert [ip['address'] for ip in model.fixed_ips(info)] == ['10.0.1.5', '10.0.0.3']
    with pytest.raises(exception.FixedIpAlreadyInUse):
        env.allocate_for_instance('inst-3', 'p1', 'compute1', requested_networks=[
            {'uuid': first['uuid'], 'fixed_ip': None},
            {'uuid': second['uuid'], 'fixed_ip': '10.0.1.5'}])
    # the first network's address of the failed request went back
    assert env.db.fixed_ip_get_by_instance('inst-3') == []
    assert env.db.virtual_interface_get_by_instance('inst-3') == []
    assert env.allocate_for_instance('inst-4', 'p1', 'h', requested_networks=[]) == []


def test_no_networks_means_no_vifs(env):
    assert env.allocate_for_instance('inst-1', 'p1', 'compute1') == []


def test_a_failing_host_command_leaves_nothing_allocated(env):
    network = _net(env)
    env.linux_net.fail.add('update_dhcp')
    with pytest.raises(RuntimeError):
        env.allocate_for_instance('inst-1', 'p1', 'compute1')
    assert env.db.fixed_ip_get_by_instance('inst-1') == []
    assert env.db.virtual_interface_get_by_instance('inst-1') == []
    assert env.db.instance_info_cache_get('inst-1') == []
    assert len(_free(env, network)) == 5


def test_exhaustion_is_clean(env):
    network = _net(env)
    for i in range(5):
        env.allocate_for_instance('inst-%d' % i, 'p1', 'compute1')
    with pytest.raises(exception.NoMoreFixedIps):
        env.allocate_for_instance('late', 'p1', 'compute1')
    assert env.db.virtual_interface_get_by_instance('late') == []
    assert _free(env, network) == []


def test_deallocate_releases_dhcp_and_frees_at_once(env):
    network = _net(env)
    [vif] = env.allocate_for_instance('inst-1', 'p1', 'compute1')
    env.deallocate_for_instance('inst-1', 'p1', 'compute1')
    [(args, _)] = env.linux_net.named('release_dhcp')
    assert args == ('br100', '10.0.0.2', vif['address'])
    assert env.linux_net.named('update_dhcp')[-1][0][1] == []
    assert len(_free(env, network)) == 5
    assert env.db.virtual_interface_get_by_instance('inst-1') == []
    assert env.db.instance_info_cache_get('inst-1') == []


def test_without_forced_release_a_leased_address_waits_for_the_timeout(tmp_path):
    db = make_db(tmp_path)
    conf = make_conf(tmp_path, force_dhcp_release=False, fixed_ip_disassociate_timeout=0)
    mgr = flatdhcp.FlatDHCPManager(conf, db, RecordingLinuxNet(), host='net1')
    network = _net(mgr)
    mgr.allocate_for_instance('inst-1', 'p1', 'compute1')
    mgr.lease_fixed_ip('10.0.0.2')
    mgr.deallocate_for_instance('inst-1', 'p1', 'compute1')
    assert mgr.linux_net.named('release_dhcp') == []
    assert '10.0.0.2' not in _free(mgr, network)
    assert mgr.disassociate_stale_fixed_ips() == 1
    assert '10.0.0.2' in _free(mgr, network)
    db.dispose()


def test_multinic_add_and_remove(env):
    _net(env)
    second = _net(env, cidr='10.0.1.0/29', label='second', bridge='br101')
    env.allocate_for_instance('inst-1', 'p1', 'compute1', requested_networks=[
        {'uuid': env.db.network_get('10.0.0.0/29')['uuid']}])
    info = env.add_fixed_ip_to_instance('inst-1', 'p1', 'compute1', second['uuid'])
    assert [ip['address'] for ip in model.fixed_ips(info)] == ['10.0.0.2', '10.0.1.2']
    info = env.remove_fixed_ip_from_instance('inst-1', 'compute1', '10.0.0.2')
    assert [ip['address'] for ip in model.fixed_ips(info)] == ['10.0.1.2']
    with pytest.raises(exception.FixedIpNotFound):
        env.remove_fixed_ip_from_instance('inst-1', 'compute1', '10.0.0.2')


def test_interface_attach_and_detach(env):
    first = _net(env)
    second = _net(env, cidr='10.0.1.0/29', label='second', bridge='br101')
    env.allocate_for_instance('inst-1', 'p1', 'compute1',
                              requested_networks=[{'uuid': first['uuid']}])
    vif = env.allocate_interface('inst-1', 'p1', 'compute1', second['uuid'],
                                 requested_ip='10.0.1.6')
    assert vif['network']['id'] == second['uuid']
    assert model.fixed_ips([vif])[0]['address'] == '10.0.1.6'
    assert len(env.get_instance_nw_info('inst-1')) == 2
    with pytest.raises(exception.InterfaceNotFound):
        env.deallocate_interface('other', 'compute1', vif['id'])
    env.deallocate_interface('inst-1', 'compute1', vif['id'])
    assert [v['network']['id'] for v in env.db.instance_info_cache_get('inst-1')] == \
        [first['uuid']]
    assert '10.0.1.6' in _free(env, second)
    # a failing plug leaves no interface behind
    env.linux_net.fail.add('update_dhcp')
    with pytest.raises(RuntimeError):
        env.allocate_interface('inst-1', 'p1', 'compute1', second['uuid'])
    assert len(env.db.virtual_interface_get_by_instance('inst-1')) == 1


def test_floating_ip_associate_disassociate_and_release_on_delete(env):
    _net(env)
    env.db.floating_ip_bulk_create(['172.24.4.10', '172.24.4.11'], 'nova', 'eth9')
    env.allocate_for_instance('inst-1', 'p1', 'compute1')
    floating = env.allocate_floating_ip('p1')
    env.associate_floating_ip(floating['address'], '10.0.0.2', 'inst-1')
    [(args, _)] = env.linux_net.named('add_floating_ip')
    assert args == (floating['address'], '10.0.0.2', 'eth9')
    assert [f['address'] for f in model.floating_ips(env.db.instance_info_cache_get('inst-1'))] \
        == [floating['address']]
    with pytest.raises(exception.FixedIpNotFound):
        env.associate_floating_ip(floating['address'], '10.0.0.3', 'inst-1')
    env.disassociate_floating_ip(floating['address'])
    assert env.linux_net.named('remove_floating_ip')[0][0] == (floating['address'],
                                                               '10.0.0.2', 'eth9')
    with pytest.raises(exception.FloatingIpNotAssociated):
        env.disassociate_floating_ip(floating['address'])
    env.associate_floating_ip(floating['address'], '10.0.0.2', 'inst-1')
    env.deallocate_for_instance('inst-1', 'p1', 'compute1')
    after = env.db.floating_ip_get_by_address(floating['address'])
    assert after['fixed_ip_id'] is None and after['project_id'] == 'p1'


def test_a_failing_nat_leaves_the_floating_ip_unbound(env):
    _net(env)
    env.db.floating_ip_bulk_create(['172.24.4.10'], 'nova')
    env.allocate_for_instance('inst-1', 'p1', 'compute1')
    env.allocate_floating_ip('p1')
    env.linux_net.fail.add('add_floating_ip')
    with pytest.raises(RuntimeError):
        env.associate_floating_ip('172.24.4.10', '10.0.0.2', 'inst-1')
    assert env.db.floating_ip_get_by_address('172.24.4.10')['fixed_ip_id'] is None


def test_auto_assigned_floating_ips_come_and_go_with_the_server(tmp_path):
    db = make_db(tmp_path)
    mgr = flatdhcp.FlatDHCPManager(make_conf(tmp_path, auto_assign_floating_ip=True), db,
                                   RecordingLinuxNet(), host='net1')
    _net(mgr)
    db.floating_ip_bulk_create(['172.24.4.10'], 'nova')
    info = mgr.allocate_for_instance('inst-1', 'p1', 'compute1')
    assert [f['address'] for f in model.floating_ips(info)] == ['172.24.4.10']
    assert db.floating_ip_count_by_project('p1') == 0     # auto-assigned: not on the quota
    # the pool is empty now: the next server fails whole
    with pytest.raises(exception.NoMoreFloatingIps):
        mgr.allocate_for_instance('inst-2', 'p1', 'compute1')
    assert db.fixed_ip_get_by_instance('inst-2') == []
    mgr.deallocate_for_instance('inst-1', 'p1', 'compute1')
    assert db.floating_ip_get_by_address('172.24.4.10')['project_id'] is None
    db.dispose()


def test_security_rules_for_the_compute(env, monkeypatch):
    network = _net(env)
    [vif] = env.allocate_for_instance('inst-1', 'p1', 'compute1')
    monkeypatch.setattr(env.db, 'security_group_rules_for_instance', lambda uuid: [
        {'protocol': 'tcp', 'from_port': 22, 'to_port': 22, 'cidr': '192.0.2.0/24',
         'group_id': None, 'source_ips': []},
        {'protocol': 'icmp', 'from_port': -1, 'to_port': -1, 'cidr': None, 'group_id': 3,
         'source_ips': ['10.0.0.9']}], raising=False)
    rules = env.get_instance_security_rules('inst-1')
    assert rules['instance_uuid'] == 'inst-1'
    assert rules['ips'] == ['10.0.0.2'] and rules['macs'] == [vif['address']]
    assert rules['networks'] == [{'cidr': network['cidr'], 'dhcp_server': '10.0.0.1',
                                  'gateway': '10.0.0.1'}]
    assert rules['rules'][0] == {'protocol': 'tcp', 'from_port': 22, 'to_port': 22,
                                 'cidr': '192.0.2.0/24', 'source_ips': []}
    assert rules['rules'][1]['source_ips'] == ['10.0.0.9']


def test_init_host_restores_networks_and_floating_ips(env):
    network = _net(env)
    env.db.floating_ip_bulk_create(['172.24.4.10'], 'nova')
    env.allocate_for_instance('inst-1', 'p1', 'compute1')
    env.allocate_floating_ip('p1')
    env.associate_floating_ip('172.24.4.10', '10.0.0.2', 'inst-1')
    env.linux_net.calls.clear()
    env.init_host()
    assert env.linux_net.named('init_host') == [((network['cidr'],), {})]
    assert len(env.linux_net.named('ensure_bridge')) == 1
    assert env.linux_net.named('update_dhcp')[0][0][1][0]['ip'] == '10.0.0.2'
    assert env.linux_net.named('add_floating_ip') == [
        (('172.24.4.10', '10.0.0.2', 'eth0'), {})]


def test_delete_network_refused_in_use(env):
    network = _net(env)
    env.allocate_for_instance('inst-1', 'p1', 'compute1')
    with pytest.raises(exception.NetworkInUse):
        env.delete_network(network['uuid'])
    env.deallocate_for_instance('inst-1', 'p1', 'compute1')
    env.delete_network(network['uuid'])
    assert env.linux_net.named('kill_dhcp')


def test_model_addresses_lists_fixed_then_floating_per_vif():
    vif = model.make_vif({'uuid': 'v' * 36, 'address': 'fa:16:3e:00:00:01'},
                         {'uuid': 'n', 'label': 'private', 'bridge': 'br100',
                          'cidr': '10.0.0.0/24', 'gateway': '10.0.0.1'},
                         [{'address': '10.0.0.3'}], {'10.0.0.3': ['172.24.4.3']})
    assert model.addresses([vif]) == {'private': [
        {'version': 4, 'addr': '10.0.0.3', 'OS-EXT-IPS:type': 'fixed',
         'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'},
        {'version': 4, 'addr': '172.24.4.3', 'OS-EXT-IPS:type': 'floating',
         'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'}]}
    assert model.find_vif([vif], 'v' * 36) is vif and model.find_vif([vif], 'x') is None
