"""os-security-groups, os-security-group-rules, a server's groups and the add/remove actions
over the API (real app, database and security group API; RPC recorded)."""

import pytest

from api_net_support import Stack, boot

SG = '/v2.1/os-security-groups'
RULES = '/v2.1/os-security-group-rules'
DEMO = 'demo:demo'


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    yield stack
    stack.close()


@pytest.fixture
def api(stack):
    return stack.api


def _group(api, name, description='d', user=DEMO):
    resp = api.post(SG, {'security_group': {'name': name, 'description': description}},
                    user=user)
    assert resp.status_code == 200, resp.text
    return resp.json['security_group']


def _rule(api, **rule):
    return api.post(RULES, {'security_group_rule': rule}, user=DEMO)


def test_crud_with_nova_bodies_and_status_codes(api):
    listed = api.get(SG, user=DEMO).json['security_groups']
    assert [(g['name'], g['description'], g['tenant_id'], g['rules']) for g in listed] == \
        [('default', 'default', 'demo', [])]
    web = _group(api, 'web', 'web servers')
    assert web == {'id': web['id'], 'name': 'web', 'description': 'web servers',
                   'tenant_id': 'demo', 'rules': []}
    assert api.get('%s/%s' % (SG, web['id']), user=DEMO).json == {'security_group': web}
    resp = api.put('%s/%s' % (SG, web['id']),
                   {'security_group': {'name': 'www', 'description': 'renamed'}}, user=DEMO)
    assert resp.status_code == 200 and resp.json['security_group']['name'] == 'www'
    assert [g['name'] for g in api.get(SG, user=DEMO).json['security_groups']] == \
        ['default', 'www']
    assert api.delete('%s/%s' % (SG, web['id']), user=DEMO).status_code == 202
    resp = api.get('%s/%s' % (SG, web['id']), user=DEMO)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Security group %s not found.' % web['id']


@pytest.mark.parametrize('body, message', [
    (None, "The request body can't be empty"),
    ({'group': {}}, 'Missing parameter security_group'),
    ({'security_group': {'description': 'd'}},
     'Security group name is not a string or unicode'),
    ({'security_group': {'name': '', 'description': 'd'}},
     'name has a minimum character requirement of 1.'),
    ({'security_group': {'name': 'x' * 256, 'description': 'd'}},
     'name has more than 255 characters.'),
    ({'security_group': {'name': 'ok', 'description': ''}},
     'description has a minimum character requirement of 1.'),
])
def test_group_validation_errors_name_the_field(api, body, message):
    resp = api.post(SG, body, user=DEMO)
    assert resp.status_code == 400
    assert resp.json == {'badRequest': {'code': 400, 'message': message}}


def test_duplicates_default_group_and_ids_are_400s_like_nova(api):
    _group(api, 'web')
    resp = api.post(SG, {'security_group': {'name': 'web', 'description': 'd'}}, user=DEMO)
    assert (resp.status_code, resp.json['badRequest']['message']) == \
        (400, 'Security group web already exists')
    default = api.get(SG, user=DEMO).json['security_groups'][0]
    resp = api.delete('%s/%s' % (SG, default['id']), user=DEMO)
    assert (resp.status_code, resp.json['badRequest']['message']) == \
        (400, "Unable to delete system group 'default'")
    resp = api.get(SG + '/abc', user=DEMO)
    assert (resp.status_code, resp.json['badRequest']['message']) == \
        (400, 'Security group id should be integer')


def test_groups_are_per_project_and_admins_list_all_tenants(api):
    web = _group(api, 'web')
    assert api.get('%s/%s' % (SG, web['id']), user='other:other').status_code == 404
    assert api.delete('%s/%s' % (SG, web['id']), user='other:other').status_code == 404
    tenants = {g['tenant_id'] for g in api.get(SG + '?all_tenants=1').json['security_groups']}
    assert tenants == {'demo', 'admin'}
    assert {g['tenant_id'] for g in api.get(SG).json['security_groups']} == {'admin'}


