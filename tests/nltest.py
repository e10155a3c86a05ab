"""Test support shared by every tier: configs, real-service checks, temp databases, in-process clouds.

Tests that need RabbitMQ, MariaDB or PostgreSQL call ``require_service``: it
skips with a one-line reason on a developer machine without the service and
fails under ``CI=true``, where a missing service is a broken environment.
"""

import os
import socket
import time
import uuid

import pytest

from novalite import bootstrap
from novalite import conf as nl_conf
from novalite import context as nl_context
from novalite import plugin
from novalite import rpc
from novalite import service
from novalite.cmd import compute as compute_cmd
from novalite.cmd import conductor as conductor_cmd
from novalite.cmd import network as network_cmd
from novalite.cmd import scheduler as scheduler_cmd
from novalite.compute import api as compute_api
from novalite.db import api as db_api
from novalite.db import migration

RABBIT_URL = os.environ.get('NOVALITE_TEST_RABBIT_URL', 'rabbit://guest:guest@127.0.0.1:5672/')
MYSQL_ADMIN_URL = os.environ.get('NOVALITE_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306/test')
PG_ADMIN_URL = os.environ.get('NOVALITE_TEST_PG_URL',
                              'postgresql+psycopg://postgres@127.0.0.1:5432/postgres')

_PORTS = {'rabbitmq': ('127.0.0.1', 5672), 'mariadb': ('127.0.0.1', 3306),
          'postgresql': ('127.0.0.1', 5432)}


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def in_ci():
    return os.environ.get('CI', '').lower() == 'true'


def missing(message, what='service'):
    """Skip with ``message``; under CI=true fail instead (a broken environment)."""
    if in_ci():
        pytest.fail('%s (CI=true: a missing %s is a failure)' % (message, what))
    pytest.skip(message)


def require_service(name):
    """Skip (or, under CI=true, fail) unless ``name`` answers on its local port."""
    host, port = _PORTS[name]
    if not _answers(host, port):
        missing('%s is not answering on %s:%d' % (name, host, port))


def wait_for(predicate, timeout=15.0, what='condition', interval=0.005):
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(interval)


def fake_driver(tmp_path, name, **opts):
    """A fake driver with its own ``[fake_driver]`` options (each host can differ)."""
    from novalite_plugins.virt.fake import driver as fake_driver_mod
    conf = make_conf(tmp_path / name)
    fake_driver_mod.FakeDriver.register_opts(conf)
    for key, value in opts.items():
        conf.set_override(key, value, group='fake_driver')
    return fake_driver_mod.FakeDriver(conf)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def make_conf(state_path, **overrides):
    """A parsed ConfigOpts on ``state_path``; overrides as ``group__name=value`` or ``name=value``."""
    # Each test gets its own in-process broker, so no message outlives its test.
    values = {(None, 'state_path'): str(state_path),
              (None, 'transport_url'): 'inproc:///test-%s' % uuid.uuid4().hex[:12],
              (None, 'network_executor'): 'dry-run'}
    for key, value in overrides.items():
        group, _, name = key.rpartition('__')
        values[(group or None, name)] = value
    return nl_conf.make_conf([], overrides=values)




