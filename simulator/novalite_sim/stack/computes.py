"""A compute pack: many fake compute hosts in one process, each a real compute Service.

    python -m novalite_sim.stack.computes --config-file novalite.conf \\
        --config-file compute-pack.conf --prefix stack-compute- --first 0 --count 250

Every host is built exactly as ``novalite-compute`` builds its one
(``novalite.cmd.compute.build``): its own host name, virt driver, service row,
heartbeat, periodic tasks and RPC server.  What the hosts of one pack share is
the process's oslo.messaging transport (one reply queue and one pool of
sending connections); each RPC server still holds its own listening
connection, as oslo.messaging's rabbit driver opens one per server.

Listening connections are shared too (``--hosts-per-connection``, 250 by
default).  oslo.messaging's rabbit driver gives every RPC server its own
connection, a polling thread and an AMQP heartbeat thread: 1,000 hosts are
1,000 broker connections, which exhausts a RabbitMQ left at the common
1,024-descriptor limit (seen on the development machine: the broker's
accept loop and then its memory monitor failed with ``emfile``).
:class:`SharedListenDriver` is the rabbit driver with one difference: the
RPC servers of up to N hosts consume over one connection, drained by one
thread that hands each message to its own server's executor.  Every host
still has its queues (``compute``, ``compute.<host>``, a fanout queue), its
RPC server, dispatcher and executor; sends and replies use the driver's
usual pool.  ``--hosts-per-connection 0`` keeps oslo.messaging's own
connection per server.

The hosts start from a few threads at once, so a pack of 250 comes up in
seconds rather than one registration round trip after another.  SIGTERM or
SIGINT stops the hosts that started (draining their in-flight messages) and
abandons the ones still registering.
"""

import argparse
import faulthandler
import queue
import signal
import sys
import threading
import time

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_messaging import transport as om_transport
from oslo_messaging._drivers import amqpdriver
from oslo_messaging._drivers import base as driver_base
from oslo_messaging._drivers import common as driver_common
from oslo_messaging._drivers import impl_rabbit

from novalite import rpc
from novalite.cmd import common
from novalite.cmd import compute as compute_cmd

LOG = logging.getLogger(__name__)
PROG = 'novalite-sim-computes'


class _HubListener(amqpdriver.RpcAMQPListener):
    """One host's RPC listener on a shared connection; filled on the hub's thread."""

    def __init__(self, driver, conn, hub):
        super().__init__(driver, conn)
        self.hub = hub
        self.handle = None
        # Acks and requeues must run on the thread that drains the connection.
        self._message_operations_handler = hub.ops

    def __call__(self, message):
        super().__call__(message)
        if self.incoming:
            self.hub.ready.add(self)


class _ListenerHandle(driver_base.Listener):
    """What a host's MessageHandlingServer holds: delivery from the hub on or off."""

    def __init__(self, listener):
        super().__init__(1, None, listener.prefetch_size)
        self.listener = listener
        listener.handle = self

    def cleanup(self):
        pass  # the connection is the hub's; it closes with the transport


class _Hub:
    """One listening connection and one thread consuming for many hosts' RPC servers."""

    INTERVAL = 0.2  # seconds a drain waits: how soon a queued declaration or stop is seen

    def __init__(self, driver, index):
        self.driver = driver
        self.conn = driver._get_connection(driver_common.PURPOSE_LISTEN)
        self.ops = amqpdriver.MessageOperationsHandler('stack-hub-%d' % index)
        self.ready = set()
        self.size = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='stack-hub-%d' % index,
                                        daemon=True)
        self._thread.start()

    def listen(self, target):
        """Declare ``target``'s consumers on the hub's thread (kombu is not thread-safe)."""
        listener = _HubListener(self.driver, self.conn, self)
        exchange = self.driver._get_exchange(target)
        done, failed = threading.Event(), []

        def declare():
            try:
                self.conn.declare_topic_consumer(exchange_name=exchange, topic=target.topic,
                                                 callback=listener)
                self.conn.declare_topic_consumer(
                    exchange_name=exchange, topic='%s.%s' % (target.topic, target.server),
                    callback=listener)
                self.conn.declare_fanout_consumer(target.topic, listener)
            except Exception as exc:
                failed.append(exc)
            finally:
                done.set()

        self.ops.do(declare)
        done.wait()
        if failed:
            raise failed[0]
        return _ListenerHandle(listener)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.ops.process()
                try:
                    self.conn.consume(timeout=self.INTERVAL)
                except driver_common.Timeout:
                    pass
                self._dispatch()
            except Exception:  # the driver reconnects by itself; keep draining
                LOG.exception('shared listener connection failed; retrying')
                self._stop.wait(1.0)

    def _dispatch(self):
        ready, self.ready = self.ready, set()
        for listener in ready:
            while listener.incoming:
                message = listener.incoming.pop(0)
                callback = listener.handle and listener.handle.on_incoming_callback
                if callback is not None:
                    callback([message])  # the host's executor takes it from here

    def stop(self):
        self._stop.set()
        self.conn.stop_consuming()
        self._thread.join(5)
        self.ops.process()
        self.conn.close()


