"""Run the declarative API tests in tests/functional/gabbits/ against ``create_app``.

Each YAML file names the ``APIFixture`` below: a fresh SQLite database with the
seed data of ``conftest.seed`` (flavors 1, 2 and private 42; the public image
``cirros``; computes compute1/compute2 and a scheduler on ctl) and the real
compute API with its RPC clients stubbed, served in-process (no sockets).

gabbi's own pytest plugin is not used: it claims every collected test whose id
contains a ':' anywhere in the tree.  Here each YAML test is one parametrized
pytest test; a YAML file's fixture starts with its first test and stops when the
next file begins (or the module ends).
"""

import os
import pathlib
import shutil
import sys
import tempfile

import pytest
from gabbi import fixture

import nltest
from api_fixtures import RecordingRPC, make_conf, seed
from novalite.api import app as api_app
from novalite.compute import api as compute_api_mod
from novalite.db import api as db_api
from novalite.db import migration

GABBITS = os.path.join(os.path.dirname(__file__), '..', '..', 'functional', 'gabbits')

_APP = {}


class APIFixture(fixture.GabbiFixture):
    """A seeded database and an app for one YAML file."""

    def start_fixture(self):
        self.tmp = tempfile.mkdtemp(prefix='novalite-gabbi-')
        conf = make_conf(pathlib.Path(self.tmp))
        self.db = db_api.Database(url=conf.database.connection)
        migration.db_sync(self.db.engine)
        seed(self.db)
        rpc = RecordingRPC()
        compute_api = compute_api_mod.API(conf, self.db, rpc, rpc)
        _APP['app'] = api_app.create_app(conf, compute_api=compute_api, db=self.db)

    def stop_fixture(self):
        _APP.clear()
        self.db.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _wsgi(environ, start_response):
    # looked up per request: the fixture builds the app after the tests are collected
    return _APP['app'](environ, start_response)


RUNNER = nltest.GabbiRunner(GABBITS, lambda: _wsgi, sys.modules[__name__], 'gabbi')


@pytest.fixture(scope='module', autouse=True)
def _close_fixtures():
    yield
    RUNNER.close()


@pytest.mark.parametrize('suite, case', RUNNER.cases, ids=RUNNER.ids)
def test_gabbit(suite, case):
    RUNNER.run(suite, case)
