"""Racing allocations on the real MariaDB and PostgreSQL: no address is handed out twice.

Many threads (each its own connection, as several network services would be)
allocate fixed IPs and floating IPs from one small pool at once.  Under CI=true
a missing database fails these tests; elsewhere they skip.
"""

import collections
import threading

import pytest

import nltest
from novalite import exception
from novalite.db import api as db_api
from novalite.db import migration
from novalite_plugins.network import flatdhcp

pytestmark = pytest.mark.realservices

THREADS = 24


@pytest.fixture(params=['mariadb', 'postgresql'])
def database_url(request):
    return request.getfixturevalue('mysql_url' if request.param == 'mariadb' else 'pg_url')


@pytest.fixture
def manager(tmp_path, database_url):
    db = db_api.Database(url=database_url, engine=None)
    migration.db_sync(db.engine)
    conf = nltest.make_conf(tmp_path)
    yield flatdhcp.FlatDHCPManager(conf, db, None, host='net1')
    db.dispose()


def _race(count, work):
    """Run ``work(i)`` for i in range(count) on THREADS threads released together."""
    results = [None] * count
    start = threading.Barrier(THREADS)
    todo = iter(range(count))
    lock = threading.Lock()

    def worker():
        start.wait()
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            try:
                results[i] = ('ok', work(i))
            except Exception as exc:  # recorded for the assertions
                results[i] = ('error', exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fixed_ips_are_never_handed_out_twice(manager):
    db = manager.db
    [network] = manager.create_networks(label='small', cidr='10.9.0.0/27', bridge='br100')
    free = 32 - 3
    results = _race(free + 15, lambda i: manager.allocate_for_instance(
        'inst-%03d' % i, 'p1', 'compute1'))
    errors = [r for kind, r in results if kind == 'error']
    won = [r for kind, r in results if kind == 'ok']
    assert all(isinstance(e, exception.NoMoreFixedIps) for e in errors), errors
    assert len(won) == free and len(errors) == 15
    addresses = [vif['network']['subnets'][0]['ips'][0]['address'] for [vif] in won]
    assert len(set(addresses)) == free
    rows = db.fixed_ip_get_by_network(network['id'])
    owners = collections.Counter(r['instance_uuid'] for r in rows if r['instance_uuid'])
    assert len(owners) == free and set(owners.values()) == {1}
    # nothing half-allocated: one VIF per winner, none for the losers
    vifs = sum(len(db.virtual_interface_get_by_instance('inst-%03d' % i))
               for i in range(free + 15))
    assert vifs == free
    assert all(r['virtual_interface_id'] is not None for r in rows if r['instance_uuid'])


def test_floating_ips_are_never_handed_out_twice(manager):
    db = manager.db
    db.floating_ip_bulk_create(['172.30.0.%d' % i for i in range(1, 11)], 'public')
    results = _race(30, lambda i: db.floating_ip_allocate_address('project-%d' % i, 'public'))
    errors = [r for kind, r in results if kind == 'error']
    won = [r for kind, r in results if kind == 'ok']
    assert all(isinstance(e, exception.NoMoreFloatingIps) for e in errors), errors
    assert len(won) == 10 and len({f['address'] for f in won}) == 10
    owners = {f['address']: f['project_id'] for f in db.floating_ip_get_all()}
    assert {f['address']: f['project_id'] for f in won} == owners


def test_racing_vlan_projects_get_distinct_networks(tmp_path, database_url):
    from novalite_plugins.network import vlan
    db = db_api.Database(url=database_url)
    migration.db_sync(db.engine)
    try:
        mgr = vlan.VlanManager(nltest.make_conf(tmp_path), db, None, host='net1')
        mgr.create_networks(label='p', cidr='10.20.0.0/22', num_networks=4, network_size=256,
                            bridge_interface='eth2')
        results = _race(8, lambda i: db.network_associate('project-%d' % i))
        won = [r for kind, r in results if kind == 'ok']
        errors = [r for kind, r in results if kind == 'error']
        assert len(won) == 4 and len({n['id'] for n in won}) == 4
        assert all(isinstance(e, exception.NoMoreNetworks) for e in errors), errors
    finally:
        db.dispose()
