"""Server groups in the database: groups, members (deleted servers leave), quotas."""

import uuid

import pytest

from novalite import exception
from novalite import objects
from novalite.db import api as db_api
from novalite.db import migration

FLAVOR = {'flavorid': '1', 'name': 'm1.tiny', 'memory_mb': 512, 'vcpus': 1, 'root_gb': 1}


@pytest.fixture
def db(tmp_path):
    database = db_api.Database(url='sqlite:///%s' % (tmp_path / 'groups.sqlite'))
    migration.db_sync(database.engine)
    yield database
    database.dispose()


def _group(db, name='g', project_id='p1', policy='anti-affinity', rules=None, **kwargs):
    return db.instance_group_create(dict(name=name, user_id='u1', project_id=project_id,
                                         policy=policy, rules=rules or {}), **kwargs)


def _instances(n, project_id='p1', host=None):
    return [objects.Instance(uuid=str(uuid.uuid4()), display_name='vm%d' % i, user_id='u1',
                             project_id=project_id, flavor=dict(FLAVOR), host=host,
                             reservation_id='r-1')
            for i in range(n)]


def test_create_get_and_project_scope(db):
    group = _group(db, rules={'max_server_per_host': 2})
    assert isinstance(group, objects.InstanceGroup)
    assert (group.name, group.policy, group.rules, group.members) == \
        ('g', 'anti-affinity', {'max_server_per_host': 2}, [])
    assert db.instance_group_get(group.uuid).uuid == group.uuid
    assert db.instance_group_get(group.uuid, project_id='p1').name == 'g'
    with pytest.raises(exception.NotFound, match='Instance group %s' % group.uuid):
        db.instance_group_get(group.uuid, project_id='p2')


def test_get_all_by_project_and_paging(db):
    uuids = [_group(db, name='g%d' % i).uuid for i in range(3)]
    other = _group(db, name='other', project_id='p2')
    assert [g.uuid for g in db.instance_group_get_all('p1')] == uuids
    assert [g.uuid for g in db.instance_group_get_all()] == uuids + [other.uuid]
    assert [g.uuid for g in db.instance_group_get_all('p1', limit=1, offset=1)] == [uuids[1]]
    assert db.instance_group_count('p1') == 3 and db.instance_group_count('p2') == 1


def test_group_quota_is_checked_in_the_insert(db):
    _group(db, max_groups=1)
    with pytest.raises(exception.QuotaExceeded, match='too many server groups'):
        _group(db, name='second', max_groups=1)
    assert db.instance_group_count('p1') == 1


def test_instances_created_with_membership_and_hosts(db):
    group = _group(db)
    first = _instances(2)
    db.instances_create(first, group.uuid, max_members=3)
    db.instance_update(first[0].uuid, {'host': 'compute1'})
    assert db.instance_group_members(group.uuid) == {first[0].uuid: 'compute1',
                                                     first[1].uuid: None}
    assert db.instance_group_get(group.uuid).members == [i.uuid for i in first]
    assert db.instance_group_get_by_instance(first[1].uuid).uuid == group.uuid
    # over the member quota: neither the servers nor their membership are written
    extra = _instances(2)
    with pytest.raises(exception.QuotaExceeded, match='too many servers in group'):
        db.instances_create(extra, group.uuid, max_members=3)
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get(extra[0].uuid)
    assert db.instance_group_member_count(group.uuid) == 2


def test_unknown_group_creates_nothing(db):
    extra = _instances(1)
    with pytest.raises(exception.NotFound):
        db.instances_create(extra, str(uuid.uuid4()))
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get(extra[0].uuid)


def test_deleted_servers_leave_the_group(db):
    group = _group(db)
    servers = _instances(2)
    db.instances_create(servers, group.uuid, max_members=2)
    db.instance_destroy(servers[0].uuid)
    assert list(db.instance_group_members(group.uuid)) == [servers[1].uuid]
    assert db.instance_group_get(group.uuid).members == [servers[1].uuid]
    # the slot is free again
    again = _instances(1)
    db.instances_create(again, group.uuid, max_members=2)
    assert db.instance_group_member_count(group.uuid) == 2


def test_add_members_and_delete(db):
    group = _group(db)
    servers = _instances(2)
    db.instances_create(servers)
    db.instance_group_add_members(group.uuid, [s.uuid for s in servers])
    db.instance_group_add_members(group.uuid, [servers[0].uuid])  # already in: no-op
    assert db.instance_group_member_count(group.uuid) == 2
    with pytest.raises(exception.NotFound):
        db.instance_group_delete(group.uuid, project_id='p2')
    db.instance_group_delete(group.uuid)
    with pytest.raises(exception.NotFound):
        db.instance_group_get(group.uuid)
    with pytest.raises(exception.NotFound):
        db.instance_group_get_by_instance(servers[0].uuid)
    with pytest.raises(exception.NotFound):
        db.instance_group_delete(group.uuid)
