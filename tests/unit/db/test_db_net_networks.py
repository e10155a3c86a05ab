"""Network queries: networks, fixed IPs with their VIFs, floating IPs, info caches (SQLite)."""

import datetime

import pytest

from novalite import exception
from novalite.db import api as db_api
from novalite.db import migration


@pytest.fixture
def db(tmp_path):
    database = db_api.Database(url='sqlite:///%s' % (tmp_path / 'net.sqlite'))
    migration.db_sync(database.engine)
    yield database
    database.dispose()


def _network(db, cidr='10.0.0.0/29', reserved=('10.0.0.0', '10.0.0.1', '10.0.0.7'), **values):
    import netaddr
    values = dict({'label': 'private', 'cidr': cidr, 'bridge': 'br100', 'gateway': '10.0.0.1',
                   'dhcp_server': '10.0.0.1'}, **values)
    return db.network_create(values, [{'address': str(ip), 'reserved': str(ip) in reserved}
                                      for ip in netaddr.IPNetwork(cidr)])


def test_create_get_by_id_uuid_and_cidr(db):
    net = _network(db)
    assert net['uuid'] and net['deleted'] is False and net['multi_host'] is False
    for key in (net['id'], str(net['id']), net['uuid'], '10.0.0.0/29'):
        assert db.network_get(key)['id'] == net['id']
    assert [n['uuid'] for n in db.network_get_all()] == [net['uuid']]
    assert len(db.fixed_ip_get_by_network(net['id'])) == 8
    with pytest.raises(exception.NetworkNotFound):
        db.network_get('no-such-network')


def test_overlapping_cidr_is_refused(db):
    _network(db)
    with pytest.raises(exception.CidrConflict, match='10.0.0.0/29'):
        _network(db, cidr='10.0.0.4/30', reserved=())
    _network(db, cidr='10.0.0.8/29', reserved=())   # adjacent is fine


def test_projects_see_their_own_and_shared_networks(db):
    shared = _network(db)
    own = _network(db, cidr='10.0.1.0/29', project_id='p1', vlan=101)
    _network(db, cidr='10.0.2.0/29', project_id='p2', vlan=102)
    assert [n['id'] for n in db.network_get_all(project_id='p1')] == [shared['id'], own['id']]
    assert [n['id'] for n in db.network_get_all(vlan=False)] == [shared['id']]
    assert db.network_vlans() == {101, 102}
    with pytest.raises(exception.NetworkNotFound):
        db.network_get_all(uuids=[shared['uuid'], 'missing'])


def test_allocate_takes_free_addresses_least_recently_used_first(db):
    net = _network(db)
    vif, fixed = db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    assert fixed['address'] == '10.0.0.2' and fixed['allocated'] is True
    assert fixed['virtual_interface_id'] == vif['id'] and vif['instance_uuid'] == 'inst-1'
    _, second = db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:02')
    assert second['address'] == '10.0.0.3'
    db.fixed_ip_deallocate('10.0.0.2', net['id'], disassociate=True)
    # the freed address is used again only after the never-used ones
    got = [db.fixed_ip_allocate(net['id'], 'inst-%d' % i, 'fa:16:3e:00:01:%02x' % i)[1]
           ['address'] for i in range(4)]
    assert got == ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.2']


def test_exhaustion_raises_and_leaves_no_vif(db):
    net = _network(db)
    for i in range(5):
        db.fixed_ip_allocate(net['id'], 'inst-%d' % i, 'fa:16:3e:00:00:%02x' % i)
    with pytest.raises(exception.NoMoreFixedIps):
        db.fixed_ip_allocate(net['id'], 'late', 'fa:16:3e:00:00:ff')
    assert db.virtual_interface_get_by_instance('late') == []
    assert db.fixed_ip_count_allocated() == 5


def test_requested_address_checks(db):
    net = _network(db)
    db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01', address='10.0.0.5')
    with pytest.raises(exception.FixedIpAlreadyInUse, match='inst-1'):
        db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:02', address='10.0.0.5')
    with pytest.raises(exception.FixedIpInvalid, match='reserved'):
        db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:02', address='10.0.0.1')
    with pytest.raises(exception.FixedIpInvalid, match='not an address'):
        db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:02', address='10.9.9.9')
    assert db.virtual_interface_get_by_instance('inst-2') == []


def test_duplicate_mac_writes_nothing(db):
    net = _network(db)
    db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    with pytest.raises(exception.VirtualInterfaceMacAddressException):
        db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:01')
    assert db.fixed_ip_get_by_instance('inst-2') == []


