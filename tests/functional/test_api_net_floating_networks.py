"""os-floating-ip-pools, os-floating-ips, os-networks and the floating/fixed IP actions over
the API (real app, database, network facade and manager plugin; network RPC recorded)."""

import pytest

from api_net_support import Stack, boot
from novalite import context as nl_context
from novalite.network import model

FIP = '/v2.1/os-floating-ips'
NETS = '/v2.1/os-networks'
DEMO = 'demo:demo'
ADMIN = nl_context.get_admin_context()


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.network_api.create_floating_ips('172.24.4.0/29', pool='public')   # 6 addresses
    stack.network_api.create_floating_ips('192.0.2.8/31', pool='spare')     # 2 addresses
    yield stack
    stack.close()


@pytest.fixture
def api(stack):
    return stack.api


def _network(api, label='private', cidr='10.0.0.0/28', **extra):
    resp = api.post(NETS, {'network': dict(label=label, cidr=cidr, bridge='br100', **extra)})
    assert resp.status_code == 200, resp.text
    return resp.json['network']


def _allocate(api, pool=None, user=DEMO):
    return api.post(FIP, {'pool': pool} if pool else None, user=user)


def test_pools(api):
    resp = api.get('/v2.1/os-floating-ip-pools', user=DEMO)
    assert resp.json == {'floating_ip_pools': [{'name': 'public'}, {'name': 'spare'}]}
    assert api.get('/v2.1/os-floating-ip-pools', user=DEMO,
                   version='2.36').status_code == 404


def test_allocate_list_show_release(api, stack):
    stack.conf.set_override('default_floating_pool', 'public')
    resp = _allocate(api)
    assert resp.status_code == 200, resp.text
    fip = resp.json['floating_ip']
    assert fip == {'id': fip['id'], 'ip': fip['ip'], 'pool': 'public', 'fixed_ip': None,
                   'instance_id': None}
    assert fip['ip'].startswith('172.24.4.')
    other = _allocate(api, 'spare').json['floating_ip']
    assert other['pool'] == 'spare'
    listed = api.get(FIP, user=DEMO).json['floating_ips']
    assert sorted(f['ip'] for f in listed) == sorted([fip['ip'], other['ip']])
    assert api.get('%s/%s' % (FIP, fip['id']), user=DEMO).json == {'floating_ip': fip}
    # another project neither sees nor releases it
    assert api.get(FIP, user='other:other').json == {'floating_ips': []}
    resp = api.get('%s/%s' % (FIP, fip['id']), user='other:other')
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Floating IP not found for ID %s' % fip['id']
    assert api.delete('%s/%s' % (FIP, fip['id']), user='other:other').status_code == 404
    assert api.delete('%s/%s' % (FIP, fip['id']), user=DEMO).status_code == 202
    assert api.get('%s/%s' % (FIP, fip['id']), user=DEMO).status_code == 404
    assert api.get(FIP + '/nope', user=DEMO).status_code == 404
    limits = api.get('/v2.1/limits', user=DEMO).json['limits']['absolute']
    assert (limits['maxTotalFloatingIps'], limits['totalFloatingIpsUsed']) == (10, 1)


def test_exhausted_pool_unknown_pool_quota_and_body_errors(api, stack):
    assert [_allocate(api, 'spare').status_code for _ in range(2)] == [200, 200]
    resp = _allocate(api, 'spare')
    assert resp.status_code == 404
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'No more floating IPs in pool spare.'}}
    assert _allocate(api, 'nowhere').status_code == 404
    stack.conf.set_override('floating_ips', 3, group='quota')
    assert _allocate(api, 'public').status_code == 200
    resp = _allocate(api, 'public')
    assert resp.json == {'forbidden': {'code': 403,
                                       'message': 'IP allocation over quota in pool public.'}}
    resp = api.post(FIP, {'pool': 5}, user=DEMO)
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'].startswith(
        'Invalid input for field/attribute pool.')
    assert api.get(FIP, user=DEMO, version='2.36').status_code == 404


