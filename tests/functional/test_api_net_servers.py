"""Networking through the API on the real services (conductor, scheduler, network service
with a dry-run executor, fake computes, in process): addresses, floating IPs, multinic and
os-interface end to end."""

import netaddr
import pytest

import nltest
from api_net_support import ApiClient, boot
from novalite import context as nl_context
from novalite.api import app as api_app
from novalite.compute import states

DEMO = 'demo:demo'
ADMIN = nl_context.get_admin_context()


@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=('compute1',)).start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def api(cloud):
    return ApiClient(api_app.create_app(cloud.conf, compute_api=cloud.api, db=cloud.db))


def _network(api, label, cidr, bridge):
    resp = api.post('/v2.1/os-networks', {'network': {'label': label, 'cidr': cidr,
                                                      'bridge': bridge}})
    assert resp.status_code == 200, resp.text
    return resp.json['network']


def _active(cloud, api, **extra):
    server = boot(api, imageRef=nltest.default_image_id(), **extra)
    cloud.wait_state(server, states.ACTIVE)
    nltest.wait_for(lambda: api.get('/v2.1/servers/%s' % server,
                                    user=DEMO).json['server']['addresses'],
                    what='addresses in the server body')
    return server


def _addresses(api, server):
    return api.get('/v2.1/servers/%s' % server, user=DEMO).json['server']['addresses']


def test_addresses_and_floating_ip_association(cloud, api):
    _network(api, 'private', '10.0.0.0/28', 'br100')
    cloud.api.network_api.create_floating_ips('172.24.4.0/29', pool='public')
    server = _active(cloud, api)
    [fixed] = _addresses(api, server)['private']
    assert fixed['OS-EXT-IPS:type'] == 'fixed' and fixed['version'] == 4
    assert netaddr.IPAddress(fixed['addr']) in netaddr.IPNetwork('10.0.0.0/28')
    assert api.get('/v2.1/servers/%s/ips' % server, user=DEMO).json == \
        {'addresses': {'private': [{'version': 4, 'addr': fixed['addr']}]}}

    fip = api.post('/v2.1/os-floating-ips', {'pool': 'public'},
                   user=DEMO).json['floating_ip']
    action = '/v2.1/servers/%s/action' % server
    assert api.post(action, {'addFloatingIp': {'address': fip['ip']}},
                    user=DEMO).status_code == 202
    shown = api.get('/v2.1/os-floating-ips/%s' % fip['id'], user=DEMO).json['floating_ip']
    assert (shown['fixed_ip'], shown['instance_id']) == (fixed['addr'], server)
    nltest.wait_for(lambda: len(_addresses(api, server)['private']) == 2,
                    what='the floating IP in the server body')
    assert _addresses(api, server)['private'][1] == {
        'version': 4, 'addr': fip['ip'], 'OS-EXT-IPS:type': 'floating',
        'OS-EXT-IPS-MAC:mac_addr': fixed['OS-EXT-IPS-MAC:mac_addr']}

    assert api.post(action, {'removeFloatingIp': {'address': fip['ip']}},
                    user=DEMO).status_code == 202
    shown = api.get('/v2.1/os-floating-ips/%s' % fip['id'], user=DEMO).json['floating_ip']
    assert (shown['fixed_ip'], shown['instance_id']) == (None, None)
    # associated again, then released: release disassociates first
    api.post(action, {'addFloatingIp': {'address': fip['ip']}}, user=DEMO)
    assert api.delete('/v2.1/os-floating-ips/%s' % fip['id'], user=DEMO).status_code == 202
    assert api.get('/v2.1/os-floating-ips', user=DEMO).json == {'floating_ips': []}


def test_multinic_and_interface_attach_list_detach(cloud, api):
    _network(api, 'private', '10.0.0.0/28', 'br100')
    server = _active(cloud, api)
    second = _network(api, 'second', '10.0.5.0/28', 'br105')
    path = '/v2.1/servers/%s/os-interface' % server
    [first] = api.get(path, user=DEMO).json['interfaceAttachments']
    assert first['port_state'] == 'ACTIVE' and first['mac_addr'].startswith('fa:16:3e:')

    resp = api.post(path, {'interfaceAttachment': {
        'net_id': second['id'], 'fixed_ips': [{'ip_address': '10.0.5.9'}]}}, user=DEMO)
    assert resp.status_code == 200, resp.text
    attached = resp.json['interfaceAttachment']
    assert attached['net_id'] == second['id']
    assert attached['fixed_ips'] == [{'ip_address': '10.0.5.9', 'subnet_id': None}]
    nltest.wait_for(lambda: len(api.get(path, user=DEMO).json['interfaceAttachments']) == 2,
                    what='two interfaces')
    assert api.get('%s/%s' % (path, attached['port_id']), user=DEMO).json == \
        {'interfaceAttachment': attached}
    assert 'second' in _addresses(api, server)

    resp = api.post(path, {'interfaceAttachment': {
        'port_id': '00000000-0000-0000-0000-000000000000'}}, user=DEMO)
    assert resp.status_code == 400 and 'no ports' in resp.json['badRequest']['message']
    resp = api.post(path, {'interfaceAttachment': {
        'fixed_ips': [{'ip_address': '10.0.5.10'}]}}, user=DEMO)
    assert resp.json['badRequest']['message'] == \
        'Must input network_id when request IP address'

    assert api.delete('%s/%s' % (path, attached['port_id']), user=DEMO).status_code == 202
    nltest.wait_for(lambda: len(api.get(path, user=DEMO).json['interfaceAttachments']) == 1,
                    what='the interface to go')
    resp = api.get('%s/%s' % (path, attached['port_id']), user=DEMO)
    assert resp.status_code == 404
    assert api.delete('%s/%s' % (path, attached['port_id']),
                      user=DEMO).status_code == 404

    # multinic: a fixed IP on the second network, then removed
    action = '/v2.1/servers/%s/action' % server
    assert api.post(action, {'addFixedIp': {'networkId': second['id']}},
                    user=DEMO).status_code == 202
    nltest.wait_for(lambda: 'second' in _addresses(api, server), what='the new fixed IP')
    [added] = _addresses(api, server)['second']
    assert api.post(action, {'removeFixedIp': {'address': added['addr']}},
                    user=DEMO).status_code == 202
    nltest.wait_for(lambda: 'second' not in _addresses(api, server), what='it to go')
    resp = api.post(action, {'removeFixedIp': {'address': added['addr']}}, user=DEMO)
    assert resp.status_code == 400
