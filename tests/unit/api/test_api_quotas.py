"""/limits and /os-quota-sets."""

import pytest

QUOTAS = '/v2.1/os-quota-sets/demo'


def _absolute(api, **kwargs):
    resp = api.get('/v2.1/limits', **kwargs)
    assert resp.status_code == 200, resp.text
    assert resp.json['limits']['rate'] == []
    return resp.json['limits']['absolute']


def test_limits_with_usage(api, make_server):
    make_server()
    absolute = _absolute(api, user='demo:demo')
    assert absolute['maxTotalInstances'] == 10
    assert absolute['maxTotalCores'] == 20
    assert absolute['maxTotalRAMSize'] == 51200
    assert absolute['totalInstancesUsed'] == 1
    assert absolute['totalCoresUsed'] == 1
    assert absolute['totalRAMUsed'] == 512
    assert absolute['maxServerMeta'] == 128 and absolute['maxTotalKeypairs'] == 100
    assert {'maxSecurityGroups', 'maxImageMeta', 'maxPersonality'} <= set(absolute)


@pytest.mark.parametrize('version, gone', [
    ('2.36', {'maxSecurityGroups', 'maxSecurityGroupRules', 'maxTotalFloatingIps',
              'totalSecurityGroupsUsed', 'totalFloatingIpsUsed'}),
    ('2.39', {'maxImageMeta'}),
    ('2.57', {'maxPersonality', 'maxPersonalitySize'}),
])
def test_limits_fields_removed_by_microversion(api, version, gone):
    absolute = _absolute(api, user='demo:demo', version=version)
    assert not gone & set(absolute)
    assert 'maxServerGroups' in absolute


def test_limits_of_another_project_are_admin_only(api, make_server, db):
    make_server(user='demo:demo')
    assert _absolute(api, params={'tenant_id': 'demo'})['totalInstancesUsed'] == 1
    assert api.get('/v2.1/limits?tenant_id=demo', user='eve:eve').status_code == 403
    assert api.get('/v2.1/limits?tenant_id=eve', user='eve:eve').status_code == 200


def test_quota_show_defaults_detail(api, make_server):
    make_server()
    quota_set = api.get(QUOTAS, user='demo:demo').json['quota_set']
    assert quota_set['id'] == 'demo'
    assert quota_set['instances'] == 10 and quota_set['injected_files'] == 5
    quota_set = api.get(QUOTAS, user='demo:demo', version='2.57').json['quota_set']
    assert 'injected_files' not in quota_set
    defaults = api.get(QUOTAS + '/defaults', user='eve:eve').json['quota_set']
    assert defaults['cores'] == 20 and defaults['id'] == 'demo'
    detail = api.get(QUOTAS + '/detail', user='demo:demo').json['quota_set']
    assert detail['instances'] == {'limit': 10, 'in_use': 1, 'reserved': 0}
    assert detail['ram'] == {'limit': 51200, 'in_use': 512, 'reserved': 0}
    assert api.get(QUOTAS, user='eve:eve').status_code == 403
    assert api.get(QUOTAS + '/detail', user='eve:eve').status_code == 403


def test_quota_update_and_revert(api, make_server):
    make_server()
    resp = api.put(QUOTAS, {'quota_set': {'instances': '5', 'cores': -1}})
    assert resp.status_code == 200, resp.text
    assert 'id' not in resp.json['quota_set']
    assert resp.json['quota_set']['instances'] == 5
    assert resp.json['quota_set']['cores'] == -1
    assert api.get(QUOTAS).json['quota_set']['instances'] == 5
    resp = api.put(QUOTAS, {'quota_set': {'instances': 0}})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == (
        'Quota limit 0 for instances must be greater than or equal to already used and '
        'reserved 1.')
    assert api.put(QUOTAS, {'quota_set': {'instances': 0, 'force': True}}).status_code == 200
    resp = api.put(QUOTAS, {'quota_set': {'bogus': 1}})
    assert "'bogus' was unexpected" in resp.json['badRequest']['message']
    assert api.put(QUOTAS, {'quota_set': {'instances': -2}}).status_code == 400
    resp = api.put(QUOTAS, {'quota_set': {'injected_files': 1}}, version='2.57')
    assert resp.status_code == 400
    assert api.put(QUOTAS, {'quota_set': {'instances': 1}}, user='demo:demo').status_code \
        == 403
    assert api.delete(QUOTAS, user='demo:demo').status_code == 403
    assert api.delete(QUOTAS).status_code == 202
    assert api.get(QUOTAS).json['quota_set']['instances'] == 10