def test_networks_admin_create_list_show_delete(api, stack):
    created = _network(api, project_id='demo', dns1='8.8.8.8')
    assert created['label'] == 'private' and created['cidr'] == '10.0.0.0/28'
    assert created['bridge'] == 'br100' and created['project_id'] == 'demo'
    assert created['gateway'] == '10.0.0.1' and created['dns1'] == '8.8.8.8'
    shared = _network(api, label='shared', cidr='10.0.1.0/28')
    # members see the addressing fields only, and only their own and shared networks
    mine = api.get(NETS, user=DEMO).json['networks']
    assert sorted(n['label'] for n in mine) == ['private', 'shared']
    assert 'bridge' not in mine[0] and 'project_id' not in mine[0]
    assert [n['label'] for n in api.get(NETS, user='other:other').json['networks']] == \
        ['shared']
    shown = api.get('%s/%s' % (NETS, created['id']), user=DEMO).json['network']
    assert shown['id'] == created['id'] and shown['netmask'] == '255.255.255.240'
    resp = api.get('%s/%s' % (NETS, created['id']), user='other:other')
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Network not found'
    # admin only
    resp = api.post(NETS, {'network': {'label': 'x', 'cidr': '10.9.0.0/24'}}, user=DEMO)
    assert resp.status_code == 403
    assert api.delete('%s/%s' % (NETS, shared['id']), user=DEMO).status_code == 403
    # overlapping CIDRs are refused
    resp = api.post(NETS, {'network': {'label': 'x', 'cidr': '10.0.0.0/24',
                                       'bridge': 'br9'}})
    assert resp.status_code == 409 and 'conflictingRequest' in resp.json
    assert api.delete('%s/%s' % (NETS, shared['id'])).status_code == 202
    assert api.get('%s/%s' % (NETS, shared['id'])).status_code == 404
    assert api.delete('%s/%s' % (NETS, shared['id'])).status_code == 404


@pytest.mark.parametrize('network, field', [
    ({'cidr': '10.0.0.0/24'}, "'label' is a required property"),
    ({'label': 'x', 'cidr': '10.0.0.300/24'}, 'cidr'),
    ({'label': 'x', 'cidr': '10.0.0.0/24', 'vlan': 5000}, 'vlan'),
    ({'label': 'x', 'cidr': '10.0.0.0/24', 'dns1': 'nope'}, 'dns1'),
    ({'label': 'x', 'cidr': '10.0.0.0/24', 'ipam': True}, 'ipam'),
])
def test_network_create_validation_names_the_field(api, network, field):
    resp = api.post(NETS, {'network': network})
    assert resp.status_code == 400
    assert field in resp.json['badRequest']['message']


def test_network_in_use_is_refused_and_actions(api, stack):
    net = _network(api)
    server = boot(api)
    stack.db.fixed_ip_allocate(stack.db.network_get(net['id'])['id'], server,
                               'fa:16:3e:00:00:01')
    resp = api.delete('%s/%s' % (NETS, net['id']))
    assert resp.status_code == 409 and 'conflictingRequest' in resp.json
    action = '%s/%s/action' % (NETS, net['id'])
    assert api.post(action, {'associate_host': 'net1'}).status_code == 202
    assert stack.db.network_get(net['id'])['host'] == 'net1'
    assert api.post(action, {'disassociate_host': None}).status_code == 202
    assert stack.db.network_get(net['id'])['host'] is None
    assert api.post(NETS + '/add', {'id': net['id']}).status_code == 202
    assert stack.db.network_get(net['id'])['project_id'] == 'admin'
    assert api.post(action, {'disassociate_project': None}).status_code == 202
    assert stack.db.network_get(net['id'])['project_id'] is None
    assert api.post(action, {'disassociate': None}).status_code == 202
    assert api.post(action, {'associate_host': 'net1'}, user=DEMO).status_code == 403
    assert api.post(action, {'bogus': None}).status_code == 400
    resp = api.post(NETS + '/00000000-0000-0000-0000-000000000000/action',
                    {'disassociate': None})
    assert resp.status_code == 404


def _server_with_fixed_ip(api, stack, address='10.0.0.5'):
    """A server whose network info cache holds one VIF with ``address`` (as the network
    service would leave it)."""
    net = _network(api)
    server = boot(api)
    row = stack.db.network_get(net['id'])
    vif, fixed = stack.db.fixed_ip_allocate(row['id'], server, 'fa:16:3e:00:00:05',
                                            address=address)
    stack.db.instance_info_cache_update(server, [model.make_vif(vif, row, [fixed], {})])
    return server, net


