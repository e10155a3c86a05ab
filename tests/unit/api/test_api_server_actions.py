"""POST /servers/{id}/action and /servers/{id}/metadata."""

import pytest


@pytest.fixture
def active_server(make_server, db):
    server_id = make_server()
    db.instance_update(server_id, {'vm_state': 'active', 'task_state': None,
                                   'host': 'compute1', 'node': 'compute1', 'power_state': 1})
    return server_id


def _action(api, server_id, body, user='demo:demo', **kwargs):
    return api.post('/v2.1/servers/%s/action' % server_id, body, user=user, **kwargs)


@pytest.mark.parametrize('body, rpc_method, task_state', [
    ({'reboot': {'type': 'SOFT'}}, 'reboot_instance', 'rebooting'),
    ({'reboot': {'type': 'hard'}}, 'reboot_instance', 'rebooting_hard'),
    ({'os-stop': None}, 'stop_instance', 'powering-off'),
    ({'pause': None}, 'pause_instance', 'pausing'),
    ({'suspend': None}, 'suspend_instance', 'suspending'),
])
def test_actions_on_an_active_server(api, active_server, rpc, db, body, rpc_method,
                                     task_state):
    resp = _action(api, active_server, body)
    assert resp.status_code == 202, resp.text
    assert resp.text == ''
    assert rpc.names()[-1] == rpc_method
    assert db.instance_get(active_server).task_state == task_state


@pytest.mark.parametrize('vm_state, body, rpc_method', [
    ('stopped', {'os-start': None}, 'start_instance'),
    ('paused', {'unpause': None}, 'unpause_instance'),
    ('suspended', {'resume': None}, 'resume_instance'),
])
def test_reverse_actions(api, active_server, rpc, db, vm_state, body, rpc_method):
    db.instance_update(active_server, {'vm_state': vm_state})
    assert _action(api, active_server, body).status_code == 202
    assert rpc.names()[-1] == rpc_method


def test_wrong_state_is_409_with_novas_message(api, active_server, db):
    db.instance_update(active_server, {'vm_state': 'stopped'})
    resp = _action(api, active_server, {'reboot': {'type': 'SOFT'}})
    assert resp.status_code == 409
    assert resp.json == {'conflictingRequest': {'code': 409, 'message': (
        "Cannot 'reboot' instance %s while it is in vm_state stopped" % active_server)}}


def test_action_validation(api, active_server):
    resp = _action(api, active_server, {'reboot': {'type': 'WARM'}})
    assert resp.status_code == 400
    assert 'type' in resp.json['badRequest']['message']
    resp = _action(api, active_server, {'reboot': {}})
    assert "'type' is a required property" in resp.json['badRequest']['message']
    resp = _action(api, active_server, {'fly': None})
    assert resp.json['badRequest']['message'] == 'There is no such action: fly'
    assert _action(api, active_server, {'pause': None, 'unpause': None}).status_code == 400
    assert _action(api, active_server, {'pause': None}, user='eve:eve').status_code == 404
    assert _action(api, 'nope', {'pause': None}).status_code == 404


def test_locked_server_refuses_the_owner(api, active_server, db):
    db.instance_update(active_server, {'locked': True, 'locked_by': 'admin'})
    resp = _action(api, active_server, {'pause': None})
    assert resp.status_code == 409
    assert _action(api, active_server, {'pause': None}, user='admin:demo').status_code == 202


# -- metadata -------------------------------------------------------------------------------

def test_metadata_crud(api, active_server, rpc):
    url = '/v2.1/servers/%s/metadata' % active_server
    assert api.get(url, user='demo:demo').json == {'metadata': {}}
    resp = api.post(url, {'metadata': {'a': '1', 'b': '2'}}, user='demo:demo')
    assert resp.json == {'metadata': {'a': '1', 'b': '2'}}
    resp = api.post(url, {'metadata': {'c': '3'}}, user='demo:demo')
    assert resp.json == {'metadata': {'a': '1', 'b': '2', 'c': '3'}}
    resp = api.put(url, {'metadata': {'z': '26'}}, user='demo:demo')
    assert resp.json == {'metadata': {'z': '26'}}
    assert api.get(url, user='demo:demo').json == {'metadata': {'z': '26'}}
    assert api.get(url + '/z', user='demo:demo').json == {'meta': {'z': '26'}}
    resp = api.put(url + '/y', {'meta': {'y': '25'}}, user='demo:demo')
    assert resp.json == {'meta': {'y': '25'}}
    assert api.delete(url + '/z', user='demo:demo').status_code == 204
    assert api.get(url, user='demo:demo').json == {'metadata': {'y': '25'}}
    resp = api.get(url + '/z', user='demo:demo')
    assert resp.json == {'itemNotFound': {'code': 404, 'message': 'Metadata item was not found'}}
    assert api.delete(url + '/z', user='demo:demo').status_code == 404
    assert 'change_instance_metadata' in rpc.names()


def test_metadata_item_validation(api, active_server):
    url = '/v2.1/servers/%s/metadata' % active_server
    resp = api.put(url + '/a', {'meta': {'b': '1'}}, user='demo:demo')
    assert resp.json['badRequest']['message'] == 'Request body and URI mismatch'
    resp = api.put(url + '/a', {'meta': {'a': '1', 'b': '2'}}, user='demo:demo')
    assert resp.status_code == 400
    resp = api.post(url, {'metadata': {'a': 1}}, user='demo:demo')
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == (
        "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'")


def test_metadata_in_wrong_state_is_409(api, make_server):
    server_id = make_server()  # still building
    resp = api.post('/v2.1/servers/%s/metadata' % server_id, {'metadata': {'a': '1'}},
                    user='demo:demo')
    assert resp.status_code == 409


def test_create_image_records_a_queued_snapshot_and_casts_it(api, active_server, rpc, db):
    resp = _action(api, active_server, {'createImage': {'name': 'snap',
                                                        'metadata': {'k': 'v'}}})
    assert resp.status_code == 202, resp.text
    image_id = resp.headers['Location'].rsplit('/', 1)[1]
    assert resp.text == ''                       # the body came at 2.45
    image = db.image_get(image_id)
    assert (image['name'], image['status'], image['visibility']) == ('snap', 'queued',
                                                                      'private')
    assert image['properties']['k'] == 'v'
    assert rpc.names()[-1] == 'snapshot_instance'
    assert db.instance_get(active_server).task_state == 'image_snapshot_pending'


def test_create_image_245_returns_the_image_id_and_checks_its_body(api, active_server):
    resp = _action(api, active_server, {'createImage': {'name': 'snap'}}, version='2.45')
    assert resp.status_code == 202
    assert resp.headers['Location'].endswith(resp.json['image_id'])
    resp = _action(api, active_server, {'createImage': {}})
    assert resp.status_code == 400
    assert 'name' in resp.json['badRequest']['message']
    # a second snapshot while the first is pending is refused, and leaves no image
    resp = _action(api, active_server, {'createImage': {'name': 'again'}})
    assert resp.status_code == 409