def test_rules_crud_and_validation(api):
    web = _group(api, 'web')
    admins = _group(api, 'admins')
    resp = _rule(api, parent_group_id=web['id'], ip_protocol='tcp', from_port=22, to_port=22,
                 cidr='10.0.0.0/8')
    assert resp.status_code == 200
    ssh = resp.json['security_group_rule']
    assert ssh == {'id': ssh['id'], 'parent_group_id': web['id'], 'ip_protocol': 'tcp',
                   'from_port': 22, 'to_port': 22, 'ip_range': {'cidr': '10.0.0.0/8'},
                   'group': {}}
    from_admins = _rule(api, parent_group_id=str(web['id']), ip_protocol='icmp',
                        from_port=-1, to_port=-1,
                        group_id=admins['id']).json['security_group_rule']
    assert from_admins['group'] == {'name': 'admins', 'tenant_id': 'demo'}
    shown = api.get('%s/%s' % (SG, web['id']), user=DEMO).json['security_group']
    assert [r['id'] for r in shown['rules']] == [ssh['id'], from_admins['id']]

    def bad(message, status=400, **rule):
        resp = _rule(api, **rule)
        assert resp.status_code == status, resp.text
        assert list(resp.json.values())[0]['message'] == message

    bad('This rule already exists in group %s' % web['id'], parent_group_id=web['id'],
        ip_protocol='tcp', from_port=22, to_port=22, cidr='10.0.0.0/8')
    bad('Invalid IP protocol gre.', parent_group_id=web['id'], ip_protocol='gre',
        from_port=1, to_port=2)
    bad('Invalid port range 443:80. Former value cannot be greater than the later',
        parent_group_id=web['id'], ip_protocol='tcp', from_port=443, to_port=80)
    bad('Invalid port range 0:80. Valid TCP ports should be between 1-65535',
        parent_group_id=web['id'], ip_protocol='tcp', from_port=0, to_port=80)
    bad('Invalid port range 256:0. For ICMP, the type:code must be valid',
        parent_group_id=web['id'], ip_protocol='icmp', from_port=256, to_port=0)
    bad('bogus/8 is not a valid IP network.', parent_group_id=web['id'], ip_protocol='tcp',
        from_port=1, to_port=2, cidr='bogus/8')
    bad('Not enough parameters to build a valid rule.', parent_group_id=web['id'],
        ip_protocol='tcp', cidr='10.0.0.0/8')
    bad('Security group id should be integer', parent_group_id='web', ip_protocol='tcp',
        from_port=1, to_port=2)
    bad('Security group 4242 not found.', status=404, parent_group_id=4242,
        ip_protocol='tcp', from_port=1, to_port=2)
    bad('Security group id should be integer')  # an empty rule: no parent group
    resp = api.post(RULES, {'rule': {}}, user=DEMO)
    assert resp.json['badRequest']['message'] == 'Missing parameter security_group_rule'

    assert api.delete('%s/%s' % (RULES, ssh['id']), user=DEMO).status_code == 202
    resp = api.delete('%s/%s' % (RULES, ssh['id']), user=DEMO)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == \
        'Security group rule %s not found.' % ssh['id']


def test_quota_over_limit_is_nova_forbidden_fault(stack, api):
    stack.conf.set_override('security_groups', 2, group='quota')
    stack.conf.set_override('security_group_rules', 1, group='quota')
    web = _group(api, 'web')  # the default group counts too
    resp = api.post(SG, {'security_group': {'name': 'two', 'description': 'd'}}, user=DEMO)
    assert resp.status_code == 403
    assert resp.json == {'forbidden': {'code': 403, 'message':
                                       'Quota exceeded, too many security groups.'}}
    assert _rule(api, parent_group_id=web['id'], ip_protocol='tcp', from_port=1,
                 to_port=2).status_code == 200
    resp = _rule(api, parent_group_id=web['id'], ip_protocol='tcp', from_port=3, to_port=4)
    assert resp.json == {'forbidden': {'code': 403, 'message':
                                       'Quota exceeded, too many security group rules.'}}
    limits = api.get('/v2.1/limits', user=DEMO).json['limits']['absolute']
    assert (limits['maxSecurityGroups'], limits['maxSecurityGroupRules'],
            limits['totalSecurityGroupsUsed']) == (2, 1, 2)
    quota = api.get('/v2.1/os-quota-sets/demo', user=DEMO).json['quota_set']
    assert (quota['security_groups'], quota['security_group_rules'], quota['floating_ips']) == \
        (2, 1, 10)
    # 2.36 dropped the network quotas and limits, as in Nova
    quota = api.get('/v2.1/os-quota-sets/demo', user=DEMO, version='2.36').json['quota_set']
    assert 'security_groups' not in quota and 'floating_ips' not in quota
    limits = api.get('/v2.1/limits', user=DEMO, version='2.36').json['limits']['absolute']
    assert 'maxSecurityGroups' not in limits


