"""novalite-network in process over the real RPC layer (inproc transport), with the real
LinuxNet on a dry-run executor: every host command is recorded, none is run."""

import pytest

import nltest
from novalite import context as nl_context
from novalite import exception
from novalite import rpc
from novalite import service
from novalite.cmd import network as network_cmd
from novalite.db import api as db_api
from novalite.db import migration
from novalite.network import api as network_api
from novalite.network import model
from novalite.network import rpcapi as network_rpcapi

CTX = nl_context.RequestContext(user_id='alice', project_id='p1')
ADMIN = nl_context.get_admin_context()


@pytest.fixture
def net(tmp_path):
    from novalite import plugin
    if 'flatdhcp' not in plugin.available(plugin.NETWORK_MANAGERS):
        pytest.fail('the novalite.network.managers entry points are not installed')
    conf = nltest.make_conf(tmp_path, network_manager='flatdhcp', flat_interface='eth1',
                            public_interface='eth9')
    db = db_api.Database(conf)
    migration.db_sync(db.engine)
    svc = network_cmd.build(conf, db, host='net1')
    svc.start()
    client = network_rpcapi.NetworkAPI(conf)
    facade = network_api.API(conf, db, client)
    try:
        yield conf, db, svc, client, facade
    finally:
        service.stop_all([svc])
        rpc.cleanup()
        db.dispose()


def _commands(svc):
    return [' '.join(c) for c in svc.manager.linux_net.executor.commands]


def test_allocate_deallocate_over_rpc(net):
    conf, db, svc, client, facade = net
    [network] = facade.create(ADMIN, label='private', cidr='10.0.0.0/29', bridge='br100')
    [vif] = client.allocate_for_instance(CTX, 'inst-1', 'p1', 'compute1')
    assert model.fixed_ips([vif])[0]['address'] == '10.0.0.2'
    assert vif['network']['id'] == network['uuid']
    commands = _commands(svc)
    assert any('br100' in c and 'add' in c for c in commands), commands
    assert any(c.startswith('dnsmasq') or ' dnsmasq ' in c for c in commands), commands
    hosts = svc.manager.linux_net.executor
    assert any(vif['address'] in str(content) for content in
               getattr(hosts, 'files', {}).values()), 'the dnsmasq hosts file names the MAC'
    assert client.get_instance_nw_info(CTX, 'inst-1') == [vif]
    assert facade.get_nw_info_for_instances(CTX, ['inst-1', 'x']) == {'inst-1': [vif], 'x': []}

    before = len(_commands(svc))
    # a dry run sees no bridge unless told: dhcp_release is only sent to an existing one
    svc.manager.linux_net.executor.stub_output(
        r'^ip -o link show$', '7: br100: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc\n')
    client.deallocate_for_instance(CTX, 'inst-1', 'p1', 'compute1')
    assert any('dhcp_release' in c and '10.0.0.2' in c for c in _commands(svc)[before:])
    assert db.fixed_ip_count_allocated() == 0
    assert facade.get_instance_nw_info(CTX, 'inst-1') == []


def test_exhaustion_comes_back_as_the_domain_error(net):
    conf, db, svc, client, facade = net
    facade.create(ADMIN, label='tiny', cidr='10.0.1.0/30', bridge='br101')
    client.allocate_for_instance(CTX, 'inst-1', 'p1', 'compute1')
    with pytest.raises(exception.NoMoreFixedIps):
        client.allocate_for_instance(CTX, 'inst-2', 'p1', 'compute1')
    assert db.virtual_interface_get_by_instance('inst-2') == []


def test_a_failing_host_command_rolls_back_and_names_the_command(net):
    conf, db, svc, client, facade = net
    facade.create(ADMIN, label='private', cidr='10.0.2.0/29', bridge='br102')
    svc.manager.linux_net.executor.fail_on('dnsmasq')
    with pytest.raises(exception.NetworkCommandFailed, match='dnsmasq'):
        client.allocate_for_instance(CTX, 'inst-1', 'p1', 'compute1')
    assert db.fixed_ip_get_by_instance('inst-1') == []
    assert db.virtual_interface_get_by_instance('inst-1') == []


def test_floating_ip_allocate_associate_release(net):
    conf, db, svc, client, facade = net
    facade.create(ADMIN, label='private', cidr='10.0.3.0/29', bridge='br103')
    facade.create_floating_ips('172.24.4.0/30', 'public')
    assert facade.get_floating_ip_pools(CTX) == ['public']
    client.allocate_for_instance(CTX, 'inst-1', 'p1', 'compute1')
    floating = facade.allocate_floating_ip(CTX, 'public')
    assert floating['project_id'] == 'p1' and floating['fixed_ip'] is None

    class Instance:
        uuid = 'inst-1'
        project_id = 'p1'
        host = 'compute1'

    before = len(_commands(svc))
    bound = facade.associate_floating_ip(CTX, Instance, floating['address'])
    assert bound['fixed_ip'] == '10.0.3.2' and bound['host'] == 'net1'
    added = _commands(svc)[before:]
    assert any('%s/32' % floating['address'] in c and 'eth9' in c for c in added), added
    assert any('iptables-restore' in c for c in added), added
    info = facade.get_instance_nw_info(CTX, 'inst-1')
    assert model.addresses(info)['private'][1]['addr'] == floating['address']
    other = nl_context.RequestContext(user_id='bob', project_id='p2')
    with pytest.raises(exception.FloatingIpNotFound):
        facade.get_floating_ip(other, floating['id'])
    facade.release_floating_ip(CTX, floating['address'])   # disassociates first
    assert db.floating_ip_get_by_address(floating['address'])['project_id'] is None
    assert model.floating_ips(facade.get_instance_nw_info(CTX, 'inst-1')) == []
    with pytest.raises(exception.FloatingIpPoolNotFound):
        facade.allocate_floating_ip(CTX, 'nope')
