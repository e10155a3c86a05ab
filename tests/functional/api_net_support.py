"""Fixtures of the networking API tests (test_api_net_*): the real falcon app over HTTP
(falcon's test client), a real SQLite database, the real compute, network and security
group APIs; RPC clients only record what would be sent (no services run)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, 'unit', 'api'))

from api_fixtures import IMAGE, ApiClient, RecordingRPC, make_conf, seed  # noqa: E402
from novalite.api import app as api_app  # noqa: E402
from novalite.compute import api as compute_api_mod  # noqa: E402
from novalite.db import api as db_api  # noqa: E402
from novalite.db import migration  # noqa: E402
from novalite.network import api as network_api_mod  # noqa: E402

__all__ = ['IMAGE', 'ApiClient', 'RecordingRPC', 'Stack', 'boot']


class Stack:
    """What one API test works with."""

    def __init__(self, tmp_path, **overrides):
        self.conf = make_conf(tmp_path, overrides={(None, 'network_executor'): 'dry-run',
                                                   **(overrides or {})})
        self.db = db_api.Database(url=self.conf.database.connection)
        migration.db_sync(self.db.engine)
        seed(self.db)
        self.rpc = RecordingRPC()            # conductor and compute
        self.network_rpc = RecordingRPC()    # the network service
        self.compute_api = compute_api_mod.API(self.conf, self.db, self.rpc, self.rpc)
        self.network_api = network_api_mod.API(self.conf, self.db, self.network_rpc, self.rpc)
        self.compute_api._network_api = self.network_api
        self.app = api_app.create_app(self.conf, compute_api=self.compute_api, db=self.db)
        self.api = ApiClient(self.app)

    def close(self):
        self.db.dispose()


def boot(api, name='vm', user='demo:demo', version='2.1', **extra):
    """POST a server (networks 'none' where the version needs them) and return its id."""
    server = {'name': name, 'imageRef': IMAGE, 'flavorRef': '1'}
    if tuple(map(int, version.split('.'))) >= (2, 37):
        server.setdefault('networks', 'none')
    server.update(extra)
    resp = api.post('/v2.1/servers', {'server': server}, user=user, version=version)
    assert resp.status_code == 202, resp.text
    return resp.json['server']['id']