def test_add_and_remove_floating_ip_actions(api, stack):
    server, _ = _server_with_fixed_ip(api, stack)
    fip = _allocate(api, 'public').json['floating_ip']
    action = '/v2.1/servers/%s/action' % server
    resp = api.post(action, {'addFloatingIp': {'address': fip['ip']}}, user=DEMO)
    assert resp.status_code == 202, resp.text
    [(name, args, kwargs)] = stack.network_rpc.calls
    assert name == 'associate_floating_ip'
    assert list(args[1:]) == [fip['ip'], '10.0.0.5', server]

    def error(body, version=None):
        resp = api.post(action, body, user=DEMO, version=version)
        return resp.status_code, list(resp.json.values())[0]['message']

    assert error({'addFloatingIp': {'address': fip['ip'], 'fixed_address': '10.0.0.9'}}) == \
        (400, 'Specified fixed address not assigned to instance')
    assert error({'addFloatingIp': {'address': '172.24.4.6'}}) == \
        (404, 'floating IP not found')  # not the project's
    assert error({'addFloatingIp': {'address': 'nope'}})[0] == 400
    assert error({'addFloatingIp': {}}) == \
        (400, "Invalid input for field/attribute addFloatingIp. Value: {}. "
              "'address' is a required property")
    # not associated (the recorded RPC changed nothing)
    assert error({'removeFloatingIp': {'address': fip['ip']}}) == \
        (409, 'Floating IP %s is not associated with instance %s.' % (fip['ip'], server))
    # Nova removed these actions at 2.44
    assert error({'addFloatingIp': {'address': fip['ip']}}, version='2.44')[0] == 404
    assert error({'removeFloatingIp': {'address': fip['ip']}}, version='2.44')[0] == 404
    assert error({'addFixedIp': {'networkId': 'x'}}, version='2.44')[0] == 404
    assert error({'removeFixedIp': {'address': '10.0.0.5'}}, version='2.44')[0] == 404
    # a server without network info
    bare = boot(api)
    resp = api.post('/v2.1/servers/%s/action' % bare,
                    {'addFloatingIp': {'address': fip['ip']}}, user=DEMO)
    assert (resp.status_code, resp.json['badRequest']['message']) == \
        (400, 'Instance network is not ready yet')


def test_add_and_remove_fixed_ip_actions(api, stack):
    server, net = _server_with_fixed_ip(api, stack)
    action = '/v2.1/servers/%s/action' % server
    assert api.post(action, {'addFixedIp': {'networkId': net['id']}},
                    user=DEMO).status_code == 202
    assert api.post(action, {'removeFixedIp': {'address': '10.0.0.5'}},
                    user=DEMO).status_code == 202
    assert [c[0] for c in stack.network_rpc.calls] == ['add_fixed_ip_to_instance',
                                                       'remove_fixed_ip_from_instance']
    resp = api.post(action, {'addFixedIp': {'networkId': '00000000-0000-0000-0000-00000000000'
                                                         '0'}}, user=DEMO)
    assert resp.status_code == 404
    resp = api.post(action, {'removeFixedIp': {}}, user=DEMO)
    assert resp.status_code == 400 and 'address' in resp.json['badRequest']['message']


def test_server_addresses_and_ips(api, stack):
    server, _ = _server_with_fixed_ip(api, stack)
    expected = {'private': [{'version': 4, 'addr': '10.0.0.5', 'OS-EXT-IPS:type': 'fixed',
                             'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:05'}]}
    assert api.get('/v2.1/servers/%s' % server, user=DEMO).json['server']['addresses'] == \
        expected
    other = boot(api)
    detail = {s['id']: s['addresses']
              for s in api.get('/v2.1/servers/detail', user=DEMO).json['servers']}
    assert detail == {server: expected, other: {}}
    ips = api.get('/v2.1/servers/%s/ips' % server, user=DEMO)
    assert ips.json == {'addresses': {'private': [{'version': 4, 'addr': '10.0.0.5'}]}}
    assert api.get('/v2.1/servers/%s/ips/private' % server, user=DEMO).json == \
        {'private': [{'version': 4, 'addr': '10.0.0.5'}]}
    resp = api.get('/v2.1/servers/%s/ips/public' % server, user=DEMO)
    assert (resp.status_code, resp.json['itemNotFound']['message']) == \
        (404, 'Instance is not a member of specified network')
    assert api.get('/v2.1/servers/%s/ips' % server, user='other:other').status_code in (403,
                                                                                       404)