class SharedListenDriver(impl_rabbit.RabbitDriver):
    """The rabbit driver, but RPC servers share listening connections, N per connection."""

    def __init__(self, conf, url, hosts_per_connection, **kwargs):
        super().__init__(conf, url, **kwargs)
        self.hosts_per_connection = hosts_per_connection
        self._hubs = []
        self._hubs_lock = threading.Lock()

    def listen(self, target, batch_size, batch_timeout):
        with self._hubs_lock:
            if not self._hubs or self._hubs[-1].size >= self.hosts_per_connection:
                self._hubs.append(_Hub(self, len(self._hubs)))
            hub = self._hubs[-1]
            hub.size += 1
        return hub.listen(target)

    def cleanup(self):
        with self._hubs_lock:
            hubs, self._hubs = self._hubs, []
        for hub in hubs:
            hub.stop()
        super().cleanup()


def shared_transport(conf, hosts_per_connection):
    """An RPC transport whose servers share listening connections (rabbit:// only)."""
    url = messaging.TransportURL.parse(conf, conf.transport_url)
    if url.transport.split('+')[0] != 'rabbit':
        return rpc.get_transport(conf)
    driver = SharedListenDriver(conf, url, hosts_per_connection,
                                default_exchange=conf.control_exchange,
                                allowed_remote_exmods=rpc.EXMODS)
    return om_transport.RPCTransport(driver)


def parse_args(argv):
    """(pack options, the rest for oslo.config: ``--config-file`` ...)."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument('--prefix', default='stack-compute-',
                        help='host names are PREFIX + index (default: %(default)s)')
    parser.add_argument('--first', type=int, default=0, help='index of the first host')
    parser.add_argument('--count', type=int, required=True, help='hosts in this process')
    parser.add_argument('--start-workers', type=int, default=16,
                        help='hosts starting at the same time (default: %(default)s)')
    parser.add_argument('--hosts-per-connection', type=int, default=250,
                        help='hosts whose RPC servers share one listening connection; '
                             '0: one connection per host, as oslo.messaging does '
                             '(default: %(default)s)')
    args, rest = parser.parse_known_args(argv)
    if (args.count < 1 or args.first < 0 or args.start_workers < 1
            or args.hosts_per_connection < 0):
        parser.error('--count and --start-workers must be >= 1, --first and '
                     '--hosts-per-connection >= 0')
    return args, rest


class Pack:
    """The compute Services of one process, started from a few threads at once."""

    def __init__(self, conf, hosts, start_workers, hosts_per_connection=0):
        self.conf = conf
        self.transport = (shared_transport(conf, hosts_per_connection)
                          if hosts_per_connection else None)
        self.services = [compute_cmd.build(conf, host=host, transport=self.transport)
                         for host in hosts]
        self.started = []
        self.failed = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._todo = queue.SimpleQueue()
        for svc in self.services:
            self._todo.put(svc)
        # Daemon threads: a host still registering when the pack stops must not
        # keep the interpreter alive.
        self._workers = [threading.Thread(target=self._starter, name='pack-start-%d' % i,
                                          daemon=True)
                         for i in range(min(start_workers, len(self.services)))]

    def start(self):
        for worker in self._workers:
            worker.start()

    def _starter(self):
        while not self._stopping.is_set():
            try:
                svc = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                svc.start()
            except Exception:  # one broken host must not stop the pack
                LOG.exception('compute %s failed to start', svc.host)
                with self._lock:
                    self.failed.append(svc)
                continue
            with self._lock:
                if svc.rpcserver is not None:
                    self.started.append(svc)

    def wait_started(self, timeout=None):
        """True once every starter thread finished (all hosts started or failed)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for worker in self._workers:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            worker.join(remaining)
        return not any(w.is_alive() for w in self._workers)

    def stop(self, grace=10.0):
        """Stop taking new hosts up, give those mid-start ``grace`` seconds, drain the rest."""
        self._stopping.set()
        with self._lock:
            running = {id(svc) for svc in self.started}
        for svc in self.services:
            if id(svc) not in running:
                svc.stop()  # ends a registration still retrying against the conductor
        self.wait_started(grace)
        with self._lock:
            started = list(self.started)
        # Not service.stop_all(): it stops servers one after another, and an idle
        # rabbit listener notices its stop only when its poll times out (up to 5 s),
        # which for 250 hosts is minutes.  Stopped side by side it is seconds.
        stoppers = [threading.Thread(target=_stop_and_wait, args=(svc,), daemon=True)
                    for svc in started]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join()
        if self.transport is not None:
            self.transport.cleanup()
        rpc.cleanup()


def _stop_and_wait(svc):
    try:
        svc.stop()
        svc.wait()
    except Exception:  # the others still stop
        LOG.exception('compute %s did not stop cleanly', svc.host)


def main(argv=None):
    args, rest = parse_args(sys.argv[1:] if argv is None else argv)
    conf = common.parse(rest, prog=PROG)
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # kill -USR1 PID prints every thread's stack to the log: how a stuck pack is read.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    hosts = ['%s%d' % (args.prefix, i) for i in range(args.first, args.first + args.count)]
    began = time.monotonic()
    pack = Pack(conf, hosts, args.start_workers, args.hosts_per_connection)
    pack.start()
    while not stop.is_set():
        if pack.wait_started(timeout=0.5):
            LOG.warning('%s: %d of %d hosts started in %.1fs (%d failed)', PROG,
                        len(pack.started), len(hosts), time.monotonic() - began,
                        len(pack.failed))
            break
    while not stop.wait(1.0):
        pass
    LOG.warning('%s: stopping %d hosts', PROG, len(pack.started))
    pack.stop()
    LOG.warning('%s: stopped', PROG)
    return 0


if __name__ == '__main__':
    sys.exit(main())
