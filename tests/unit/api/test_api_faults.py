"""Errors leave as Nova fault bodies, mapped at one edge (api/faults.py)."""

import falcon
import pytest

from novalite import exception
from novalite.api import faults


@pytest.mark.parametrize('exc, name, code', [
    (exception.Invalid('bad'), 'badRequest', 400),
    (exception.PolicyNotAuthorized(action='x'), 'forbidden', 403),
    (exception.FlavorNotFound(flavor_id='9'), 'itemNotFound', 404),
    (exception.InstanceInvalidState(action='reboot', instance_uuid='u', attr='vm_state',
                                    state='stopped'), 'conflictingRequest', 409),
    (exception.NoValidHost(reason='none'), 'computeFault', 500),
])
def test_domain_exceptions_become_fault_bodies(exc, name, code):
    app = falcon.App()
    faults.register(app)

    class Raiser:
        def on_get(self, req, resp):
            raise exc
    app.add_route('/x', Raiser())
    resp = falcon.testing.TestClient(app).simulate_get('/x')
    assert resp.status_code == code
    assert resp.json == {name: {'code': code, 'message': exc.message}}


def test_fault_names_cover_novas():
    assert faults.fault_body(405, 'm') == {'badMethod': {'code': 405, 'message': 'm'}}
    assert faults.fault_body(413, 'm') == {'overLimit': {'code': 413, 'message': 'm'}}
    assert faults.fault_body(501, 'm') == {'notImplemented': {'code': 501, 'message': 'm'}}
    assert 'computeFault' in faults.fault_body(502, 'm')


def test_unknown_route_is_item_not_found(api):
    resp = api.get('/v2.1/no-such-thing')
    assert resp.status_code == 404
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'The resource could not be found.'}}


def test_wrong_method_is_bad_method(api):
    resp = api.request('PATCH', '/v2.1/flavors')
    assert resp.status_code == 405
    assert resp.json['badMethod']['code'] == 405
    assert 'GET' in resp.headers['allow']


def test_malformed_json_is_bad_request(api):
    resp = api.client.simulate_post('/v2.1/os-keypairs', body='{not json',
                                    headers={'X-Auth-Token': 'admin',
                                             'Content-Type': 'application/json'})
    assert resp.status_code == 400
    assert resp.json == {'badRequest': {'code': 400, 'message': 'Malformed request body'}}


def test_unexpected_error_is_compute_fault(api, app, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError('secret detail')
    monkeypatch.setattr(app.backends.db, 'flavor_get_all', boom)
    resp = api.get('/v2.1/flavors')
    assert resp.status_code == 500
    message = resp.json['computeFault']['message']
    assert message.startswith('Unexpected API Error.')
    assert 'secret detail' not in message


def test_missing_token_is_401_under_noauth2(api):
    resp = api.get('/v2.1/flavors', user=None)
    assert resp.status_code == 401
    assert resp.json['unauthorized']['code'] == 401
