"""In-process oslo.messaging transport driver (``inproc://``).

Why this exists: novalite can run every service in one process (tests, the
simulator, ``novalite-all``).  oslo.messaging's own ``fake://`` driver is
meant for unit tests and polls its queues every 50 ms, so each RPC call costs
tens of milliseconds and a scheduling run of a few thousand calls takes
minutes.  This driver keeps the broker-shaped semantics services rely on with
RabbitMQ while waking consumers immediately through condition variables, so a
call round trip costs a few hundred microseconds at most.

Semantics (modelled on the rabbit driver):

* **call / cast** go to the shared topic queue; every RPC server on that topic
  competes for it, and an idle server is woken for each message (load
  balancing among free consumers).  ``prepare(server=...)`` targets the
  per-server queue, ``prepare(fanout=True)`` copies the message to every RPC
  server listening on the topic at that moment (dropped if there is none,
  like a fanout exchange without bound queues).
* Topic and server queues are created on first use by either side and then
  persist, so messages sent before a server listens wait for it; a ``call``
  nobody answers raises :class:`oslo_messaging.MessagingTimeout`.
* Remote exceptions travel serialised exactly as with rabbit
  (``serialize_remote_exception`` on the server, ``deserialize_remote_exception``
  with the *caller's* ``allowed_remote_exmods``), so callers see the original
  class (subclassed with the ``_Remote`` suffix) or a ``RemoteError``.
* Call-monitor heartbeats (``call_monitor_timeout``) and ``requeue`` work.
* **Notifications** are queued like rabbit's notification queues: a
  notification sent before any listener exists waits in the pool-less queue
  for ``<topic>.<priority>``; a listener ``pool`` gets its own queue that
  receives notifications sent after it was created.  Queues are unbounded,
  as with rabbit's defaults.

State is process global per virtual host (``inproc:///<vhost>``): every
transport with the same virtual host shares one broker, so services in one
process talk to each other.  A broker lives while at least one driver or
listener for its virtual host is alive; when the last one is cleaned up its
queued messages are discarded.  :func:`reset` wipes everything (for tests).

URL query options:

``check_serialize`` (default ``true``)
    Encode every message, context and reply with ``jsonutils.dumps`` as the
    rabbit driver does, and hand the receiver a freshly decoded copy.  This
    catches non-serialisable payloads at the same place rabbit would and gives
    receivers the same types rabbit does (tuples become lists, datetimes
    strings), at a cost of a few microseconds per message.  With ``false``
    the objects are passed by reference, without any copy: sender and
    receivers then share them, so neither side may mutate them.
"""

import collections
import itertools
import json
import logging
import queue
import sys
import threading
import time

import oslo_messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import common as rpc_common
from oslo_serialization import jsonutils
from oslo_utils import strutils

LOG = logging.getLogger(__name__)

_HEARTBEAT = object()
_msg_ids = itertools.count(1)

_brokers = {}
_brokers_lock = threading.Lock()


def _acquire_broker(vhost):
    with _brokers_lock:
        broker = _brokers.get(vhost)
        if broker is None:
            broker = _brokers[vhost] = _Broker(vhost)
        broker.refs += 1
        return broker


def _release_broker(broker):
    with _brokers_lock:
        broker.refs -= 1
        if broker.refs <= 0 and _brokers.get(broker.vhost) is broker:
            del _brokers[broker.vhost]


def reset(vhost=None):
    """Discard the broker of one virtual host, or all of them, with its queues.

    Meant for test isolation.  Transports and listeners still holding a
    discarded broker keep working against it; transports created afterwards
    start with an empty one.  The default virtual host (``inproc://``) is
    ``''``.
    """
    with _brokers_lock:
        if vhost is None:
            _brokers.clear()
        else:
            _brokers.pop(vhost, None)


class _Envelope:
    """A message in flight: payload plus where its reply goes."""

    __slots__ = ('client_timeout', 'encoded', 'msg_id', 'payload', 'reply_q')

    def __init__(self, payload, encoded, reply_q, client_timeout):
        self.payload = payload
        self.encoded = encoded
        self.reply_q = reply_q
        self.client_timeout = client_timeout
        self.msg_id = f'inproc-{next(_msg_ids)}'


