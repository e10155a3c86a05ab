"""Security group queries: groups, rules, server associations, the firewall's rule view."""

import uuid as uuidlib

import pytest
import sqlalchemy as sa

from novalite import exception
from novalite import objects
from novalite.db import api as db_api
from novalite.db import migration
from novalite.db import models


@pytest.fixture
def db(tmp_path):
    database = db_api.Database(url='sqlite:///%s' % (tmp_path / 'sg.sqlite'))
    migration.db_sync(database.engine)
    yield database
    database.dispose()


def _server(db, project='p1', host='compute1'):
    [inst] = db.instances_create([objects.Instance(
        uuid=str(uuidlib.uuid4()), project_id=project, user_id='u1', display_name='vm',
        vm_state='active', host=host, flavor={'vcpus': 1, 'memory_mb': 512}, metadata={})])
    return inst.uuid


def _fixed_ip(db, instance_uuid, address):
    with db.engine.begin() as conn:
        net = conn.execute(sa.select(models.Network.__table__.c.id)).scalar()
        if net is None:
            net = conn.execute(models.Network.__table__.insert().values(
                uuid='11111111-2222-3333-4444-555555555555', label='private',
                cidr='10.0.0.0/24', deleted=False)).inserted_primary_key[0]
        conn.execute(models.FixedIp.__table__.insert().values(
            address=address, network_id=net, instance_uuid=instance_uuid, allocated=True))


def test_create_get_list_update_destroy(db):
    web = db.security_group_create('p1', 'u1', 'web', 'web servers')
    assert web == {'id': web['id'], 'name': 'web', 'description': 'web servers',
                   'project_id': 'p1', 'user_id': 'u1', 'rules': []}
    assert db.security_group_get(web['id']) == web
    assert db.security_group_get(str(web['id']), project_id='p1') == web
    with pytest.raises(exception.SecurityGroupNotFound):
        db.security_group_get(web['id'], project_id='p2')
    with pytest.raises(exception.SecurityGroupNotFound):
        db.security_group_get('abc')
    assert db.security_group_get_by_name('p1', 'web')['id'] == web['id']
    db.security_group_create('p2', 'u2', 'web', '')
    assert [(g['project_id'], g['name']) for g in db.security_group_get_all()] == \
        [('p1', 'web'), ('p2', 'web')]
    assert [g['name'] for g in db.security_group_get_all('p1')] == ['web']
    assert db.security_group_count_by_project('p1') == 1
    updated = db.security_group_update(web['id'], 'www', 'renamed')
    assert (updated['name'], updated['description']) == ('www', 'renamed')
    db.security_group_destroy(web['id'])
    with pytest.raises(exception.SecurityGroupNotFound):
        db.security_group_destroy(web['id'])
    assert db.security_group_count_by_project('p1') == 0


def test_names_are_unique_per_project(db):
    db.security_group_create('p1', 'u1', 'web')
    with pytest.raises(exception.SecurityGroupExists):
        db.security_group_create('p1', 'u1', 'web')
    other = db.security_group_create('p1', 'u1', 'db')
    with pytest.raises(exception.SecurityGroupExists):
        db.security_group_update(other['id'], 'web', '')


def test_ensure_default_creates_once(db):
    first = db.security_group_ensure_default('p1', 'u1')
    assert (first['name'], first['description'], first['rules']) == ('default', 'default', [])
    assert db.security_group_ensure_default('p1', 'u1')['id'] == first['id']
    assert db.security_group_count_by_project('p1') == 1