def test_lease_release_and_stale_timeout(db):
    net = _network(db)
    db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    assert db.fixed_ip_set_leased('10.0.0.2', True)['leased'] is True
    db.fixed_ip_deallocate('10.0.0.2', net['id'], disassociate=False)
    row = db.fixed_ip_get_by_address('10.0.0.2')
    assert row['allocated'] is False and row['instance_uuid'] == 'inst-1'
    # the lease release frees it
    assert db.fixed_ip_set_leased('10.0.0.2', False)['instance_uuid'] is None
    # a deallocated address nobody releases is freed after the timeout
    db.fixed_ip_allocate(net['id'], 'inst-2', 'fa:16:3e:00:00:02')
    db.fixed_ip_set_leased('10.0.0.3', True)
    db.fixed_ip_deallocate('10.0.0.3', net['id'], disassociate=False)
    past = datetime.datetime(2000, 1, 1)
    assert db.fixed_ip_disassociate_all_by_timeout(None, past) == 0
    assert db.fixed_ip_disassociate_all_by_timeout(
        None, datetime.datetime(2999, 1, 1)) == 1
    assert db.fixed_ip_count_allocated() == 0


def test_delete_refused_while_in_use(db):
    net = _network(db)
    db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    with pytest.raises(exception.NetworkInUse):
        db.network_delete_safe(net['uuid'])
    db.fixed_ip_deallocate('10.0.0.2', net['id'], disassociate=True)
    db.virtual_interface_delete(db.virtual_interface_get_by_instance('inst-1')[0]['id'])
    db.network_delete_safe(net['uuid'])
    assert db.network_get_all() == []
    _network(db)    # the range is free again


def test_associate_on_demand_and_set_host(db):
    first = _network(db, vlan=100)
    second = _network(db, cidr='10.0.1.0/29', vlan=101)
    assert db.network_associate('p1')['id'] == first['id']
    assert db.network_associate('p1')['id'] == first['id']   # stays the project's
    assert db.network_associate('p2')['id'] == second['id']
    with pytest.raises(exception.NoMoreNetworks):
        db.network_associate('p3')
    assert db.network_set_host(first['id'], 'net1') == 'net1'
    assert db.network_set_host(first['id'], 'net2') == 'net1'
    assert db.network_disassociate(first['id'])['project_id'] is None


def test_floating_ips(db):
    assert db.floating_ip_bulk_create(['172.24.4.1', '172.24.4.2'], 'public', 'eth0') == 2
    with pytest.raises(exception.FloatingIpExists):
        db.floating_ip_bulk_create(['172.24.4.2', '172.24.4.3'], 'public')
    assert db.floating_ip_get_pools() == ['public']
    with pytest.raises(exception.FloatingIpPoolNotFound):
        db.floating_ip_allocate_address('p1', 'nope')
    one = db.floating_ip_allocate_address('p1', 'public')
    two = db.floating_ip_allocate_address('p1', 'public')
    assert {one['address'], two['address']} == {'172.24.4.1', '172.24.4.2'}
    with pytest.raises(exception.NoMoreFloatingIps):
        db.floating_ip_allocate_address('p1', 'public')
    assert db.floating_ip_count_by_project('p1') == 2

    net = _network(db)
    _, fixed = db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    bound = db.floating_ip_fixed_ip_associate(one['address'], fixed['id'], 'net1')
    assert (bound['fixed_ip'], bound['instance_uuid'], bound['host']) == \
        ('10.0.0.2', 'inst-1', 'net1')
    with pytest.raises(exception.FloatingIpAssociated):
        db.floating_ip_deallocate(one['address'])
    with pytest.raises(exception.FloatingIpAssociated):
        db.floating_ip_bulk_destroy([one['address']])
    assert db.floating_ip_disassociate(one['address'])['fixed_ip'] == '10.0.0.2'
    with pytest.raises(exception.FloatingIpNotAssociated):
        db.floating_ip_disassociate(one['address'])
    db.floating_ip_deallocate(one['address'])
    assert db.floating_ip_count_by_project('p1') == 1
    assert db.floating_ip_bulk_destroy(['172.24.4.1', '172.24.4.2', '172.24.4.9']) == 2


def test_info_cache(db):
    assert db.instance_info_cache_get('a') == []
    db.instance_info_cache_update('a', [{'id': 'vif'}])
    db.instance_info_cache_update('a', [{'id': 'vif2'}])
    db.instance_info_cache_update('b', [])
    assert db.instance_info_cache_get_many(['a', 'b', 'c']) == {'a': [{'id': 'vif2'}], 'b': []}
    db.instance_info_cache_delete('a')
    assert db.instance_info_cache_get('a') == []
