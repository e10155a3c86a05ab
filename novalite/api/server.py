"""Serving the WSGI app: a threaded in-process server (novalite-all) or gunicorn (novalite-api)."""

import threading

from cheroot import wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class ThreadedServer:
    """cheroot's thread-pool WSGI server on one address, run in a background thread."""

    def __init__(self, app, host, port, threads=32):
        # A deep listen backlog: clients opening connections in a burst would
        # otherwise be reset (cheroot's default backlog is 5).
        self.server = wsgi.Server((host, port), app, numthreads=threads,
                                  server_name='novalite-api', request_queue_size=128)
        self.thread = None

    def start(self):
        self.server.prepare()  # binds now, so a taken port fails at start
        self.thread = threading.Thread(target=self.server.serve, name='novalite-api',
                                       daemon=True)
        self.thread.start()

    @property
    def address(self):
        return self.server.bind_addr

    def stop(self):
        self.server.stop()
        if self.thread is not None:
            self.thread.join(timeout=10)


def run_gunicorn(app_factory, host, port, workers, config_file_env=None):
    """Run gunicorn in this process as master with ``workers`` forked workers.

    ``app_factory`` is called in each worker after the fork, so database
    engines and message transports are never shared across processes.
    """
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set('bind', '%s:%s' % (host, port))
            self.cfg.set('workers', workers)
            self.cfg.set('worker_class', 'gthread')
            self.cfg.set('threads', 8)
            self.cfg.set('proc_name', 'novalite-api')

        def load(self):
            return app_factory()

    _App().run()
