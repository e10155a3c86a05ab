"""/os-server-groups by microversion, quotas, policy; the group and other scheduler hints
on server create; server_groups in server show (2.71)."""

import uuid

import pytest

BASE = '/v2.1/os-server-groups'
USER = 'demo:demo'


def _create(api, body, version=None, user=USER):
    return api.post(BASE, {'server_group': body}, user=user, version=version)


def _group(api, name='g', policy='anti-affinity', version='2.64', user=USER, **extra):
    body = {'name': name, 'policy': policy, **extra}
    if version is None or tuple(map(int, version.split('.'))) < (2, 64):
        body = {'name': name, 'policies': [policy]}
    resp = _create(api, body, version=version, user=user)
    assert resp.status_code == 200, resp.text
    return resp.json['server_group']


def test_create_show_list_delete_at_2_1(api):
    resp = _create(api, {'name': 'web', 'policies': ['anti-affinity']})
    assert resp.status_code == 200
    group = resp.json['server_group']
    assert set(group) == {'id', 'name', 'policies', 'members', 'metadata'}
    assert (group['name'], group['policies'], group['members'], group['metadata']) == \
        ('web', ['anti-affinity'], [], {})
    shown = api.get(BASE + '/' + group['id'], user=USER).json['server_group']
    assert shown == group
    assert api.get(BASE, user=USER).json == {'server_groups': [group]}
    assert api.delete(BASE + '/' + group['id'], user=USER).status_code == 204
    resp = api.get(BASE + '/' + group['id'], user=USER)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == \
        'Instance group %s could not be found.' % group['id']


def test_project_and_user_from_2_13(api):
    group = _group(api, version='2.13')
    assert group['project_id'] == 'demo' and group['user_id'] == 'demo'
    assert group['policies'] == ['anti-affinity'] and group['metadata'] == {}


@pytest.mark.parametrize('version, policy, ok', [
    (None, 'affinity', True),
    (None, 'soft-affinity', False),
    ('2.14', 'soft-anti-affinity', False),
    ('2.15', 'soft-anti-affinity', True),
    ('2.15', 'soft-affinity', True),
    ('2.15', 'nope', False),
])
def test_policies_by_microversion(api, version, policy, ok):
    resp = _create(api, {'name': 'g', 'policies': [policy]}, version=version)
    if ok:
        assert resp.status_code == 200
        assert resp.json['server_group']['policies'] == [policy]
    else:
        assert resp.status_code == 400
        message = resp.json['badRequest']['message']
        assert 'field/attribute policies' in message and policy in message


def test_policies_list_shape(api):
    for policies in ([], ['affinity', 'anti-affinity'], 'affinity'):
        resp = _create(api, {'name': 'g', 'policies': policies})
        assert resp.status_code == 400, policies
    assert _create(api, {'name': 'g'}).status_code == 400


def test_policy_and_rules_at_2_64(api):
    group = _group(api, version='2.64', rules={'max_server_per_host': '3'})
    assert set(group) == {'id', 'name', 'policy', 'rules', 'members', 'project_id',
                          'user_id'}
    assert group['policy'] == 'anti-affinity'
    assert group['rules'] == {'max_server_per_host': 3}
    assert _group(api, policy='soft-affinity')['rules'] == {}
    # policies is gone, policy is required
    resp = _create(api, {'name': 'g', 'policies': ['affinity']}, version='2.64')
    assert resp.status_code == 400
    resp = _create(api, {'name': 'g', 'policy': 'spread'}, version='2.64')
    assert resp.status_code == 400
    assert 'field/attribute policy' in resp.json['badRequest']['message']


@pytest.mark.parametrize('rules, message', [
    ({'max_server_per_host': 0}, 'field/attribute max_server_per_host'),
    ({'max_server_per_host': 'x'}, 'field/attribute max_server_per_host'),
    ({'other': 1}, "'other' was unexpected"),
])
def test_bad_rules(api, rules, message):
    resp = _create(api, {'name': 'g', 'policy': 'anti-affinity', 'rules': rules},
                   version='2.64')
    assert resp.status_code == 400
    assert message in resp.json['badRequest']['message']