class TempDatabase:
    """A fresh database on a real server, dropped afterwards."""

    def __init__(self, admin_url):
        import sqlalchemy as sa
        self.sa = sa
        self.admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
        self.name = 'novalite_test_%s' % uuid.uuid4().hex[:10]
        with self.admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % self.name))
        self.url = '%s/%s' % (admin_url.rsplit('/', 1)[0], self.name)
        if self.url.startswith('mysql'):
            self.url += '?charset=utf8mb4'

    def drop(self):
        with self.admin.connect() as conn:
            if self.url.startswith('postgresql'):
                conn.execute(self.sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = '%s' AND pid <> pg_backend_pid()" % self.name))
            conn.execute(self.sa.text('DROP DATABASE %s' % self.name))
        self.admin.dispose()


class Cloud:
    """Conductor + scheduler + computes (optionally with their own drivers) in this process.

    ``drivers`` maps a host name to a driver instance; hosts not in it get the
    configured driver.  ``api`` is the compute API a REST request would use.
    """

    def __init__(self, conf, hosts=('compute1', 'compute2', 'compute3', 'compute4'),
                 drivers=None):
        self.conf = conf
        self.db = db_api.Database(conf)
        migration.db_sync(self.db.engine)
        bootstrap.ensure_defaults(self.db)
        self.drivers = {}
        self.services = [conductor_cmd.build(conf, self.db),
                         scheduler_cmd.build(conf, self.db),
                         network_cmd.build(conf, self.db)]
        for host in hosts:
            driver = (drivers or {}).get(host) or plugin.load(
                plugin.VIRT_DRIVERS, conf.compute_driver, conf)
            self.drivers[host] = driver
            self.services.append(compute_cmd.build(conf, host=host, driver=driver))
        self.api = compute_api.build(conf, self.db)
        self.ctx = nl_context.RequestContext(user_id='alice', project_id='project-a')
        self.admin = nl_context.RequestContext(user_id='admin', project_id='admin',
                                               is_admin=True, roles=['admin'])

    def start(self):
        for svc in self.services:
            svc.start()
        return self

    def stop(self):
        service.stop_all(self.services)
        rpc.cleanup()
        self.db.dispose()

    def boot(self, count=1, flavor_id='1', name='vm', ctx=None, **kwargs):
        instances, _ = self.api.create(ctx or self.ctx, flavor_id=flavor_id,
                                       image_ref=bootstrap.DEFAULT_IMAGE_ID, name=name,
                                       min_count=count, max_count=count, **kwargs)
        return instances

    def wait(self, uuid, predicate, timeout=15.0, what='condition'):
        deadline = time.monotonic() + timeout
        while True:
            instance = self.db.instance_get(uuid, read_deleted=True)
            if predicate(instance):
                return instance
            if time.monotonic() > deadline:
                raise AssertionError('%s: timed out waiting for %s; last vm_state=%s '
                                     'task_state=%s host=%s' % (uuid, what, instance.vm_state,
                                                                instance.task_state,
                                                                instance.host))
            time.sleep(0.005)

    def wait_state(self, uuid, vm_state, timeout=15.0):
        return self.wait(uuid, lambda i: i.vm_state == vm_state and i.task_state is None,
                         timeout, 'vm_state=%s' % vm_state)

    def wait_deleted(self, uuid, timeout=15.0):
        return self.wait(uuid, lambda i: i.deleted, timeout, 'deletion')


def default_image_id():
    from novalite import bootstrap as nl_bootstrap
    return nl_bootstrap.DEFAULT_IMAGE_ID


class GabbiRunner:
    """Runs gabbi YAML files as parametrized pytest tests (gabbi's own pytest plugin is
    not used: it claims every test id containing ':' anywhere in the tree).

    ``cases`` are (suite, case) pairs, one per YAML test; ``run(suite, case)`` starts a
    file's fixtures on its first test and stops them when the next file begins;
    ``close()`` stops the last file's fixtures.
    """

    def __init__(self, directory, intercept, fixture_module, loader_name):
        import unittest

        from gabbi import driver
        self._unittest = unittest
        suites = driver.build_tests(directory, unittest.TestLoader(), intercept=intercept,
                                    fixture_module=fixture_module,
                                    test_loader_name=loader_name)
        self.cases = [(suite, case) for suite in suites for case in suite]
        self.ids = [case.__class__.__name__ for _, case in self.cases]
        self._current = None

    def run(self, suite, case):
        if self._current is not suite:
            self.close()
            suite.start(self._unittest.TestResult())
            self._current = suite
        result = self._unittest.TestResult()
        case.run(result)
        problems = result.errors + result.failures
        if problems:
            pytest.fail('\n'.join(text for _, text in problems), pytrace=False)
        if result.skipped:
            pytest.skip(result.skipped[0][1])

    def close(self):
        if self._current is not None:
            self._current.stop()
            self._current = None
