"""WSGI entry for an operator's server: ``gunicorn 'novalite.api.wsgi:init_application()'``.

The config file comes from ``NOVALITE_CONFIG_FILE`` (colon separated; with gunicorn:
``--env NOVALITE_CONFIG_FILE=/etc/novalite/novalite.conf``) or from
``--config-file``/``--config-dir`` arguments in ``sys.argv`` (hosts that pass
arguments through, such as uWSGI's ``pyargv`` or a wrapper script).  Only those
arguments reach oslo.config: the rest of the host's argv (``-b``, ``-w`` ...) would
make it fail.  Each worker calls this after the fork; the app opens its database
and RPC transport on first use, so nothing is shared across processes.
"""

import sys
import warnings

# oslo.messaging imports eventlet through oslo.service; novalite never uses it.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_log import log as logging  # noqa: E402

from novalite import conf as nl_conf  # noqa: E402
from novalite.api import app as api_app  # noqa: E402

_CONFIG_ARGS = ('--config-file', '--config-dir')


def config_args(argv):
    """The ``--config-file X``/``--config-file=X``/``--config-dir`` items of ``argv``."""
    out = []
    args = iter(argv)
    for arg in args:
        if arg in _CONFIG_ARGS:
            value = next(args, None)
            if value is not None:
                out += [arg, value]
        elif arg.startswith(tuple(a + '=' for a in _CONFIG_ARGS)):
            out.append(arg)
    return out


def init_application(argv=None):
    """Parse the configuration, set up logging, return the API app."""
    argv = sys.argv[1:] if argv is None else argv
    conf = nl_conf.make_conf(argv=config_args(argv), prog='novalite-api')
    logging.setup(conf, 'novalite')
    return api_app.create_app(conf)
