"""Declarative API flows (tests/functional/gabbits_stack/*.yaml) against the whole stack.

``StackFixture`` starts novalite-all's services in this process (conductor,
scheduler, 4 fake computes, a fresh SQLite database, a private in-process
broker) and the YAML requests go to its WSGI app through gabbi's intercept.
"""

import os
import shutil
import sys
import tempfile
import unittest

import pytest
from gabbi import driver
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


CASES = [(suite, case) for suite in driver.build_tests(
    GABBITS, unittest.TestLoader(), intercept=lambda: _wsgi,
    fixture_module=sys.modules[__name__], test_loader_name='gabbi_stack')
    for case in suite]


@pytest.fixture(scope='module')
def enter_suite():
    current = {}

    def enter(suite):
        if current.get('suite') is not suite:
            if current:
                current.pop('suite').stop()
            suite.start(unittest.TestResult())
            current['suite'] = suite
    yield enter
    if current:
        current['suite'].stop()


@pytest.mark.parametrize('suite, case', CASES, ids=[c.__class__.__name__ for _, c in CASES])
def test_stack_gabbit(enter_suite, suite, case):
    enter_suite(suite)
    result = unittest.TestResult()
    case.run(result)
    problems = result.errors + result.failures
    if problems:
        pytest.fail('\n'.join(text for _, text in problems), pytrace=False)
