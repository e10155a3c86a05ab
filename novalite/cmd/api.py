"""novalite-api: the Compute API under gunicorn with [api] osapi_compute_workers workers.

For an operator's own gunicorn: ``gunicorn 'novalite.api.wsgi:init_application()'``.
"""

from novalite.api import app as api_app
from novalite.api import server
from novalite.cmd import common

BINARY = 'novalite-api'


def main(argv=None):
    conf = common.parse(argv, prog=BINARY)
    listen, port = conf.api.osapi_compute_listen, conf.api.osapi_compute_listen_port
    print('%s: Compute API v2.1 on http://%s:%s/v2.1 (%d workers)'
          % (BINARY, listen, port, conf.api.osapi_compute_workers), flush=True)
    server.run_gunicorn(lambda: api_app.create_app(conf), listen, port,
                        conf.api.osapi_compute_workers)