def test_rules_duplicates_counts_and_source_groups(db):
    web = db.security_group_create('p1', 'u1', 'web')
    admins = db.security_group_create('p1', 'u1', 'admins')
    ssh = db.security_group_rule_create(dict(parent_group_id=web['id'], protocol='tcp',
                                             from_port=22, to_port=22, cidr='10.0.0.0/8'))
    assert ssh['grantee'] is None and ssh['cidr'] == '10.0.0.0/8'
    with pytest.raises(exception.SecurityGroupRuleExists):
        db.security_group_rule_create(dict(parent_group_id=web['id'], protocol='tcp',
                                           from_port=22, to_port=22, cidr='10.0.0.0/8'))
    from_admins = db.security_group_rule_create(dict(parent_group_id=web['id'],
                                                     group_id=admins['id']))
    assert from_admins['grantee'] == {'name': 'admins', 'project_id': 'p1'}
    assert db.security_group_rule_count_by_group(web['id']) == 2
    assert [r['id'] for r in db.security_group_get(web['id'])['rules']] == \
        [ssh['id'], from_admins['id']]
    assert db.security_group_ids_granting(admins['id']) == [web['id']]
    with pytest.raises(exception.SecurityGroupNotFound):
        db.security_group_rule_create(dict(parent_group_id=9999, protocol='tcp',
                                           from_port=1, to_port=2, cidr='0.0.0.0/0'))
    # deleting the source group takes the rules naming it along
    db.security_group_destroy(admins['id'])
    assert [r['id'] for r in db.security_group_rule_get_by_group(web['id'])] == [ssh['id']]
    db.security_group_rule_destroy(ssh['id'])
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        db.security_group_rule_get(ssh['id'])
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        db.security_group_rule_destroy(ssh['id'])


def test_instance_associations_in_use_and_names(db):
    web = db.security_group_create('p1', 'u1', 'web')
    default = db.security_group_ensure_default('p1', 'u1')
    a, b = _server(db), _server(db, host=None)
    assert db.instance_add_security_group(a, web['id']) is True
    assert db.instance_add_security_group(a, web['id']) is False
    db.instance_add_security_group(a, default['id'])
    db.instance_add_security_group(b, web['id'])
    assert db.security_group_in_use(web['id'])
    assert [g['name'] for g in db.security_group_get_by_instance(a)] == ['default', 'web']
    assert db.security_group_names_by_instances([a, b, 'unknown']) == {
        a: ['default', 'web'], b: ['web'], 'unknown': []}
    assert db.security_group_instance_uuids([web['id']]) == sorted([a, b])
    assert db.instance_remove_security_group(b, web['id']) is True
    assert db.instance_remove_security_group(b, web['id']) is False
    db.instance_destroy(a)
    # a deleted server no longer holds the group
    assert not db.security_group_in_use(web['id'])
    assert db.security_group_instance_uuids([web['id']]) == []


def test_rules_for_instance_resolve_source_group_members(db):
    web = db.security_group_create('p1', 'u1', 'web')
    admins = db.security_group_create('p1', 'u1', 'admins')
    db.security_group_rule_create(dict(parent_group_id=web['id'], protocol='tcp',
                                       from_port=80, to_port=80, cidr='0.0.0.0/0'))
    db.security_group_rule_create(dict(parent_group_id=web['id'], protocol='tcp',
                                       from_port=22, to_port=22, group_id=admins['id']))
    server, admin1, admin2 = _server(db), _server(db), _server(db)
    db.instance_add_security_group(server, web['id'])
    for uuid, address in ((admin1, '10.0.0.5'), (admin2, '10.0.0.6'), (server, '10.0.0.4')):
        _fixed_ip(db, uuid, address)
    db.instance_add_security_group(admin1, admins['id'])
    db.instance_add_security_group(admin2, admins['id'])
    rules = db.security_group_rules_for_instance(server)
    assert [(r['protocol'], r['from_port'], r['cidr'], r['source_ips']) for r in rules] == [
        ('tcp', 80, '0.0.0.0/0', []), ('tcp', 22, None, ['10.0.0.5', '10.0.0.6'])]
    db.instance_destroy(admin2)
    assert db.security_group_rules_for_instance(server)[1]['source_ips'] == ['10.0.0.5']
    assert db.security_group_rules_for_instance(admin1) == []
