"""noauth2 tokens, and the keystone strategy's auth_token wiring (identity server mocked)."""

import datetime
import uuid

import falcon
import pytest
from keystonemiddleware import auth_token
from keystonemiddleware.auth_token import _exceptions as ks_exceptions

from api_fixtures import ApiClient, make_conf
from novalite.api import app as api_app
from novalite.api import auth


def _context_of(token):
    app = falcon.App(middleware=[auth.NoAuthMiddleware()])
    seen = {}

    class Probe:
        def on_get(self, req, resp):
            seen['ctx'] = req.context.ctx
    app.add_route('/v2.1/probe', Probe())
    headers = {'X-Auth-Token': token} if token is not None else {}
    resp = falcon.testing.TestClient(app).simulate_get('/v2.1/probe', headers=headers)
    return resp, seen.get('ctx')


@pytest.mark.parametrize('token, user, project, admin', [
    ('demo:proj', 'demo', 'proj', False),
    ('notused', 'notused', 'notused', False),
    ('admin', 'admin', 'admin', True),
    ('admin:other', 'admin', 'other', True),
])
def test_noauth2_tokens(token, user, project, admin):
    resp, ctx = _context_of(token)
    assert resp.status_code == 200
    assert (ctx.user_id, ctx.project_id, ctx.is_admin) == (user, project, admin)
    assert ('admin' in ctx.roles) is admin


def test_noauth2_without_token_is_401():
    resp, ctx = _context_of(None)
    assert resp.status_code == 401
    assert ctx is None


def test_request_ids_reach_the_context(api, compute_api, monkeypatch):
    seen = {}

    def get_all(ctx, *args, **kwargs):
        seen['ctx'] = ctx
        return []
    monkeypatch.setattr(compute_api, 'get_all', get_all)
    inbound = 'req-11111111-2222-3333-4444-555555555555'
    resp = api.get('/v2.1/servers', headers={'X-OpenStack-Request-ID': inbound})
    assert resp.status_code == 200
    assert seen['ctx'].request_id == resp.headers['x-openstack-request-id'] != inbound
    assert seen['ctx'].global_request_id == inbound
    api.get('/v2.1/servers', headers={'X-OpenStack-Request-ID': 'not-an-id'})
    assert seen['ctx'].global_request_id is None


# -- keystone ---------------------------------------------------------------------------

@pytest.fixture
def keystone_api(tmp_path, db, compute_api, monkeypatch):
    # keystonemiddleware reads [keystone_authtoken] from the same file as everything else
    config = tmp_path / 'novalite.conf'
    config.write_text('[api]\nauth_strategy = keystone\n'
                      '[keystone_authtoken]\n'
                      'www_authenticate_uri = http://keystone.example/identity/v3\n'
                      'auth_url = http://keystone.example/identity/v3\n')
    conf = make_conf(tmp_path, config_files=[str(config)])
    tokens = {}

    def fetch_token(self, token, **kwargs):
        # what a Keystone would answer for GET /v3/auth/tokens
        if token in tokens:
            return tokens[token]
        raise ks_exceptions.InvalidToken()
    monkeypatch.setattr(auth_token.AuthProtocol, 'fetch_token', fetch_token)
    app = api_app.create_app(conf, compute_api=compute_api, db=db)
    return ApiClient(app), tokens


def _token(user_id, project_id, roles):
    """A Keystone v3 token body (keystoneauth1's fixture needs the 'fixtures' package)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    domain = {'id': 'default', 'name': 'Default'}
    return {'token': {
        'methods': ['password'],
        'issued_at': now.strftime('%Y-%m-%dT%H:%M:%S.000000Z'),
        'expires_at': (now + datetime.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%S.000000Z'),
        'user': {'id': user_id, 'name': user_id, 'domain': domain},
        'project': {'id': project_id, 'name': project_id, 'domain': domain},
        'roles': [{'id': uuid.uuid4().hex, 'name': r} for r in roles],
        'catalog': []}}


def test_keystone_strategy_wraps_the_app_with_auth_token(keystone_api):
    api, _ = keystone_api
    assert isinstance(api.client.app, falcon.App)
    assert isinstance(api.client.app.wsgi_entry.protected, auth_token.AuthProtocol)


def test_keystone_without_token_is_401(keystone_api):
    api, _ = keystone_api
    resp = api.get('/v2.1/flavors', user=None)
    assert resp.status_code == 401
    assert resp.headers['www-authenticate'] == \
        'Keystone uri="http://keystone.example/identity/v3"'


def test_keystone_bad_token_is_401(keystone_api):
    api, _ = keystone_api
    assert api.get('/v2.1/flavors', user='bogus').status_code == 401


def test_keystone_version_documents_need_no_token(keystone_api):
    api, _ = keystone_api
    assert api.get('/', user=None).status_code == 200
    assert api.get('/v2.1', user=None).status_code == 200
    assert api.get('/v2.1/', user=None).status_code == 200


def test_keystone_valid_token_builds_the_context(keystone_api):
    api, tokens = keystone_api
    tokens['member-token'] = _token('u1', 'p1', ['member', 'reader'])
    tokens['admin-token'] = _token('root', 'p0', ['admin', 'member'])
    resp = api.get('/v2.1/os-hypervisors', user='member-token')
    assert resp.status_code == 403  # a member is no admin
    resp = api.get('/v2.1/os-hypervisors', user='admin-token')
    assert resp.status_code == 200
    resp = api.get('/v2.1/os-quota-sets/p1', user='member-token')
    assert resp.json['quota_set']['id'] == 'p1'
    assert api.get('/v2.1/os-quota-sets/p2', user='member-token').status_code == 403


def test_keystone_spoofed_identity_headers_are_ignored(keystone_api):
    api, _ = keystone_api
    resp = api.get('/v2.1/os-hypervisors', user=None, headers={
        'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin', 'X-User-Id': 'x',
        'X-Project-Id': 'y'})
    assert resp.status_code == 401
