"""Configuration: every option of novalite, registered on a private ConfigOpts.

There is no global CONF.  ``make_conf()`` builds a ``ConfigOpts`` with every
core option group registered and parses the command line and config files;
services, the API and plugins receive that object.
"""

import os

from oslo_config import cfg
from oslo_log import log as oslo_logging

from novalite.conf import api
from novalite.conf import compute
from novalite.conf import database
from novalite.conf import default
from novalite.conf import messaging
from novalite.conf import network
from novalite.conf import quota
from novalite.conf import scheduler

MODULES = (default, api, compute, database, messaging, network, quota, scheduler)


def register_all(conf):
    """Register every core option on ``conf`` (idempotent)."""
    for module in MODULES:
        module.register_opts(conf)
    oslo_logging.register_options(conf)
    return conf


def make_conf(argv=None, default_config_files=None, prog=None, overrides=None):
    """Build and parse a ConfigOpts.

    ``argv`` defaults to no arguments (not sys.argv) so embedding never picks
    up a host program's command line by accident.  Config files also come from
    ``NOVALITE_CONFIG_FILE`` (colon separated) when no file is given, which
    is how gunicorn workers receive theirs.  ``overrides`` is a dict
    ``{(group or None, name): value}`` applied after parsing.
    """
    conf = cfg.ConfigOpts()
    register_all(conf)
    if default_config_files is None:
        env = os.environ.get('NOVALITE_CONFIG_FILE')
        default_config_files = [p for p in env.split(':') if p] if env else []
    # No implicit search of ~/.novalite or /etc/novalite: what is read is what was named.
    conf(list(argv or []), project='novalite', prog=prog,
         default_config_files=default_config_files, default_config_dirs=[],
         validate_default_values=True)
    for (group, name), value in (overrides or {}).items():
        conf.set_override(name, value, group=group)
    return conf