class _Queue:
    """A FIFO of envelopes and the consumers competing for it."""

    __slots__ = ('consumers', 'deleted', 'items', 'name', 'next_consumer')

    def __init__(self, name):
        self.name = name
        self.items = collections.deque()
        self.consumers = []
        self.next_consumer = 0
        self.deleted = False


class _Broker:
    """All queues of one virtual host.

    A single lock guards every queue and is the lock of every consumer's
    condition: a consumer waiting on several queues must never miss a put on
    any of them, and with one lock "check all queues, then wait" is atomic.
    The critical sections are a few dict and deque operations, so contention
    is not a concern next to the GIL.
    """

    def __init__(self, vhost):
        self.vhost = vhost
        self.refs = 0
        self.lock = threading.Lock()
        # (exchange, topic) -> {pool: _Queue}; RPC uses pool None only.
        self._topic_queues = {}
        # (exchange, topic, server) -> _Queue
        self._server_queues = {}
        # (exchange, topic) -> [_Queue], one per listening RPC server.
        self._fanout_queues = {}

    # Queue lookup; callers hold self.lock.

    def _topic_queue(self, exchange, topic, pool=None):
        pools = self._topic_queues.setdefault((exchange, topic), {})
        q = pools.get(pool)
        if q is None:
            q = pools[pool] = _Queue(f'{exchange}/{topic}/{pool or ""}')
        return q

    def _server_queue(self, exchange, topic, server):
        key = (exchange, topic, server)
        q = self._server_queues.get(key)
        if q is None:
            q = self._server_queues[key] = _Queue(f'{exchange}/{topic}.{server}')
        return q

    @staticmethod
    def _wake_one(q):
        """Wake one idle consumer of q, rotating to spread the load."""
        consumers = q.consumers
        n = len(consumers)
        for i in range(n):
            consumer = consumers[(q.next_consumer + i) % n]
            if consumer.waiting:
                # Clearing the flag here makes the next put pick another
                # consumer instead of notifying this one twice.
                consumer.waiting = False
                consumer.cond.notify()
                q.next_consumer = (q.next_consumer + i + 1) % n
                return

    # Public operations.

    def publish(self, exchange, topic, server, fanout, envelope):
        with self.lock:
            if fanout:
                queues = self._fanout_queues.get((exchange, topic), ())
            elif server:
                queues = (self._server_queue(exchange, topic, server),)
            else:
                self._topic_queue(exchange, topic)
                queues = self._topic_queues[(exchange, topic)].values()
            for q in queues:
                q.items.append(envelope)
                self._wake_one(q)

    def requeue(self, q, envelope):
        with self.lock:
            # A fanout queue dies with its listener, like rabbit's
            # auto-delete queues; a requeue to it is dropped.
            if not q.deleted:
                q.items.appendleft(envelope)
                self._wake_one(q)

    def subscribe_rpc(self, consumer, exchange, topic, server):
        """Attach an RPC server to its topic, server and own fanout queues."""
        with self.lock:
            queues = [self._topic_queue(exchange, topic)]
            if server:
                queues.append(self._server_queue(exchange, topic, server))
            # Like rabbit's per-server fanout queue: it exists only while
            # its listener does.
            fanout_q = _Queue(f'{exchange}/{topic}_fanout')
            self._fanout_queues.setdefault((exchange, topic), []).append(
                fanout_q)
            consumer.fanout_key = (exchange, topic)
            consumer.fanout_queue = fanout_q
            queues.append(fanout_q)
            self._attach(consumer, queues)

    def subscribe_notifications(self, consumer, exchange_topics, pool):
        """Attach a notification listener to (exchange, topic) queues."""
        with self.lock:
            self._attach(consumer, [self._topic_queue(exchange, topic, pool)
                                    for exchange, topic in exchange_topics])

    @staticmethod
    def _attach(consumer, queues):
        queues = list(dict.fromkeys(queues))
        for q in queues:
            q.consumers.append(consumer)
        consumer.queues = queues

    def unsubscribe(self, consumer):
        with self.lock:
            consumer.stopped = True
            consumer.cond.notify_all()
            for q in consumer.queues:
                if consumer in q.consumers:
                    q.consumers.remove(consumer)
            if consumer.fanout_queue is not None:
                consumer.fanout_queue.deleted = True
                consumer.fanout_queue.items.clear()
                fanouts = self._fanout_queues.get(consumer.fanout_key, [])
                if consumer.fanout_queue in fanouts:
                    fanouts.remove(consumer.fanout_queue)
                if not fanouts:
                    self._fanout_queues.pop(consumer.fanout_key, None)
            # This consumer may have been picked to handle a message it will
            # now never take: hand the wake-up to another idle consumer.
            self._pass_baton(consumer)

    def _pass_baton(self, consumer):
        for q in consumer.queues:
            if q.items:
                self._wake_one(q)

    def get(self, consumer, timeout):
        """Pop the next envelope for consumer, blocking up to timeout.

        Returns (queue, envelope), or (None, None) on timeout or stop.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            while not consumer.stopped:
                queues = consumer.queues
                n = len(queues)
                # Rotate the starting queue so a busy topic queue cannot
                # starve the server-direct or fanout queue.
                start = consumer.next_queue
                for i in range(n):
                    q = queues[(start + i) % n]
                    if q.items:
                        consumer.next_queue = (start + i + 1) % n
                        envelope = q.items.popleft()
                        # We may have been woken for a message in another
                        # queue (or more are waiting): let an idle peer have it.
                        self._pass_baton(consumer)
                        return q, envelope
                if deadline is None:
                    remaining = None
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                consumer.waiting = True
                consumer.cond.wait(remaining)
                consumer.waiting = False
        return None, None


class InprocIncomingMessage(base.RpcIncomingMessage):
    """A message taken from an in-process queue, able to reply to its caller."""

    def __init__(self, ctxt, message, envelope, source_queue, listener):
        super().__init__(ctxt, message, envelope.msg_id)
        self.client_timeout = envelope.client_timeout
        self._envelope = envelope
        self._source_queue = source_queue
        self._listener = listener

    def reply(self, reply=None, failure=None):
        reply_q = self._envelope.reply_q
        if reply_q is None:
            return
        if failure:
            reply_q.put((None, rpc_common.serialize_remote_exception(failure),
                         False))
            return
        if not self._listener.check_serialize:
            reply_q.put((reply, None, False))
            return
        try:
            wire = jsonutils.dumps(reply)
        except Exception:
            # Rabbit would fail to send this reply and leave the caller to
            # time out; failing the call at once makes the bug obvious.
            LOG.exception('RPC reply for %s is not JSON serialisable',
                          self.msg_id)
            reply_q.put((None, rpc_common.serialize_remote_exception(
                sys.exc_info()), False))
            return
        reply_q.put((wire, None, True))

    def heartbeat(self):
        reply_q = self._envelope.reply_q
        if reply_q is not None:
            reply_q.put(_HEARTBEAT)

    def requeue(self):
        self._listener.broker.requeue(self._source_queue, self._envelope)


class InprocListener(base.PollStyleListener):
    """Poll-style listener that blocks on the broker condition, never sleeps.

    ``stop()`` wakes a blocked ``poll()`` at once; messages still queued stay
    in their queue for other or later consumers.
    """

    def __init__(self, broker, check_serialize):
        super().__init__()
        self.broker = broker
        self.check_serialize = check_serialize
        self.cond = threading.Condition(broker.lock)
        self.waiting = False
        self.stopped = False
        self.queues = []
        self.next_queue = 0
        self.fanout_key = None
        self.fanout_queue = None
        self._attached = True

    @base.batch_poll_helper
    def poll(self, timeout=None):
        source_queue, envelope = self.broker.get(self, timeout)
        if envelope is None:
            return None
        if envelope.encoded:
            ctxt, message = json.loads(envelope.payload)
        else:
            ctxt, message = envelope.payload
        return InprocIncomingMessage(ctxt, message, envelope, source_queue,
                                     self)

    def stop(self):
        with _brokers_lock:
            attached, self._attached = self._attached, False
        if attached:
            self.broker.unsubscribe(self)
            _release_broker(self.broker)

    def cleanup(self):
        self.stop()


class InprocDriver(base.BaseDriver):
    """oslo.messaging driver passing messages between threads of one process.

    Loaded through the ``oslo.messaging.drivers`` entry point ``inproc``, so
    ``oslo_messaging.get_rpc_transport(conf, url='inproc://')`` and
    ``get_notification_transport(conf, url='inproc://')`` use it.  See the
    module docstring for the delivery semantics and URL options.
    """

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        query = dict(url.query or {})
        self.check_serialize = strutils.bool_from_string(
            query.pop('check_serialize', 'true'), strict=True)
        if query:
            LOG.warning('inproc transport: ignoring unknown URL options %s',
                        sorted(query))
        self._broker = _acquire_broker(url.virtual_host or '')
        self._closed = False

    def require_features(self, requeue=True):
        pass

    def _exchange(self, target):
        return target.exchange or self._default_exchange

    def _check_open(self):
        if self._closed:
            raise base.TransportDriverError(
                'inproc transport used after cleanup()')

    def _envelope(self, ctxt, message, reply_q=None, client_timeout=None):
        if self.check_serialize:
            # One encoding serves as the serialisability check and as the
            # receivers' private copy; jsonutils is what rabbit uses.
            return _Envelope(jsonutils.dumps((ctxt, message)), True,
                             reply_q, client_timeout)
        return _Envelope((ctxt, message), False, reply_q, client_timeout)

    def send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
             call_monitor_timeout=None, retry=None, transport_options=None):
        # retry is moot: handing a message to an in-memory queue cannot fail.
        self._check_open()
        reply_q = queue.SimpleQueue() if wait_for_reply else None
        envelope = self._envelope(
            ctxt, message, reply_q,
            call_monitor_timeout if wait_for_reply else None)
        self._broker.publish(self._exchange(target), target.topic,
                             target.server, target.fanout, envelope)
        if reply_q is None:
            return None
        return self._wait_for_reply(reply_q, envelope.msg_id, target,
                                    timeout, call_monitor_timeout)

    def _wait_for_reply(self, reply_q, msg_id, target, timeout,
                        call_monitor_timeout):
        now = time.monotonic()
        deadline = None if timeout is None else now + timeout
        cm_deadline = (now + call_monitor_timeout
                       if call_monitor_timeout else None)
        while True:
            limits = [d for d in (deadline, cm_deadline) if d is not None]
            wait = (max(0.0, min(limits) - time.monotonic())
                    if limits else None)
            try:
                item = reply_q.get(timeout=wait)
            except queue.Empty:
                raise oslo_messaging.MessagingTimeout(
                    f'Timed out waiting for a reply to message ID {msg_id} '
                    f'on topic {target.topic}') from None
            if item is _HEARTBEAT:
                if call_monitor_timeout:
                    cm_deadline = time.monotonic() + call_monitor_timeout
                continue
            result, failure, encoded = item
            if failure is not None:
                raise rpc_common.deserialize_remote_exception(
                    failure, self._allowed_remote_exmods)
            return json.loads(result) if encoded else result

    def send_notification(self, target, ctxt, message, version, retry=None):
        # version only selects rabbit's wire envelope; there is no wire here.
        self._check_open()
        self._broker.publish(self._exchange(target), target.topic, None,
                             False, self._envelope(ctxt, message))

    def listen(self, target, batch_size, batch_timeout):
        self._check_open()
        listener = self._new_listener()
        self._broker.subscribe_rpc(listener, self._exchange(target),
                                   target.topic, target.server)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        self._check_open()
        listener = self._new_listener()
        topics = [(self._exchange(target), f'{target.topic}.{priority}')
                  for target, priority in targets_and_priorities]
        self._broker.subscribe_notifications(listener, topics, pool)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def _new_listener(self):
        with _brokers_lock:
            # A running listener keeps the broker alive even if every
            # driver on this virtual host has been cleaned up.
            self._broker.refs += 1
        return InprocListener(self._broker, self.check_serialize)

    def cleanup(self):
        """Drop this driver's hold on the shared broker; safe to repeat.

        Unlike ``fake://`` this never touches state other transports use: the
        broker is discarded only once no driver or listener refers to it.
        """
        with _brokers_lock:
            closed, self._closed = self._closed, True
        if not closed:
            _release_broker(self._broker)
