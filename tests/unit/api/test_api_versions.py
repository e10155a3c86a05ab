"""Version documents, microversion negotiation and the headers every response carries."""

import pytest

from novalite.api.compute import microversion


def test_root_lists_versions_without_a_token(api):
    resp = api.get('/', user=None)
    assert resp.status_code == 200
    versions = {v['id']: v for v in resp.json['versions']}
    assert versions['v2.1']['version'] == '2.96'
    assert versions['v2.1']['min_version'] == '2.1'
    assert versions['v2.1']['status'] == 'CURRENT'
    assert versions['v2.1']['links'][0]['href'].endswith('/v2.1/')
    assert versions['v2.0']['status'] == 'SUPPORTED'


@pytest.mark.parametrize('path', ['/v2.1', '/v2.1/'])
def test_v21_document_with_and_without_slash(api, path):
    resp = api.get(path, user=None)
    assert resp.status_code == 200
    version = resp.json['version']
    assert version['id'] == 'v2.1'
    assert version['version'] == '2.96' and version['min_version'] == '2.1'
    assert version['links'][0] == {'rel': 'self', 'href': 'http://falconframework.org/v2.1/'}
    assert version['media-types'][0]['base'] == 'application/json'


def test_public_endpoint_used_in_links(tmp_path):
    from api_fixtures import ApiClient, make_conf
    from novalite.api import app as api_app
    conf = make_conf(tmp_path, {('api', 'public_endpoint'): 'https://cloud.example/'})
    resp = ApiClient(api_app.create_app(conf)).get('/v2.1', user=None)
    assert resp.json['version']['links'][0]['href'] == 'https://cloud.example/v2.1/'


def test_versions_list_covers_the_range():
    assert microversion.VERSIONS[0] == '2.1'
    assert microversion.VERSIONS[-1] == '2.96'
    assert len(microversion.VERSIONS) == 96
    assert microversion.MAX_VERSION == (2, 96)


@pytest.mark.parametrize('headers, expected', [
    ({}, '2.1'),
    ({'OpenStack-API-Version': 'compute 2.53'}, '2.53'),
    ({'OpenStack-API-Version': 'compute latest'}, '2.96'),
    ({'OpenStack-API-Version': 'volume 3.1, compute 2.10'}, '2.10'),
    ({'X-OpenStack-Nova-API-Version': '2.11'}, '2.11'),
    ({'X-OpenStack-Nova-API-Version': 'latest'}, '2.96'),
    # the new header wins over the legacy one
    ({'OpenStack-API-Version': 'compute 2.30',
      'X-OpenStack-Nova-API-Version': '2.11'}, '2.30'),
])
def test_negotiation_and_echo(api, headers, expected):
    resp = api.get('/v2.1/flavors', headers=headers)
    assert resp.status_code == 200
    assert resp.headers['openstack-api-version'] == 'compute %s' % expected
    assert resp.headers['x-openstack-nova-api-version'] == expected
    assert 'OpenStack-API-Version' in resp.headers['vary']
    assert 'X-OpenStack-Nova-API-Version' in resp.headers['vary']


@pytest.mark.parametrize('value', ['2.97', '2.0', '3.0', '1.1'])
def test_out_of_range_is_406(api, value):
    resp = api.get('/v2.1/flavors', headers={'OpenStack-API-Version': 'compute %s' % value})
    assert resp.status_code == 406
    assert resp.json == {'computeFault': {'code': 406, 'message': (
        'Version %s is not supported by the API. Minimum is 2.1 and maximum is 2.96.'
        % value)}}


@pytest.mark.parametrize('value', ['2', 'abc', '2.01x', '02.1'])
def test_malformed_version_is_400(api, value):
    resp = api.get('/v2.1/flavors', headers={'X-OpenStack-Nova-API-Version': value})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == (
        'API Version String %s is of invalid format. Must be of format '
        'MajorNum.MinorNum.' % value)


def test_root_has_no_microversion_headers(api):
    resp = api.get('/', user=None)
    assert 'openstack-api-version' not in resp.headers


def test_error_responses_carry_the_version(api):
    resp = api.get('/v2.1/servers/nope', version='2.40')
    assert resp.status_code == 404
    assert resp.headers['openstack-api-version'] == 'compute 2.40'


def test_request_id_headers(api):
    resp = api.get('/v2.1/flavors')
    request_id = resp.headers['x-openstack-request-id']
    assert request_id.startswith('req-') and len(request_id) == 40
    assert resp.headers['x-compute-request-id'] == request_id
