"""Fixtures of the scheduler unit tests."""

import pytest
from oslo_config import cfg

from novalite.conf import default as default_conf
from novalite.conf import scheduler as scheduler_conf


@pytest.fixture
def conf():
    """A ConfigOpts with only the options the scheduler and its filters read."""
    c = cfg.ConfigOpts()
    default_conf.register_opts(c)
    scheduler_conf.register_opts(c)
    c([], default_config_files=[])
    return c
