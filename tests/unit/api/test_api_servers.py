"""/servers: create, list, show, update, delete through the real compute API (RPC stubbed)."""

import hashlib
import warnings

import pytest

from api_fixtures import IMAGE


def _server(api, server_id, **kwargs):
    resp = api.get('/v2.1/servers/%s' % server_id, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json['server']


def test_create_returns_202_with_links_password_and_location(api, rpc):
    resp = api.post('/v2.1/servers', {'server': {
        'name': 'web', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': 'auto',
        'metadata': {'role': 'web'}}}, user='demo:demo', version='2.96')
    assert resp.status_code == 202, resp.text
    server = resp.json['server']
    assert set(server) == {'id', 'links', 'OS-DCF:diskConfig', 'adminPass'}
    assert resp.headers['location'].endswith('/v2.1/servers/%s' % server['id'])
    assert server['links'][1]['href'].endswith('/servers/%s' % server['id'])
    assert 'build_instances' in rpc.names()


def test_create_requires_networks_from_2_37(api):
    body = {'server': {'name': 'web', 'imageRef': IMAGE, 'flavorRef': '1'}}
    resp = api.post('/v2.1/servers', body, version='2.37')
    assert resp.status_code == 400
    assert "'networks' is a required property" in resp.json['badRequest']['message']
    assert api.post('/v2.1/servers', body, version='2.36').status_code == 202


def test_create_validation_names_the_field(api):
    resp = api.post('/v2.1/servers', {'server': {'name': None, 'imageRef': IMAGE,
                                                 'flavorRef': '1'}})
    assert resp.status_code == 400
    assert resp.json == {'badRequest': {'code': 400, 'message': (
        "Invalid input for field/attribute name. Value: None. "
        "None is not of type 'string'")}}


def test_create_rejects_unknown_attributes_and_bad_user_data(api):
    resp = api.post('/v2.1/servers', {'server': {'name': 'a', 'imageRef': IMAGE,
                                                 'flavorRef': '1', 'bogus': 1}})
    assert "'bogus' was unexpected" in resp.json['badRequest']['message']
    resp = api.post('/v2.1/servers', {'server': {'name': 'a', 'imageRef': IMAGE,
                                                 'flavorRef': '1', 'user_data': '!!'}})
    assert resp.status_code == 400
    assert 'user_data' in resp.json['badRequest']['message']


def test_create_with_unknown_network_or_port_is_400(api):
    unknown = '2c1f4a1e-9a0e-4c63-9d6b-0c6c3b8c1d11'
    for entry, message in (
            ({'uuid': 'net-1'}, 'network uuid is not in proper format (net-1)'),
            ({'uuid': unknown}, 'Network %s could not be found.' % unknown),
            ({'port': 'p-1'}, 'Port p-1 could not be found')):
        resp = api.post('/v2.1/servers', {'server': {
            'name': 'a', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': [entry]}},
            version='2.37')
        assert resp.status_code == 400
        assert message in resp.json['badRequest']['message']


def test_create_with_unknown_flavor_or_image_is_400(api):
    resp = api.post('/v2.1/servers', {'server': {'name': 'a', 'imageRef': IMAGE,
                                                 'flavorRef': '99'}})
    assert resp.status_code == 400
    resp = api.post('/v2.1/servers', {'server': {'name': 'a', 'imageRef': 'nope',
                                                 'flavorRef': '1'}})
    assert resp.status_code == 400


def test_multi_create_and_reservation_id(api):
    resp = api.post('/v2.1/servers', {'server': {
        'name': 'many', 'imageRef': IMAGE, 'flavorRef': '1', 'min_count': 2,
        'max_count': '3', 'return_reservation_id': True}})
    assert resp.status_code == 202
    reservation = resp.json['reservation_id']
    assert reservation.startswith('r-')
    listed = api.get('/v2.1/servers').json['servers']
    assert len(listed) == 3
    resp = api.post('/v2.1/servers', {'server': {
        'name': 'two', 'imageRef': IMAGE, 'flavorRef': '1', 'min_count': 2}})
    assert set(resp.json['server']) >= {'id', 'adminPass'}
    resp = api.post('/v2.1/servers', {'server': {
        'name': 'bad', 'imageRef': IMAGE, 'flavorRef': '1', 'min_count': 3, 'max_count': 2}})
    assert resp.json['badRequest']['message'] == 'min_count must be <= max_count'


def test_quota_exceeded_is_403_with_nova_wording(api, db):
    db.quota_set('demo', 'instances', 1)
    body = {'server': {'name': 'q', 'imageRef': IMAGE, 'flavorRef': '1', 'min_count': 2}}
    resp = api.post('/v2.1/servers', body, user='demo:demo')
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'].startswith('Quota exceeded for instances')


def test_show_full_body_at_2_96(api, make_server, db):
    server_id = make_server(description='d', tags=['a'], hostname='myhost', version='2.96')
    server = _server(api, server_id, user='demo:demo', version='2.96')
    assert server['status'] == 'BUILD'
    assert server['tenant_id'] == 'demo'
    assert server['hostId'] == ''
    assert server['image']['id'] == IMAGE
    assert server['flavor'] == {'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0, 'swap': 0,
                                'original_name': 'm1.tiny', 'extra_specs': {}}
    assert server['created'].endswith('Z')
    assert server['description'] == 'd'
    assert server['tags'] == ['a']
    assert server['locked'] is False
    assert server['trusted_image_certificates'] is None
    assert server['pinned_availability_zone'] is None
    assert server['OS-EXT-SRV-ATTR:hostname'] == 'myhost'
    assert 'OS-EXT-SRV-ATTR:host' not in server  # not admin
    assert 'host_status' not in server
    assert server['progress'] == 0


def test_show_at_2_1_and_admin_fields(api, make_server, db):
    server_id = make_server(version='2.1')
    db.instance_update(server_id, {'host': 'compute1', 'node': 'compute1',
                                   'vm_state': 'active', 'task_state': None,
                                   'power_state': 1})
    server = _server(api, server_id, user='admin:demo', version='2.1')
    assert server['flavor']['id'] == '1'
    assert server['flavor']['links'][0]['rel'] == 'bookmark'
    assert server['OS-EXT-SRV-ATTR:host'] == 'compute1'
    assert server['OS-EXT-SRV-ATTR:instance_name'].startswith('instance-')
    assert 'OS-EXT-SRV-ATTR:reservation_id' not in server
    assert 'locked' not in server and 'description' not in server
    assert server['hostId'] == hashlib.sha224(b'democompute1').hexdigest()
    assert server['OS-EXT-AZ:availability_zone'] == 'nova'
    assert server['status'] == 'ACTIVE'
    server = _server(api, server_id, user='admin:demo', version='2.16')
    assert server['OS-EXT-SRV-ATTR:reservation_id'].startswith('r-')
    assert server['host_status'] == 'UP'


def test_error_server_shows_fault_details_to_admin_only(api, make_server, db):
    server_id = make_server()
    db.instance_update(server_id, {'vm_state': 'error', 'task_state': None})
    db.instance_fault_create(server_id, 500, 'No valid host was found.', details='trace')
    owner = _server(api, server_id, user='demo:demo')
    assert owner['status'] == 'ERROR'
    assert owner['fault']['message'] == 'No valid host was found.'
    assert 'details' not in owner['fault']
    assert _server(api, server_id, user='admin:demo')['fault']['details'] == 'trace'
    listed = api.get('/v2.1/servers/detail', user='demo:demo').json['servers']
    assert listed[0]['fault']['code'] == 500


def test_other_projects_server_is_404(api, make_server):
    server_id = make_server(user='demo:demo')
    resp = api.get('/v2.1/servers/%s' % server_id, user='eve:evil')
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Instance %s could not be found.' % server_id


def test_list_filters(api, make_server, db):
    first = make_server(name='alpha')
    second = make_server(name='beta')
    make_server(name='gamma', user='other:other')
    db.instance_update(second, {'vm_state': 'active', 'task_state': None, 'host': 'compute2'})
    names = lambda resp: sorted(s['name'] for s in resp.json['servers'])  # noqa: E731
    assert names(api.get('/v2.1/servers', user='demo:demo')) == ['alpha', 'beta']
    assert names(api.get('/v2.1/servers?name=^al', user='demo:demo')) == ['alpha']
    assert names(api.get('/v2.1/servers?status=ACTIVE', user='demo:demo')) == ['beta']
    assert names(api.get('/v2.1/servers?status=BOGUS', user='demo:demo',
                         version='2.37')) == []
    assert api.get('/v2.1/servers?status=BOGUS', user='demo:demo',
                   version='2.38').status_code == 400
    assert names(api.get('/v2.1/servers?flavor=1', user='demo:demo')) == ['alpha', 'beta']
    assert names(api.get('/v2.1/servers?flavor=2', user='demo:demo')) == []
    assert names(api.get('/v2.1/servers?image=%s' % IMAGE, user='demo:demo')) == \
        ['alpha', 'beta']
    # host is admin-only: ignored for others
    assert names(api.get('/v2.1/servers?host=compute2', user='demo:demo')) == \
        ['alpha', 'beta']
    assert names(api.get('/v2.1/servers?host=compute2&all_tenants=1')) == ['beta']
    assert names(api.get('/v2.1/servers?all_tenants=1')) == ['alpha', 'beta', 'gamma']
    assert names(api.get('/v2.1/servers?all_tenants&tenant_id=other')) == ['gamma']
    assert names(api.get('/v2.1/servers', user='admin:other')) == ['gamma']
    resp = api.get('/v2.1/servers?all_tenants=1', user='demo:demo')
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == (
        "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.")
    assert first


def test_list_changes_since_includes_deleted(api, make_server):
    server_id = make_server()
    assert api.delete('/v2.1/servers/%s' % server_id, user='demo:demo').status_code == 204
    assert api.get('/v2.1/servers', user='demo:demo').json['servers'] == []
    resp = api.get('/v2.1/servers/detail?changes-since=2000-01-01T00:00:00Z',
                   user='demo:demo')
    assert [s['status'] for s in resp.json['servers']] == ['DELETED']
    resp = api.get('/v2.1/servers?changes-since=yesterday', user='demo:demo')
    assert resp.status_code == 400
    assert 'changes-since' in resp.json['badRequest']['message']


def test_pagination_links(api, make_server):
    ids = [make_server(name='s%d' % i) for i in range(3)]
    resp = api.get('/v2.1/servers/detail?limit=2', user='demo:demo')
    page = resp.json
    assert len(page['servers']) == 2
    next_href = page['servers_links'][0]['href']
    assert '/v2.1/servers/detail?' in next_href and 'marker=' in next_href
    marker = page['servers'][-1]['id']
    rest = api.get('/v2.1/servers/detail?limit=2&marker=%s' % marker, user='demo:demo').json
    assert len(rest['servers']) == 1
    assert 'servers_links' not in rest
    assert {s['id'] for s in page['servers'] + rest['servers']} == set(ids)
    resp = api.get('/v2.1/servers?marker=nope', user='demo:demo')
    assert resp.status_code == 400
    assert 'marker [nope] not found' in resp.json['badRequest']['message']
    assert api.get('/v2.1/servers?limit=x', user='demo:demo').status_code == 400


def test_update(api, make_server):
    server_id = make_server()
    resp = api.put('/v2.1/servers/%s' % server_id, {'server': {
        'name': 'renamed', 'description': 'new', 'accessIPv4': '192.0.2.5'}},
        user='demo:demo', version='2.19')
    assert resp.status_code == 200, resp.text
    body = resp.json['server']
    assert body['name'] == 'renamed' and body['description'] == 'new'
    assert body['accessIPv4'] == '192.0.2.5'
    assert 'OS-EXT-STS:vm_state' not in body  # the short body before 2.75
    resp = api.put('/v2.1/servers/%s' % server_id, {'server': {'name': 'x'}},
                   user='demo:demo', version='2.75')
    assert resp.json['server']['OS-EXT-STS:vm_state'] == 'building'
    resp = api.put('/v2.1/servers/%s' % server_id, {'server': {'description': 'x'}},
                   user='demo:demo', version='2.18')
    assert resp.status_code == 400
    resp = api.put('/v2.1/servers/%s' % server_id, {'server': {'accessIPv4': 'nope'}},
                   user='demo:demo')
    assert resp.status_code == 400


def test_delete(api, make_server, rpc):
    server_id = make_server()
    assert api.delete('/v2.1/servers/%s' % server_id, user='eve:eve').status_code == 404
    assert api.delete('/v2.1/servers/%s' % server_id, user='demo:demo').status_code == 204
    assert api.get('/v2.1/servers/%s' % server_id, user='demo:demo').status_code == 404


@pytest.mark.parametrize('version', ['2.1', '2.47', '2.96'])
def test_openstacksdk_parses_the_body(api, make_server, version):
    from openstack import warnings as sdk_warnings
    from openstack.compute.v2 import server as sdk_server
    server_id = make_server(version=version)
    body = _server(api, server_id, user='admin:demo', version=version)
    with warnings.catch_warnings():
        # the SDK warns about its own internals whenever it builds a resource
        warnings.simplefilter('ignore', sdk_warnings.RemovedInSDK50Warning)
        parsed = sdk_server.Server.existing(**body)
        assert parsed.id == server_id
        assert parsed.status == 'BUILD'
        if version == '2.1':
            assert parsed.flavor.id == '1'
        else:
            assert parsed.flavor.vcpus == 1 and parsed.flavor.name == 'm1.tiny'
        assert parsed.image.id == IMAGE


def test_block_device_mapping_of_the_openstack_cli(api):
    """The CLI sends the image again as the boot device; volumes are refused."""
    boot = {'uuid': IMAGE, 'boot_index': 0, 'source_type': 'image',
            'destination_type': 'local', 'delete_on_termination': True}
    body = {'server': {'name': 'cli', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': 'auto',
                       'min_count': 1, 'max_count': 1, 'block_device_mapping_v2': [boot]}}
    assert api.post('/v2.1/servers', body, version='2.96').status_code == 202
    del body['server']['imageRef']
    assert api.post('/v2.1/servers', body, version='2.96').status_code == 202
    body['server']['block_device_mapping_v2'] = [dict(boot, source_type='volume',
                                                      destination_type='volume')]
    resp = api.post('/v2.1/servers', body, version='2.96')
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'].startswith('Block Device Mapping is Invalid')
