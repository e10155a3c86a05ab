"""A running service: an RPC server for its topic, heartbeats, and periodic tasks.

Heartbeats go through a *reporter*: the database for services allowed to use
it (conductor, scheduler), the conductor over RPC for those that are not
(compute).  A service whose first registration cannot reach the conductor
keeps retrying, so services may start in any order.
"""

import threading
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from novalite import context as nl_context
from novalite import rpc

LOG = logging.getLogger(__name__)


class DBReporter:
    """Registers and heartbeats through a ``novalite.db.api.Database``."""

    def __init__(self, db):
        self.db = db

    def register(self, ctx, host, binary, topic, timeout=None):
        return self.db.service_get_or_create(host, binary, topic)

    def heartbeat(self, ctx, service_id):
        self.db.service_heartbeat(service_id)


class ConductorReporter:
    """Registers and heartbeats through the conductor (for services without DB access)."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def register(self, ctx, host, binary, topic, timeout=None):
        return self.conductor.service_get_or_create(ctx, host, binary, topic, timeout=timeout)

    def heartbeat(self, ctx, service_id):
        self.conductor.service_heartbeat(ctx, service_id)


class Service:
    """One binary on one host: ``start()`` serves ``topic``; ``stop()`` drains and stops.

    ``manager`` may define ``init_host(ctx)`` (run before serving) and
    ``periodic_tasks(ctx)`` (run every ``conf.periodic_interval`` seconds).
    """

    def __init__(self, conf, binary, topic, host, endpoints, reporter, manager=None,
                 transport=None):
        self.conf = conf
        self.binary = binary
        self.topic = topic
        self.host = host
        self.endpoints = endpoints
        self.reporter = reporter
        self.manager = manager
        self.transport = transport
        self.service_ref = None
        self.rpcserver = None
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        ctx = nl_context.get_admin_context()
        self.service_ref = self._register(ctx)
        if self.manager is not None and hasattr(self.manager, 'init_host'):
            self.manager.init_host(ctx)
        self.rpcserver = rpc.get_server(self.conf, self.topic, self.host, self.endpoints,
                                        transport=self.transport)
        self.rpcserver.start()
        self._spawn(self._heartbeat_loop, 'heartbeat')
        if self.manager is not None and hasattr(self.manager, 'periodic_tasks'):
            self._spawn(self._periodic_loop, 'periodic')
        LOG.info('%s started on %s (topic %s)', self.binary, self.host, self.topic)

    def _register(self, ctx):
        # Short, growing timeouts: on RabbitMQ a call sent before the conductor has
        # declared its queue is dropped by the broker, and must simply be sent again.
        timeout = 2
        while not self._stop.is_set():
            try:
                return self.reporter.register(ctx, self.host, self.binary, self.topic,
                                              timeout=timeout)
            except messaging.MessagingTimeout:
                LOG.warning('%s on %s: conductor not answering yet, retrying', self.binary,
                            self.host)
                timeout = min(timeout * 2, 30)
        return None

    def _spawn(self, target, name):
        thread = threading.Thread(target=target, name='%s-%s-%s' % (self.binary, self.host, name),
                                  daemon=True)
        thread.start()
        self._threads.append(thread)

    def _heartbeat_loop(self):
        ctx = nl_context.get_admin_context()
        while not self._stop.wait(self.conf.report_interval):
            try:
                self.reporter.heartbeat(ctx, self.service_ref.id)
            except Exception as exc:  # keep beating: the next one may get through
                LOG.warning('%s on %s: heartbeat failed: %s', self.binary, self.host, exc)

    def _periodic_loop(self):
        ctx = nl_context.get_admin_context()
        while not self._stop.wait(self.conf.periodic_interval):
            started = time.monotonic()
            try:
                self.manager.periodic_tasks(ctx)
            except Exception:  # a failed pass is logged; the next pass retries
                LOG.exception('%s on %s: periodic tasks failed', self.binary, self.host)
            LOG.debug('periodic tasks took %.3fs', time.monotonic() - started)

    def stop(self):
        """Stop taking messages and periodic work; ``wait()`` then drains what runs."""
        self._stop.set()
        if self.rpcserver is not None:
            self.rpcserver.stop()

    def wait(self):
        """Wait for in-flight messages and the service's threads, then release the driver."""
        if self.rpcserver is not None:
            self.rpcserver.wait()
        for thread in self._threads:
            thread.join(timeout=5)
        if self.manager is not None and hasattr(self.manager, 'cleanup_host'):
            self.manager.cleanup_host()
        LOG.info('%s on %s stopped', self.binary, self.host)


# Shutdown tiers: a service's in-flight work calls the services of later tiers
# (computes call the conductor, the conductor calls the scheduler).
_STOP_LAST = ('novalite-conductor', 'novalite-scheduler')


def stop_all(services):
    """Stop services tier by tier: computes and the rest, then the conductor, then the scheduler.

    Each tier drains while the services it calls still answer.  Within a tier
    services are waited for in parallel: each RPC server's executor takes up
    to a second to notice shutdown, and one after another that adds up.
    """
    services = list(reversed(services))
    tiers = [[s for s in services if s.binary not in _STOP_LAST]]
    tiers += [[s for s in services if s.binary == binary] for binary in _STOP_LAST]
    for tier in tiers:
        for svc in tier:
            svc.stop()
        waiters = [threading.Thread(target=svc.wait, daemon=True) for svc in tier]
        for waiter in waiters:
            waiter.start()
        for waiter in waiters:
            waiter.join()
