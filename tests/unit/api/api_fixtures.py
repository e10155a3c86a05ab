"""Helpers of the API tests (imported by name; conftest.py holds the fixtures)."""

import datetime

import falcon.testing

from novalite import conf as nl_conf
from novalite.db import api as db_api
from novalite.db.models import utcnow


class RecordingRPC:
    """Stands in for the conductor and compute RPC clients: records every call."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)

        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
        return record

    def names(self):
        return [c[0] for c in self.calls]


class ApiClient:
    """falcon's TestClient with a noauth2 token and a microversion per call."""

    def __init__(self, app):
        self.client = falcon.testing.TestClient(app)

    def request(self, method, path, user='admin:admin', version=None, body=None,
                headers=None, **kwargs):
        hdrs = dict(headers or {})
        if user is not None:
            hdrs['X-Auth-Token'] = user
        if version is not None:
            hdrs['OpenStack-API-Version'] = 'compute %s' % version
        if body is not None:
            kwargs['json'] = body
        return self.client.simulate_request(method, path, headers=hdrs, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


def make_conf(tmp_path, overrides=None, config_files=()):
    url = 'sqlite:///%s' % (tmp_path / 'api.sqlite')
    values = {('database', 'connection'): url, (None, 'state_path'): str(tmp_path)}
    values.update(overrides or {})
    return nl_conf.make_conf([], default_config_files=list(config_files), overrides=values)


def seed(db):
    """Two public flavors, a private one, two images, two computes and a scheduler."""
    db.flavor_create(dict(flavorid='1', name='m1.tiny', memory_mb=512, vcpus=1, root_gb=1))
    db.flavor_create(dict(flavorid='2', name='m1.small', memory_mb=2048, vcpus=1, root_gb=20,
                          extra_specs={'hw:cpu_policy': 'shared'}))
    db.flavor_create(dict(flavorid='42', name='private', memory_mb=1024, vcpus=2, root_gb=10,
                          is_public=False))
    db.image_create(dict(id='155d900f-4e14-4e4c-a73d-069cbf4541e6', name='cirros',
                         status='active', size=13287936, min_disk=0, min_ram=0,
                         properties={'os_distro': 'cirros'}))
    db.image_create(dict(id='70a599e0-31e7-49b7-b260-868f441e862b', name='secret',
                         status='active', visibility='private', owner='other'))
    for host in ('compute1', 'compute2'):
        db.service_get_or_create(host, 'novalite-compute', 'compute')
        db.compute_node_update(host, host, dict(
            vcpus=8, memory_mb=16384, local_gb=100, vcpus_used=1, memory_mb_used=1024,
            local_gb_used=1, free_ram_mb=15360, free_disk_gb=99, running_vms=1,
            cpu_info='{"arch": "x86_64"}', host_ip='192.0.2.1'))
    db.service_get_or_create('ctl', 'novalite-scheduler', 'scheduler')


def age_service(db, host, binary, seconds=3600):
    """Make a service look as if it stopped heartbeating ``seconds`` ago."""
    import sqlalchemy as sa
    past = utcnow() - datetime.timedelta(seconds=seconds)
    with db.engine.begin() as conn:
        conn.execute(db_api.T_SERVICES.update().where(
            sa.and_(db_api.T_SERVICES.c.host == host, db_api.T_SERVICES.c.binary == binary)
        ).values(updated_at=past, last_seen_up=past))


IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
