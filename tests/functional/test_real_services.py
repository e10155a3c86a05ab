"""The boot flow over RabbitMQ with MariaDB and with PostgreSQL (the local services).

Under CI=true a missing service fails these tests; elsewhere they skip.
"""

import pytest
import sqlalchemy as sa

import nltest
from novalite.compute import states
from novalite.db import api as db_api
from novalite.db import migration

pytestmark = pytest.mark.realservices


@pytest.fixture(params=['mariadb', 'postgresql'])
def database_url(request):
    return request.getfixturevalue('mysql_url' if request.param == 'mariadb' else 'pg_url')


def test_db_sync_creates_and_is_idempotent(database_url):
    db = db_api.Database(url=database_url)
    try:
        assert migration.db_version(db.engine) is None
        migration.db_sync(db.engine)
        head = migration.db_version(db.engine)
        assert head is not None
        migration.db_sync(db.engine)  # a second sync is a no-op
        assert migration.db_version(db.engine) == head
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {'instances', 'services', 'compute_nodes', 'flavors', 'images', 'key_pairs',
                'instance_faults', 'quotas', 'alembic_version'} <= tables
    finally:
        db.dispose()


def test_boot_flow_over_rabbitmq(tmp_path, rabbit_url, database_url):
    conf = nltest.make_conf(tmp_path, transport_url=rabbit_url,
                            database__connection=database_url)
    cloud = nltest.Cloud(conf, hosts=('compute1', 'compute2', 'compute3')).start()
    try:
        instances = cloud.boot(count=3)
        active = [cloud.wait_state(i.uuid, states.ACTIVE, timeout=30) for i in instances]
        assert len({i.host for i in active}) == 3
        cloud.api.stop(cloud.ctx, active[0])
        cloud.wait_state(active[0].uuid, states.STOPPED, timeout=30)
        cloud.api.update_metadata(cloud.ctx, cloud.api.get(cloud.ctx, active[1].uuid),
                                  {'role': 'db'})
        assert cloud.api.get(cloud.ctx, active[1].uuid).metadata == {'role': 'db'}
        for instance in active:
            cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
        for instance in active:
            cloud.wait_deleted(instance.uuid, timeout=30)
        assert cloud.api.get_all(cloud.ctx, {}) == []
    finally:
        cloud.stop()
