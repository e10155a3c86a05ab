"""The three manager plugins: flags, network creation per mode, default networks, host plugging."""

import pytest

from net_fakes import RecordingLinuxNet, make_conf, make_db
from novalite import exception
from novalite import plugin
from novalite_plugins.network import flat, flatdhcp, vlan

CLASSES = {'flat': flat.FlatManager, 'flatdhcp': flatdhcp.FlatDHCPManager,
           'vlan': vlan.VlanManager}


@pytest.fixture
def build(tmp_path):
    dbs = []

    def factory(name, **overrides):
        db = make_db(tmp_path / ('db%d' % len(dbs)))
        dbs.append(db)
        return CLASSES[name](make_conf(tmp_path, **overrides), db, RecordingLinuxNet(),
                             host='net1')
    (tmp_path / 'db0').mkdir()
    for i in range(1, 4):
        (tmp_path / ('db%d' % i)).mkdir()
    yield factory
    for db in dbs:
        db.dispose()


@pytest.mark.parametrize('name, bridge, vlan_flag, dhcp, floating', [
    ('flat', False, False, False, False),
    ('flatdhcp', True, False, True, True),
    ('vlan', True, True, True, True),
])
def test_flags(name, bridge, vlan_flag, dhcp, floating):
    cls = CLASSES[name]
    assert (cls.SHOULD_CREATE_BRIDGE, cls.SHOULD_CREATE_VLAN, cls.DHCP, cls.FLOATING_IPS) == \
        (bridge, vlan_flag, dhcp, floating)
    assert cls.__doc__ and cls.__module__.startswith('novalite_plugins.network.')


@pytest.mark.parametrize('name', sorted(CLASSES))
def test_entry_points_load_the_classes(name):
    """Needs the novalite.network.managers entry points installed (pip install -e .)."""
    if name not in plugin.available(plugin.NETWORK_MANAGERS):
        pytest.skip('entry point %s not installed' % name)
    assert plugin.load_class(plugin.NETWORK_MANAGERS, name) is CLASSES[name]


def test_flat_needs_a_bridge_and_uses_the_option(build):
    mgr = build('flat')
    with pytest.raises(exception.Invalid, match='--bridge'):
        mgr.create_networks(label='x', cidr='10.0.0.0/24')
    mgr.conf.set_override('flat_network_bridge', 'br-flat')
    [net] = mgr.create_networks(label='x', cidr='10.0.0.0/24', network_size=256)
    assert net['bridge'] == 'br-flat' and net['vlan'] is None and net['enable_dhcp'] is False


def test_flat_plugs_nothing_frees_at_once_and_has_no_floating_ips(build):
    mgr = build('flat', flat_injected=True)
    [net] = mgr.create_networks(label='x', cidr='10.0.0.0/29', network_size=8, bridge='br0')
    [vif] = mgr.allocate_for_instance('inst-1', 'p1', 'compute1')
    assert vif['network']['injected'] is True
    assert mgr.linux_net.calls == []
    mgr.lease_fixed_ip('10.0.0.2')
    mgr.deallocate_for_instance('inst-1', 'p1', 'compute1')
    assert mgr.db.fixed_ip_count_allocated() == 0
    with pytest.raises(exception.Invalid, match='floating'):
        mgr.associate_floating_ip('172.24.4.1', '10.0.0.2', 'inst-1')
    assert mgr.disassociate_stale_fixed_ips() == 0


def test_flatdhcp_bridge_goes_on_the_flat_interface(build):
    mgr = build('flatdhcp', flat_interface='eth1')
    mgr.create_networks(label='x', cidr='10.0.0.0/29', network_size=8, bridge='br100')
    mgr.allocate_for_instance('inst-1', 'p1', 'compute1')
    [(args, kwargs)] = mgr.linux_net.named('ensure_bridge')
    assert args == ('br100', 'eth1') and kwargs == {'gateway_cidr': '10.0.0.1/29'}


def test_vlan_create_numbers_vlans_and_bridges_and_reserves_the_vpn_address(build):
    mgr = build('vlan', vlan_interface='eth2')
    first = mgr.create_networks(label='v', cidr='10.0.0.0/24', num_networks=1,
                                network_size=64, vlan=101)
    assert first[0]['vlan'] == 101 and first[0]['bridge'] == 'br101'
    networks = mgr.create_networks(label='p', cidr='10.1.0.0/16', num_networks=3,
                                   network_size=256, vlan_start=100)
    assert [n['vlan'] for n in networks] == [100, 102, 103]    # 101 is taken
    assert [n['bridge'] for n in networks] == ['br100', 'br102', 'br103']
    assert networks[0]['bridge_interface'] == 'eth2'
    assert (networks[0]['vpn_private_address'], networks[0]['dhcp_start']) == \
        ('10.1.0.2', '10.1.0.3')
    reserved = [f['address'] for f in mgr.db.fixed_ip_get_by_network(networks[0]['id'])
                if f['reserved']]
    assert reserved == ['10.1.0.0', '10.1.0.1', '10.1.0.2', '10.1.0.255']


def test_vlan_refuses_overflow_and_needs_an_interface(build):
    mgr = build('vlan')
    with pytest.raises(exception.Invalid, match='--bridge_interface'):
        mgr.create_networks(label='p', cidr='10.1.0.0/16')
    with pytest.raises(exception.Invalid, match='maximum VLAN'):
        mgr.create_networks(label='p', cidr='10.1.0.0/16', num_networks=2, network_size=256,
                            vlan_start=4094, bridge_interface='eth2')
    assert mgr.db.network_get_all() == []


def test_vlan_associates_a_network_per_project_and_isolates_projects(build):
    mgr = build('vlan', vlan_interface='eth2')
    mgr.create_networks(label='p', cidr='10.1.0.0/16', num_networks=2, network_size=256)
    [a] = mgr.allocate_for_instance('inst-a', 'p1', 'compute1')
    [b] = mgr.allocate_for_instance('inst-b', 'p2', 'compute1')
    [a2] = mgr.allocate_for_instance('inst-a2', 'p1', 'compute1')
    assert a['network']['id'] == a2['network']['id'] != b['network']['id']
    assert a['network']['vlan'] == 100 and b['network']['vlan'] == 101
    assert a['network']['should_create_vlan'] is True
    with pytest.raises(exception.NoMoreNetworks):
        mgr.allocate_for_instance('inst-c', 'p3', 'compute1')
    with pytest.raises(exception.NetworkNotFound):
        mgr.allocate_for_instance('inst-x', 'p1', 'compute1',
                                  requested_networks=[{'uuid': b['network']['id']}])
    assert mgr.db.fixed_ip_get_by_instance('inst-x') == []
    calls = mgr.linux_net.named('ensure_vlan_bridge')
    assert calls[0] == ((100, 'br100', 'eth2'), {'gateway_cidr': '10.1.0.1/24'})
    assert {c[0][0] for c in calls} == {100, 101}
