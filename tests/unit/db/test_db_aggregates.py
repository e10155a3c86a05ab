"""Aggregate queries: create/get/update/delete, hosts, metadata, the scheduler's map and signature."""

import pytest

from novalite import exception
from novalite.db import api as db_api
from novalite.db import migration


@pytest.fixture
def db(tmp_path):
    database = db_api.Database(url='sqlite:///%s' % (tmp_path / 'agg.sqlite'))
    migration.db_sync(database.engine)
    yield database
    database.dispose()


def test_create_with_zone_stores_it_as_metadata(db):
    agg = db.aggregate_create('agg1', availability_zone='az1')
    assert agg.id and agg.uuid and agg.name == 'agg1'
    assert agg.metadata == {'availability_zone': 'az1'} and agg.availability_zone == 'az1'
    assert agg.hosts == [] and agg.deleted is False and agg.created_at is not None
    plain = db.aggregate_create('agg2')
    assert plain.metadata == {} and plain.availability_zone is None
    assert db.aggregate_get(agg.id) == agg
    assert db.aggregate_get(agg.uuid) == agg
    assert db.aggregate_get(str(agg.id)) == agg
    assert [a.name for a in db.aggregate_get_all()] == ['agg1', 'agg2']


def test_names_are_unique_among_live_aggregates(db):
    agg = db.aggregate_create('agg1')
    with pytest.raises(exception.Conflict, match='Aggregate agg1 already exists.'):
        db.aggregate_create('agg1')
    other = db.aggregate_create('agg2')
    with pytest.raises(exception.Conflict):
        db.aggregate_update(other.id, {'name': 'agg1'})
    # renaming to its own name is no conflict
    assert db.aggregate_update(agg.id, {'name': 'agg1'}).name == 'agg1'
    db.aggregate_delete(agg.id)
    assert db.aggregate_create('agg1').name == 'agg1'   # a deleted one frees its name


def test_get_unknown(db):
    for missing in (42, '42', 'no-such-uuid'):
        with pytest.raises(exception.NotFound, match='Aggregate %s could not be found.'
                           % missing):
            db.aggregate_get(missing)


def test_update_name_and_zone(db):
    agg = db.aggregate_create('agg1', availability_zone='az1')
    updated = db.aggregate_update(agg.id, {'name': 'renamed', 'availability_zone': 'az2'})
    assert (updated.name, updated.availability_zone) == ('renamed', 'az2')
    assert updated.updated_at is not None
    cleared = db.aggregate_update(agg.id, {'availability_zone': None})
    assert cleared.metadata == {}


def test_hosts(db):
    agg = db.aggregate_create('agg1')
    assert db.aggregate_host_add(agg.id, 'h1').hosts == ['h1']
    assert db.aggregate_host_add(agg.id, 'h2').hosts == ['h1', 'h2']
    with pytest.raises(exception.Conflict, match='Aggregate %d already has host h1.' % agg.id):
        db.aggregate_host_add(agg.id, 'h1')
    assert db.aggregate_host_delete(agg.id, 'h1').hosts == ['h2']
    with pytest.raises(exception.NotFound, match='Aggregate %d has no host h1.' % agg.id):
        db.aggregate_host_delete(agg.id, 'h1')
    with pytest.raises(exception.NotFound):
        db.aggregate_host_add(999, 'h1')


def test_metadata_set_and_delete_keys(db):
    agg = db.aggregate_create('agg1', availability_zone='az1')
    agg = db.aggregate_metadata_update(agg.id, {'ssd': 'true', 'tier': 'gold'})
    assert agg.metadata == {'availability_zone': 'az1', 'ssd': 'true', 'tier': 'gold'}
    agg = db.aggregate_metadata_update(agg.id, {'ssd': 'false', 'tier': None, 'absent': None})
    assert agg.metadata == {'availability_zone': 'az1', 'ssd': 'false'}


def test_delete_is_soft_and_drops_hosts_and_metadata(db):
    agg = db.aggregate_create('agg1', availability_zone='az1')
    db.aggregate_host_add(agg.id, 'h1')
    db.aggregate_delete(agg.id)
    with pytest.raises(exception.NotFound):
        db.aggregate_get(agg.id)
    with pytest.raises(exception.NotFound):
        db.aggregate_delete(agg.id)
    assert db.aggregate_get_all() == []
    assert db.aggregates_by_host() == {}
    import sqlalchemy as sa

    from novalite.db import aggregates as db_aggregates
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(db_aggregates.T_AGGREGATES)).one()
        assert row.deleted and row.deleted_at is not None
        assert conn.execute(sa.select(sa.func.count()).select_from(
            db_aggregates.T_AGG_HOSTS)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(
            db_aggregates.T_AGG_METADATA)).scalar_one() == 0


def test_by_host_and_zones(db):
    a = db.aggregate_create('a', availability_zone='az1')
    b = db.aggregate_create('b')
    db.aggregate_metadata_update(b.id, {'ssd': 'true'})
    db.aggregate_host_add(a.id, 'h1')
    db.aggregate_host_add(b.id, 'h1')
    db.aggregate_host_add(b.id, 'h2')
    by_host = db.aggregates_by_host()
    assert set(by_host) == {'h1', 'h2'}
    assert [x['name'] for x in by_host['h1']] == ['a', 'b']
    assert by_host['h1'][0] == {'id': a.id, 'uuid': a.uuid, 'name': 'a',
                                'metadata': {'availability_zone': 'az1'}}
    assert by_host['h2'] == [{'id': b.id, 'uuid': b.uuid, 'name': 'b',
                              'metadata': {'ssd': 'true'}}]
    assert db.aggregate_host_zones() == {'h1': ['az1']}
    assert [x.name for x in db.aggregate_get_by_host('h1')] == ['a', 'b']
    assert [x.name for x in db.aggregate_get_by_host('h1', key='availability_zone')] == ['a']
    assert db.aggregate_get_by_host('h3') == []


def test_signature_moves_on_every_change(db):
    seen = [db.aggregates_signature()]

    def changed():
        signature = db.aggregates_signature()
        assert signature not in seen
        seen.append(signature)

    assert db.aggregates_signature() == seen[0]        # stable while nothing changes
    agg = db.aggregate_create('agg1')
    changed()
    db.aggregate_host_add(agg.id, 'h1')
    changed()
    db.aggregate_metadata_update(agg.id, {'k': 'v'})
    changed()
    db.aggregate_metadata_update(agg.id, {'k': 'w'})   # in place: same counts and ids
    changed()
    db.aggregate_host_delete(agg.id, 'h1')
    changed()
    db.aggregate_host_add(agg.id, 'h2')                 # back to the same count
    changed()
    db.aggregate_update(agg.id, {'name': 'renamed'})
    changed()
    db.aggregate_host_delete(agg.id, 'h2')
    db.aggregate_delete(agg.id)
    changed()
    assert db.aggregates_signature() == seen[-1]