def test_server_groups_at_boot_add_remove_and_in_detail(stack, api):
    _group(api, 'web')
    server = boot(api, security_groups=[{'name': 'web'}])
    path = '/v2.1/servers/%s' % server
    assert api.get(path, user=DEMO).json['server']['security_groups'] == [{'name': 'web'}]
    assert [g['name'] for g in api.get(path + '/os-security-groups',
                                       user=DEMO).json['security_groups']] == ['web']

    resp = api.post(path + '/action', {'addSecurityGroup': {'name': 'default'}}, user=DEMO)
    assert resp.status_code == 202, resp.text
    detail = api.get('/v2.1/servers/detail', user=DEMO).json['servers']
    assert detail[0]['security_groups'] == [{'name': 'default'}, {'name': 'web'}]
    resp = api.post(path + '/action', {'addSecurityGroup': {'name': 'default'}}, user=DEMO)
    assert resp.status_code == 400
    assert 'is already associated with the instance' in resp.json['badRequest']['message']
    resp = api.post(path + '/action', {'addSecurityGroup': {'name': 'nope'}}, user=DEMO)
    assert resp.status_code == 404
    for body, message in (({'addSecurityGroup': {}}, 'Security group not specified'),
                          ({'addSecurityGroup': {'name': ' '}},
                           'Security group name cannot be empty'),
                          ({'addSecurityGroup': 'web'}, 'Missing parameter dict')):
        resp = api.post(path + '/action', body, user=DEMO)
        assert (resp.status_code, resp.json['badRequest']['message']) == (400, message)

    web_id = [g['id'] for g in api.get(SG, user=DEMO).json['security_groups']
              if g['name'] == 'web'][0]
    resp = api.delete('%s/%s' % (SG, web_id), user=DEMO)
    assert (resp.status_code, resp.json['badRequest']['message']) == \
        (400, 'Security group is still in use')
    resp = api.post(path + '/action', {'removeSecurityGroup': {'name': 'web'}}, user=DEMO)
    assert resp.status_code == 202
    resp = api.post(path + '/action', {'removeSecurityGroup': {'name': 'web'}}, user=DEMO)
    assert resp.status_code == 400
    assert api.delete('%s/%s' % (SG, web_id), user=DEMO).status_code == 202
    assert api.get(path, user=DEMO).json['server']['security_groups'] == [{'name': 'default'}]
    # another project may not touch the server
    resp = api.post(path + '/action', {'addSecurityGroup': {'name': 'default'}},
                    user='other:other')
    assert resp.status_code in (403, 404)


def test_a_server_without_groups_has_no_security_groups_key(stack, api):
    server = boot(api)  # the compute API gives it the default group
    assert api.get('/v2.1/servers/%s' % server,
                   user=DEMO).json['server']['security_groups'] == [{'name': 'default'}]
    stack.db.instance_remove_security_group(
        server, stack.db.security_group_get_by_name('demo', 'default')['id'])
    assert 'security_groups' not in api.get('/v2.1/servers/%s' % server,
                                            user=DEMO).json['server']


def test_gone_from_2_36_but_server_groups_stay(api):
    assert api.get(SG, user=DEMO, version='2.35').status_code == 200
    resp = api.get(SG, user=DEMO, version='2.36')
    assert resp.status_code == 404 and 'itemNotFound' in resp.json
    assert _rule(api).status_code == 400
    assert api.post(RULES, {'security_group_rule': {}}, user=DEMO,
                    version='2.36').status_code == 404
    server = boot(api, version='2.96')
    assert api.get('/v2.1/servers/%s/os-security-groups' % server, user=DEMO,
                   version='2.96').status_code == 200
    assert api.post('/v2.1/servers/%s/action' % server,
                    {'addSecurityGroup': {'name': 'default'}}, user=DEMO,
                    version='2.96').status_code == 400  # already in it, but not a 404
