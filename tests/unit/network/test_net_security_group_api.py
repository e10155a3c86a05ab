"""SecurityGroupAPI: Nova's validation, quotas, the default group, servers, firewall refreshes."""

import uuid as uuidlib

import pytest

import nltest
from novalite import context as nl_context
from novalite import exception
from novalite import objects
from novalite.db import api as db_api
from novalite.db import migration
from novalite.network import security_group_api as sg_api


class RecordingCompute:
    def __init__(self):
        self.refreshes = []

    def refresh_instance_security_rules(self, ctx, host, instance_uuid):
        self.refreshes.append((host, instance_uuid))


@pytest.fixture
def conf(tmp_path):
    return nltest.make_conf(tmp_path)


@pytest.fixture
def db(tmp_path):
    database = db_api.Database(url='sqlite:///%s' % (tmp_path / 'sgapi.sqlite'))
    migration.db_sync(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def compute():
    return RecordingCompute()


@pytest.fixture
def api(conf, db, compute):
    return sg_api.SecurityGroupAPI(conf, db, compute)


def _ctx(project='p1', admin=False):
    return nl_context.RequestContext(user_id='u-' + project, project_id=project,
                                     is_admin=admin)


CTX = _ctx()


def _server(db, project='p1', host='compute1'):
    [inst] = db.instances_create([objects.Instance(
        uuid=str(uuidlib.uuid4()), project_id=project, user_id='u-' + project,
        display_name='vm', vm_state='active', host=host,
        flavor={'vcpus': 1, 'memory_mb': 512}, metadata={})])
    return inst


def test_list_makes_the_default_group_and_shows_nova_bodies(api):
    groups = api.list(CTX)
    assert groups == [{'id': groups[0]['id'], 'name': 'default', 'description': 'default',
                       'tenant_id': 'p1', 'rules': []}]
    web = api.create(CTX, ' web ', 'the web tier')
    assert (web['name'], web['description'], web['tenant_id']) == ('web', 'the web tier', 'p1')
    assert [g['name'] for g in api.list(CTX)] == ['default', 'web']
    assert api.get(CTX, web['id']) == web
    assert api.get(CTX, str(web['id'])) == web
    assert api.get_by_name(CTX, 'web') == web


def test_projects_are_isolated_but_admins_see_all(api):
    web = api.create(CTX, 'web', 'w')
    with pytest.raises(exception.SecurityGroupNotFound):
        api.get(_ctx('p2'), web['id'])
    assert [g['tenant_id'] for g in api.list(_ctx('p2'))] == ['p2']
    admin = _ctx('admin', admin=True)
    assert api.get(admin, web['id'])['name'] == 'web'
    assert {g['tenant_id'] for g in api.list(admin, all_tenants=True)} == {'p1', 'p2', 'admin'}
    # all_tenants means nothing for others
    assert {g['tenant_id'] for g in api.list(CTX, all_tenants=True)} == {'p1'}


@pytest.mark.parametrize('name, description, message', [
    (None, 'd', 'Security group name is not a string or unicode'),
    ('  ', 'd', 'name has a minimum character requirement of 1.'),
    ('x' * 256, 'd', 'name has more than 255 characters.'),
    ('ok', None, 'Security group description is not a string or unicode'),
    ('ok', '', 'description has a minimum character requirement of 1.'),
])
def test_group_validation_names_the_field(api, name, description, message):
    with pytest.raises(exception.Invalid) as err:
        api.create(CTX, name, description)
    assert err.value.code == 400 and err.value.message == message


def test_duplicate_name_and_quota(api, conf):
    api.create(CTX, 'web', 'w')
    with pytest.raises(exception.SecurityGroupExists):
        api.create(CTX, 'web', 'again')
    conf.set_override('security_groups', 3, group='quota')
    api.create(CTX, 'two', 'x')  # default + web + two = 3
    with pytest.raises(exception.QuotaExceeded) as err:
        api.create(CTX, 'three', 'x')
    assert err.value.code == 403
    assert err.value.message == 'Quota exceeded, too many security groups.'


def test_update_and_the_default_group_is_read_only(api):
    web = api.create(CTX, 'web', 'w')
    assert api.update(CTX, web['id'], 'www', 'new')['name'] == 'www'
    default = api.ensure_default(CTX)
    with pytest.raises(exception.Invalid, match="Unable to update system group 'default'"):
        api.update(CTX, default['id'], 'default', 'changed')
    with pytest.raises(exception.SecurityGroupInUse,
                       match="Unable to delete system group 'default'"):
        api.destroy(CTX, default['id'])
    with pytest.raises(exception.Invalid, match='Security group id should be integer'):
        api.get(CTX, 'abc')


@pytest.mark.parametrize('kwargs, message', [
    (dict(ip_protocol='gre', from_port=1, to_port=2), 'Invalid IP protocol gre.'),
    (dict(ip_protocol='tcp', from_port=80, to_port=22),
     'Invalid port range 80:22. Former value cannot be greater than the later'),
    (dict(ip_protocol='udp', from_port=0, to_port=22),
     'Invalid port range 0:22. Valid UDP ports should be between 1-65535'),
    (dict(ip_protocol='tcp', from_port=1, to_port=65536),
     'Invalid port range 1:65536. Valid TCP ports should be between 1-65535'),
    (dict(ip_protocol='icmp', from_port=-2, to_port=0),
     'Invalid port range -2:0. For ICMP, the type:code must be valid'),
    (dict(ip_protocol='icmp', from_port='a', to_port=0),
     'Invalid input received: Type and Code must be integers for ICMP protocol type'),
    (dict(ip_protocol='tcp', from_port='a', to_port=0),
     'Invalid input received: To and From ports must be integers'),
    (dict(ip_protocol='tcp', from_port=22, to_port=22, cidr='10.0.0.300/8'),
     '10.0.0.300/8 is not a valid IP network.'),
    (dict(ip_protocol='tcp', from_port=22, to_port=22, cidr='10.0.0.1'),
     '10.0.0.1 is not a valid IP network.'),
    (dict(ip_protocol='tcp', from_port=22, to_port=22, cidr='10.0.0.0/0'),
     'Bad prefix for network in cidr 10.0.0.0/0'),
    (dict(ip_protocol='tcp', from_port=None, to_port=22),
     'Not enough parameters to build a valid rule.'),
    (dict(ip_protocol=None, from_port=1, to_port=22),
     'Not enough parameters to build a valid rule.'),
])
def test_rule_validation_like_nova(api, kwargs, message):
    web = api.create(CTX, 'web', 'w')
    with pytest.raises(exception.Invalid) as err:
        api.add_rule(CTX, web['id'], **kwargs)
    assert err.value.code == 400 and err.value.message == message


def test_rules_add_remove_duplicate_group_source_and_quota(api, conf):
    web = api.create(CTX, 'web', 'w')
    admins = api.create(CTX, 'admins', 'a')
    ssh = api.add_rule(CTX, web['id'], 'TCP', 22, 22, cidr='10.0.0.0/8')
    assert ssh == {'id': ssh['id'], 'parent_group_id': web['id'], 'ip_protocol': 'tcp',
                   'from_port': 22, 'to_port': 22, 'ip_range': {'cidr': '10.0.0.0/8'},
                   'group': {}}
    with pytest.raises(exception.SecurityGroupRuleExists):
        api.add_rule(CTX, web['id'], 'tcp', 22, 22, cidr='10.0.0.0/8')
    ping = api.add_rule(CTX, web['id'], 'icmp', -1, -1)
    assert ping['ip_range'] == {'cidr': '0.0.0.0/0'}
    everything = api.add_rule(CTX, web['id'], None, None, None, group_id=admins['id'])
    assert everything['group'] == {'name': 'admins', 'tenant_id': 'p1'}
    assert everything['ip_protocol'] is None and everything['ip_range'] == {}
    with pytest.raises(exception.SecurityGroupNotFound):
        api.add_rule(CTX, web['id'], 'tcp', 1, 2, group_id=99999)
    with pytest.raises(exception.SecurityGroupNotFound):
        api.add_rule(_ctx('p2'), web['id'], 'tcp', 1, 2)
    conf.set_override('security_group_rules', 3, group='quota')
    with pytest.raises(exception.QuotaExceeded,
                       match='Quota exceeded, too many security group rules.'):
        api.add_rule(CTX, web['id'], 'udp', 53, 53)
    api.remove_rule(CTX, ssh['id'])
    assert [r['id'] for r in api.get(CTX, web['id'])['rules']] == [ping['id'], everything['id']]
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        api.remove_rule(CTX, ssh['id'])


def test_servers_join_and_leave_groups_with_firewall_refreshes(api, db, compute):
    web = api.create(CTX, 'web', 'w')
    admins = api.create(CTX, 'admins', 'a')
    api.add_rule(CTX, web['id'], 'tcp', 22, 22, group_id=admins['id'])
    server, admin_box, unplaced = _server(db), _server(db, host='compute2'), \
        _server(db, host=None)
    api.populate_instance(CTX, server.uuid, None)           # -> default
    api.populate_instance(CTX, unplaced.uuid, ['web', 'web'])
    assert [g['name'] for g in api.get_instance_security_groups(CTX, server.uuid)] == \
        ['default']
    assert compute.refreshes == []  # populate is for new servers: no refresh

    api.add_to_instance(CTX, server, 'web')
    assert compute.refreshes == [('compute1', server.uuid)]
    with pytest.raises(exception.Invalid, match='is already associated with the instance'):
        api.add_to_instance(CTX, server, 'web')
    with pytest.raises(exception.SecurityGroupNotFound):
        api.add_to_instance(CTX, server, 'nope')

    # joining a source group changes the firewalls of the groups admitting it
    compute.refreshes.clear()
    api.add_to_instance(CTX, admin_box, 'admins')
    assert sorted(compute.refreshes) == sorted([('compute2', admin_box.uuid),
                                                ('compute1', server.uuid)])
    # a rule change refreshes the placed members (the unplaced one has no host)
    compute.refreshes.clear()
    api.add_rule(CTX, web['id'], 'tcp', 80, 80)
    assert compute.refreshes == [('compute1', server.uuid)]

    with pytest.raises(exception.SecurityGroupInUse, match='Security group is still in use'):
        api.destroy(CTX, web['id'])
    api.remove_from_instance(CTX, server, 'web')
    with pytest.raises(exception.Invalid, match='not associated with the instance'):
        api.remove_from_instance(CTX, server, 'web')
    db.instance_destroy(unplaced.uuid)
    compute.refreshes.clear()
    api.destroy(CTX, web['id'])
    assert compute.refreshes == []  # nobody was left in web
    with pytest.raises(exception.SecurityGroupInUse):
        api.destroy(CTX, admins['id'])


def test_destroying_a_source_group_refreshes_the_servers_that_admitted_it(api, db, compute):
    web = api.create(CTX, 'web', 'w')
    admins = api.create(CTX, 'admins', 'a')
    api.add_rule(CTX, web['id'], 'tcp', 22, 22, group_id=admins['id'])
    server = _server(db)
    api.populate_instance(CTX, server.uuid, ['web'])
    api.destroy(CTX, admins['id'])
    assert compute.refreshes == [('compute1', server.uuid)]
    assert api.get(CTX, web['id'])['rules'] == []


def test_a_failing_cast_does_not_undo_the_change(conf, db):
    class Broken:
        def refresh_instance_security_rules(self, *args):
            raise RuntimeError('broker down')

    api = sg_api.SecurityGroupAPI(conf, db, Broken())
    server = _server(db)
    api.create(CTX, 'web', 'w')
    api.add_to_instance(CTX, server, 'web')
    assert [g['name'] for g in api.get_instance_security_groups(CTX, server.uuid)] == ['web']


def test_admin_acts_on_the_servers_project_groups(api, db):
    server = _server(db, project='p2')
    api.create(_ctx('p2'), 'web', 'w')
    admin = _ctx('admin', admin=True)
    api.add_to_instance(admin, server, 'web')
    assert [g['tenant_id'] for g in api.get_instance_security_groups(admin, server.uuid)] == \
        ['p2']
