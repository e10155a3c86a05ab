"""Helpers shared by the messaging tests (imported, not a conftest)."""

import threading

from oslo_config import cfg

from novalite.conf import messaging as messaging_conf


def make_messaging_conf():
    """Return a fresh, parsed ConfigOpts usable by oslo.messaging.

    oslo.messaging 18.3 registers its tracing and metrics groups only on the
    global cfg.CONF, so with a private ConfigOpts the first RPC call fails
    with NoSuchOptError unless they are registered here.
    """
    conf = cfg.ConfigOpts()
    conf([], project='novalite-tests')
    messaging_conf.register_opts(conf)  # the same workaround the services use
    return conf


class ServerReaper:
    """Stops oslo.messaging servers at once, reaps them and transports later.

    ``MessageHandlingServer.wait()`` takes up to a second because futurist's
    idle workers only notice shutdown once a second.  Stopping a server is
    what detaches it from its queues, so a test stops its servers on
    teardown and a module-scoped fixture calls :meth:`close_all`, which
    waits for every server in parallel and only then runs the deferred
    clean-ups (transport.cleanup must come after its servers are reaped).
    """

    def __init__(self):
        self._servers = []
        self._deferred = []

    def stop(self, server):
        server.stop()
        self._servers.append(server)

    def defer(self, func, *args):
        """Run func(*args) in close_all, after the servers are reaped."""
        self._deferred.append((func, args))

    def close_all(self):
        waiters = [threading.Thread(target=server.wait)
                   for server in self._servers]
        for waiter in waiters:
            waiter.start()
        for waiter in waiters:
            waiter.join()
        for func, args in self._deferred:
            func(*args)
        self._servers.clear()
        self._deferred.clear()
