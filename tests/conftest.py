"""Fixtures shared by every test tier (helpers live in tests/nltest.py)."""

import os
import shutil
import subprocess
import uuid

import pytest

import nltest


@pytest.fixture
def conf_factory(tmp_path):
    return lambda **overrides: nltest.make_conf(tmp_path, **overrides)


@pytest.fixture
def mysql_url():
    nltest.require_service('mariadb')
    db = nltest.TempDatabase(nltest.MYSQL_ADMIN_URL)
    yield db.url
    db.drop()


@pytest.fixture
def pg_url():
    nltest.require_service('postgresql')
    db = nltest.TempDatabase(nltest.PG_ADMIN_URL)
    yield db.url
    db.drop()


@pytest.fixture
def rabbit_url():
    """A RabbitMQ URL on a fresh virtual host, so no queue outlives its test.

    oslo.messaging names topic queues after the topic alone, so two runs on
    one vhost would consume each other's leftovers.
    """
    nltest.require_service('rabbitmq')
    ctl = shutil.which('rabbitmqctl')
    if ctl is None or os.geteuid() != 0:
        yield nltest.RABBIT_URL
        return
    vhost = 'novalite_test_%s' % uuid.uuid4().hex[:10]
    subprocess.run([ctl, '-q', 'add_vhost', vhost], check=True, capture_output=True)
    subprocess.run([ctl, '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'],
                   check=True, capture_output=True)
    yield nltest.RABBIT_URL.rstrip('/') + '/' + vhost
    subprocess.run([ctl, '-q', 'delete_vhost', vhost], capture_output=True)