def test_rules_only_with_anti_affinity(api):
    resp = _create(api, {'name': 'g', 'policy': 'affinity',
                         'rules': {'max_server_per_host': 2}}, version='2.64')
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == 'Only anti-affinity policy supports rules.'


def test_group_quota(api, db):
    db.quota_set('demo', 'server_groups', 2)
    _group(api, name='a')
    _group(api, name='b')
    resp = _create(api, {'name': 'c', 'policies': ['affinity']})
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == 'Quota exceeded, too many server groups.'
    # other projects have their own count; usage shows in limits and quota detail
    _group(api, name='c', user='eve:eve')
    absolute = api.get('/v2.1/limits', user=USER).json['limits']['absolute']
    assert absolute['maxServerGroups'] == 2 and absolute['totalServerGroupsUsed'] == 2
    detail = api.get('/v2.1/os-quota-sets/demo/detail', user=USER).json['quota_set']
    assert detail['server_groups'] == {'limit': 2, 'in_use': 2, 'reserved': 0}
    assert detail['server_group_members']['limit'] == 10


def test_list_is_per_project_all_projects_for_admin(api):
    mine = _group(api, name='mine')
    theirs = _group(api, name='theirs', user='eve:eve')
    assert [g['id'] for g in api.get(BASE, user=USER).json['server_groups']] == [mine['id']]
    resp = api.get(BASE + '?all_projects=True', user=USER)
    assert resp.status_code == 403
    assert 'os_compute_api:os-server-groups:index:all_projects' in \
        resp.json['forbidden']['message']
    listed = api.get(BASE + '?all_projects=True', user='admin:admin').json['server_groups']
    assert [g['id'] for g in listed] == [mine['id'], theirs['id']]
    # without all_projects an admin sees only the admin project's groups
    assert api.get(BASE, user='admin:admin').json['server_groups'] == []


def test_list_limit_offset(api):
    ids = [_group(api, name='g%d' % i)['id'] for i in range(4)]
    page = api.get(BASE, user=USER, params={'limit': '2', 'offset': '1'}).json
    assert [g['id'] for g in page['server_groups']] == ids[1:3]
    assert api.get(BASE, user=USER, params={'limit': '-1'}).status_code == 400
    assert api.get(BASE, user=USER, params={'offset': 'x'}).status_code == 400


def test_other_projects_group_is_forbidden(api):
    group = _group(api, user='eve:eve')
    path = BASE + '/' + group['id']
    assert api.get(path, user=USER).status_code == 403
    assert api.delete(path, user=USER).status_code == 403
    assert api.get(path, user='admin:admin').status_code == 200
    assert api.delete(path, user='admin:admin').status_code == 204


def test_unknown_group_is_404(api):
    missing = str(uuid.uuid4())
    assert api.get(BASE + '/' + missing, user=USER).status_code == 404
    assert api.delete(BASE + '/' + missing, user=USER).status_code == 404


# -- scheduler hints on server create -------------------------------------------------------

def _boot(api, hints, key='os:scheduler_hints', user=USER, version='2.96', **server):
    from api_fixtures import IMAGE
    body = {'server': {'name': 'vm', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': 'none',
                       **server}}
    if hints is not None:
        body[key] = hints
    return api.post('/v2.1/servers', body, user=user, version=version)


def _build_spec(rpc):
    calls = [c for c in rpc.calls if c[0] == 'build_instances']
    return calls[-1][1][2]


