"""Fixtures for the API tests: a real SQLite database, the real compute API with RPC stubbed."""

import pytest

from api_fixtures import IMAGE, ApiClient, RecordingRPC, make_conf, seed
from novalite.api import app as api_app
from novalite.compute import api as compute_api_mod
from novalite.db import api as db_api
from novalite.db import migration


@pytest.fixture
def conf(tmp_path):
    return make_conf(tmp_path)


@pytest.fixture
def db(conf):
    database = db_api.Database(url=conf.database.connection)
    migration.db_sync(database.engine)
    seed(database)
    yield database
    database.dispose()


@pytest.fixture
def rpc():
    return RecordingRPC()


@pytest.fixture
def compute_api(conf, db, rpc):
    return compute_api_mod.API(conf, db, rpc, rpc)


@pytest.fixture
def app(conf, db, compute_api):
    return api_app.create_app(conf, compute_api=compute_api, db=db)


@pytest.fixture
def api(app):
    return ApiClient(app)



@pytest.fixture
def make_server(api):
    """POST a server and return its id (networks 'none' so any version accepts it)."""
    def make(name='vm', user='demo:demo', version='2.96', **extra):
        server = {'name': name, 'imageRef': IMAGE, 'flavorRef': '1'}
        if version is None or tuple(map(int, version.split('.'))) >= (2, 37):
            server['networks'] = 'none'
        server.update(extra)
        resp = api.post('/v2.1/servers', {'server': server}, user=user, version=version)
        assert resp.status_code == 202, resp.text
        return resp.json['server']['id']
    return make
