"""Declarative API flows (tests/functional/gabbits_stack/*.yaml) against the whole stack.

``StackFixture`` starts novalite-all's services in this process (conductor,
scheduler, 4 fake computes, a fresh SQLite database, a private in-process
broker) and the YAML requests go to its WSGI app through gabbi's intercept.
"""

import os
import shutil
import sys
import tempfile

import pytest
from gabbi import fixture

import nltest
from novalite.cmd.all import AllInOne

GABBITS = os.path.join(os.path.dirname(__file__), 'gabbits_stack')
_APP = {}


class StackFixture(fixture.GabbiFixture):
    """novalite-all without its HTTP listener; the app is served by intercept."""

    def start_fixture(self):
        self.tmp = tempfile.mkdtemp(prefix='novalite-stack-')
        conf = nltest.make_conf(self.tmp)
        self.deployment = AllInOne(conf, fake_computes=4, serve_api=False)
        self.deployment.start()
        from novalite.api import app as api_app
        _APP['app'] = api_app.create_app(conf, db=self.deployment.db)

    def stop_fixture(self):
        _APP.clear()
        self.deployment.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _wsgi(environ, start_response):
    return _APP['app'](environ, start_response)


RUNNER = nltest.GabbiRunner(GABBITS, lambda: _wsgi, sys.modules[__name__], 'gabbi_stack')


@pytest.fixture(scope='module', autouse=True)
def _close_fixtures():
    yield
    RUNNER.close()


@pytest.mark.parametrize('suite, case', RUNNER.cases, ids=RUNNER.ids)
def test_stack_gabbit(suite, case):
    RUNNER.run(suite, case)