def test_group_hint_records_members_and_the_spec(api, rpc, db):
    group = _group(api)
    resp = _boot(api, {'group': group['id']}, min_count=2, max_count=2)
    assert resp.status_code == 202, resp.text
    spec = _build_spec(rpc)
    assert spec.scheduler_hints == {'group': group['id']}
    shown = api.get(BASE + '/' + group['id'], user=USER).json['server_group']
    assert sorted(shown['members']) == sorted(spec.instance_uuids)
    # the older hint key works too
    resp = _boot(api, {'group': group['id']}, key='OS-SCH-HNT:scheduler_hints')
    assert resp.status_code == 202
    server_id = resp.json['server']['id']
    assert server_id in api.get(BASE + '/' + group['id'], user=USER).json[
        'server_group']['members']
    # 2.71: server show names the group; not before, and never in the detail list
    server = api.get('/v2.1/servers/' + server_id, user=USER, version='2.71').json['server']
    assert server['server_groups'] == [group['id']]
    server = api.get('/v2.1/servers/' + server_id, user=USER, version='2.70').json['server']
    assert 'server_groups' not in server
    listed = api.get('/v2.1/servers/detail', user=USER, version='2.71').json['servers']
    assert all('server_groups' not in s for s in listed)


def test_server_without_group_shows_empty_list(api, make_server):
    server_id = make_server()
    server = api.get('/v2.1/servers/' + server_id, user=USER, version='2.71').json['server']
    assert server['server_groups'] == []


def test_unknown_group_hint_is_400_naming_the_hint(api, db):
    missing = str(uuid.uuid4())
    resp = _boot(api, {'group': missing})
    assert resp.status_code == 400
    message = resp.json['badRequest']['message']
    assert 'hint group' in message and missing in message
    # another project's group is not found either
    theirs = _group(api, user='eve:eve')
    assert _boot(api, {'group': theirs['id']}).status_code == 400
    assert db.instance_get_all({'project_id': 'demo'}) == []


def test_member_quota_is_403_and_creates_nothing(api, db):
    db.quota_set('demo', 'server_group_members', 3)
    group = _group(api)
    assert _boot(api, {'group': group['id']}, min_count=2, max_count=2).status_code == 202
    resp = _boot(api, {'group': group['id']}, min_count=2, max_count=2)
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == 'Quota exceeded, too many servers in group'
    assert len(db.instance_get_all({'project_id': 'demo'})) == 2
    assert _boot(api, {'group': group['id']}).status_code == 202


def test_deleted_server_leaves_the_group(api, db):
    db.quota_set('demo', 'server_group_members', 1)
    group = _group(api)
    server_id = _boot(api, {'group': group['id']}).json['server']['id']
    assert api.delete('/v2.1/servers/' + server_id, user=USER).status_code == 204
    assert api.get(BASE + '/' + group['id'], user=USER).json['server_group']['members'] == []
    assert _boot(api, {'group': group['id']}).status_code == 202


@pytest.mark.parametrize('hints, field', [
    ({'group': 'not-a-uuid'}, 'group'),
    ({'same_host': 'not-a-uuid'}, 'same_host'),
    ({'different_host': 42}, 'different_host'),
    ({'build_near_host_ip': '10.0.0'}, 'build_near_host_ip'),
    ({'cidr': '24'}, 'cidr'),
    ({'query': 5}, 'query'),
])
def test_bad_hints_are_400(api, hints, field):
    resp = _boot(api, hints)
    assert resp.status_code == 400
    assert 'field/attribute %s' % field in resp.json['badRequest']['message']


def test_hints_are_normalised_and_unknown_ones_pass(api, rpc):
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    resp = _boot(api, {'same_host': one, 'different_host': [one, two],
                       'query': '["=", "$free_ram_mb", 1024]', 'build_near_host_ip': '10.0.0.1',
                       'cidr': '/24', 'my_custom_hint': {'x': 1}})
    assert resp.status_code == 202, resp.text
    hints = _build_spec(rpc).scheduler_hints
    assert hints['same_host'] == [one] and hints['different_host'] == [one, two]
    assert hints['query'] == '["=", "$free_ram_mb", 1024]'
    assert hints['my_custom_hint'] == {'x': 1} and hints['cidr'] == '/24'
    # an object is accepted (as Nova's schema does) and travels as its JSON text
    assert _boot(api, {'query': {'>=': ['$free_ram_mb', 1024]}}).status_code == 202
    assert _build_spec(rpc).scheduler_hints['query'] == '{">=": ["$free_ram_mb", 1024]}'
