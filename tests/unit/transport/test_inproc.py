"""Unit tests of the in-process oslo.messaging driver (novalite.transport.inproc)."""

import datetime
import threading
import time
import uuid

import oslo_messaging
import pytest

from novalite.transport import inproc
from rpc_helpers import ServerReaper, make_messaging_conf


class AllowedError(Exception):
    """Raised remotely; its module is in the caller's allowed_remote_exmods."""


@pytest.fixture(scope='module')
def reaper():
    reaper = ServerReaper()
    yield reaper
    reaper.close_all()


@pytest.fixture
def vhost_url():
    # A private virtual host per test: no state leaks between tests and no
    # need for the process-wide inproc.reset().
    return f'inproc:///unit-{uuid.uuid4().hex}'


@pytest.fixture
def make_transport(vhost_url, reaper):
    def make(url=None, notification=False, **kwargs):
        conf = make_messaging_conf()
        get = (oslo_messaging.get_notification_transport if notification
               else oslo_messaging.get_rpc_transport)
        transport = get(conf, url=url or vhost_url, **kwargs)
        reaper.defer(transport.cleanup)
        return transport

    return make


@pytest.fixture
def transport(make_transport):
    return make_transport(allowed_remote_exmods=[__name__])


@pytest.fixture
def start_server(reaper):
    servers = []

    def start(transport, endpoints, topic, server='host1'):
        srv = oslo_messaging.get_rpc_server(
            transport, oslo_messaging.Target(topic=topic, server=server),
            endpoints)
        srv.start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        reaper.stop(srv)


def _poll_listener(transport, topic, server='host1'):
    """The driver's PollStyleListener for an RPC target, not started."""
    adapter = transport._driver.listen(
        oslo_messaging.Target(topic=topic, server=server), 1, None)
    return adapter._poll_style_listener


class Recorder:
    """RPC endpoint recording what it handled."""

    def __init__(self, name='host1'):
        self.name = name
        self.seen = []
        self.event = threading.Event()

    def whoami(self, ctxt):
        self.seen.append('whoami')
        return self.name

    def record(self, ctxt, value):
        self.seen.append(value)
        self.event.set()

    def echo(self, ctxt, value):
        return value

    def get_ctxt(self, ctxt):
        return ctxt

    def fail_allowed(self, ctxt):
        raise AllowedError('allowed', 42)

    def fail_builtin(self, ctxt):
        raise KeyError('missing')

    def bad_reply(self, ctxt):
        return object()

    def sleep(self, ctxt, seconds):
        time.sleep(seconds)
        return 'slept'


def _topic():
    return f'topic-{uuid.uuid4().hex}'


def test_entry_point_loads_driver(transport):
    assert isinstance(transport._driver, inproc.InprocDriver)
    assert transport._driver.check_serialize is True


def test_check_serialize_url_option(make_transport):
    transport = make_transport(url='inproc://?check_serialize=false')
    assert transport._driver.check_serialize is False
    with pytest.raises(ValueError):
        make_transport(url='inproc://?check_serialize=maybe')


def test_poll_times_out_without_message(transport):
    listener = _poll_listener(transport, _topic())
    start = time.monotonic()
    assert listener.poll(timeout=0.05) == []
    assert 0.04 <= time.monotonic() - start < 0.5
    listener.stop()


def test_poll_wakes_immediately_on_message(transport):
    topic = _topic()
    listener = _poll_listener(transport, topic)
    got = []
    poller = threading.Thread(target=lambda: got.extend(listener.poll()))
    poller.start()
    time.sleep(0.05)
    start = time.monotonic()
    oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic)).cast({}, 'record',
                                                             value=1)
    poller.join(2)
    assert not poller.is_alive()
    # The fake driver would need up to 50 ms here.
    assert time.monotonic() - start < 0.04
    assert got[0].message['method'] == 'record'
    listener.stop()


def test_stop_wakes_blocked_poller_at_once(transport):
    listener = _poll_listener(transport, _topic())
    result = []
    poller = threading.Thread(target=lambda: result.append(listener.poll()))
    poller.start()
    time.sleep(0.05)
    start = time.monotonic()
    listener.stop()
    poller.join(2)
    assert not poller.is_alive()
    assert time.monotonic() - start < 0.04
    assert result == [[]]
    # A stopped listener returns at once and leaves messages queued.
    assert listener.poll(timeout=10) == []


def test_call_returns_result_and_context(transport, start_server):
    topic = _topic()
    start_server(transport, [Recorder()], topic)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    assert client.call({}, 'echo', value={'a': [1, 2]}) == {'a': [1, 2]}
    assert client.call({'user': 'alice'}, 'get_ctxt') == {'user': 'alice'}


def test_cast_to_topic_without_listener_is_queued(transport, start_server):
    topic = _topic()
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    client.cast({}, 'record', value='early')
    recorder = Recorder()
    start_server(transport, [recorder], topic)
    assert recorder.event.wait(5)
    assert recorder.seen == ['early']


def test_call_without_listener_times_out(transport):
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=_topic()), timeout=0.1)
    start = time.monotonic()
    with pytest.raises(oslo_messaging.MessagingTimeout):
        client.call({}, 'echo', value=1)
    assert 0.09 <= time.monotonic() - start < 1


def test_slow_call_times_out(transport, start_server):
    topic = _topic()
    start_server(transport, [Recorder()], topic)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic), timeout=0.05)
    with pytest.raises(oslo_messaging.MessagingTimeout):
        client.call({}, 'sleep', seconds=0.2)


def test_call_monitor_heartbeat_extends_wait(transport):
    topic = _topic()
    listener = _poll_listener(transport, topic)
    driver = transport._driver
    target = oslo_messaging.Target(topic=topic)
    result = []

    def call():
        result.append(driver.send(target, {}, {'method': 'x'},
                                  wait_for_reply=True, timeout=5,
                                  call_monitor_timeout=0.15))

    caller = threading.Thread(target=call)
    caller.start()
    (incoming,) = listener.poll(timeout=2)
    assert incoming.client_timeout == 0.15
    for _ in range(4):
        time.sleep(0.08)
        incoming.heartbeat()
    incoming.reply('done')
    caller.join(2)
    assert result == ['done']
    listener.stop()


def test_call_monitor_timeout_without_heartbeat(transport):
    topic = _topic()
    listener = _poll_listener(transport, topic)
    with pytest.raises(oslo_messaging.MessagingTimeout):
        transport._driver.send(oslo_messaging.Target(topic=topic), {},
                               {'method': 'x'}, wait_for_reply=True,
                               timeout=5, call_monitor_timeout=0.05)
    listener.stop()


def test_exceptions_propagate_like_rabbit(transport, start_server,
                                          make_transport):
    topic = _topic()
    start_server(transport, [Recorder()], topic)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    with pytest.raises(AllowedError) as exc:
        client.call({}, 'fail_allowed')
    assert exc.value.args == ('allowed', 42)
    with pytest.raises(KeyError):
        client.call({}, 'fail_builtin')
    # The caller's allowed list decides, as with rabbit.
    strict = make_transport()
    strict_client = oslo_messaging.get_rpc_client(
        strict, oslo_messaging.Target(topic=topic))
    with pytest.raises(oslo_messaging.RemoteError) as exc:
        strict_client.call({}, 'fail_allowed')
    assert exc.value.exc_type == 'AllowedError'


def test_non_serialisable_reply_fails_the_call(transport, start_server):
    topic = _topic()
    start_server(transport, [Recorder()], topic)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic), timeout=5)
    start = time.monotonic()
    with pytest.raises(ValueError, match='Cannot convert'):
        client.call({}, 'bad_reply')
    assert time.monotonic() - start < 1


def test_fanout_reaches_every_server_and_is_dropped_without_one(
        transport, start_server):
    topic = _topic()
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic, fanout=True))
    client.cast({}, 'record', value='nobody-listens')
    recorders = [Recorder('h1'), Recorder('h2')]
    for recorder in recorders:
        start_server(transport, [recorder], topic, server=recorder.name)
    client.cast({}, 'record', value='all')
    for recorder in recorders:
        assert recorder.event.wait(5)
        assert recorder.seen == ['all']


def test_direct_server_targeting(transport, start_server):
    topic = _topic()
    for name in ('h1', 'h2', 'h3'):
        start_server(transport, [Recorder(name)], topic, server=name)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    for _ in range(10):
        assert client.prepare(server='h2').call({}, 'whoami') == 'h2'


def test_topic_calls_are_load_balanced(transport, start_server):
    topic = _topic()
    recorders = [Recorder(f'h{i}') for i in range(3)]
    for recorder in recorders:
        start_server(transport, [recorder], topic, server=recorder.name)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    answered = [client.call({}, 'whoami') for _ in range(30)]
    counts = {r.name: answered.count(r.name) for r in recorders}
    assert sum(counts.values()) == 30
    assert all(count >= 5 for count in counts.values()), counts


def test_busy_server_does_not_hold_up_idle_peer(transport, start_server):
    topic = _topic()
    for name in ('h1', 'h2'):
        start_server(transport, [Recorder(name)], topic, server=name)
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic))
    slow = threading.Thread(
        target=lambda: client.call({}, 'sleep', seconds=0.5))
    slow.start()
    time.sleep(0.05)
    start = time.monotonic()
    for _ in range(5):
        client.call({}, 'whoami')
    assert time.monotonic() - start < 0.4
    slow.join()


def test_transports_with_same_url_share_state(make_transport, start_server):
    topic = _topic()
    server_transport = make_transport()
    client_transport = make_transport()
    start_server(server_transport, [Recorder('h1')], topic)
    client = oslo_messaging.get_rpc_client(
        client_transport, oslo_messaging.Target(topic=topic))
    assert client.call({}, 'whoami') == 'h1'


def test_virtual_hosts_are_isolated(make_transport, start_server):
    topic = _topic()
    start_server(make_transport(), [Recorder('h1')], topic)
    other = make_transport(url=f'inproc:///other-{uuid.uuid4().hex}')
    client = oslo_messaging.get_rpc_client(
        other, oslo_messaging.Target(topic=topic), timeout=0.05)
    with pytest.raises(oslo_messaging.MessagingTimeout):
        client.call({}, 'whoami')


def test_cleanup_is_idempotent_and_local(make_transport, start_server):
    topic = _topic()
    server_transport = make_transport()
    start_server(server_transport, [Recorder('h1')], topic)
    doomed = make_transport()
    doomed.cleanup()
    doomed.cleanup()
    with pytest.raises(oslo_messaging.MessagingException):
        oslo_messaging.get_rpc_client(
            doomed, oslo_messaging.Target(topic=topic)).cast({}, 'whoami')
    client = oslo_messaging.get_rpc_client(
        make_transport(), oslo_messaging.Target(topic=topic))
    assert client.call({}, 'whoami') == 'h1'


def test_broker_discarded_when_last_user_leaves(vhost_url):
    conf = make_messaging_conf()
    transport = oslo_messaging.get_rpc_transport(conf, url=vhost_url)
    topic = _topic()
    oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic)).cast({}, 'x')
    transport.cleanup()
    transport = oslo_messaging.get_rpc_transport(conf, url=vhost_url)
    listener = _poll_listener(transport, topic)
    assert listener.poll(timeout=0.01) == []
    listener.stop()
    transport.cleanup()


def test_reset_single_virtual_host(transport, vhost_url):
    topic = _topic()
    oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic)).cast({}, 'x')
    inproc.reset(vhost_url.rsplit('/', 1)[1])
    fresh = make_messaging_conf()
    other = oslo_messaging.get_rpc_transport(fresh, url=vhost_url)
    listener = _poll_listener(other, topic)
    assert listener.poll(timeout=0.01) == []
    listener.stop()
    other.cleanup()


def test_serialisation_check_rejects_what_rabbit_would(transport):
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=_topic()))
    with pytest.raises(ValueError, match='Cannot convert'):
        client.cast({}, 'record', value=object())


def test_receiver_gets_rabbit_like_copy(transport):
    topic = _topic()
    listener = _poll_listener(transport, topic)
    payload = {'when': datetime.datetime(2024, 1, 2, 3, 4, 5), 'pair': (1, 2)}
    oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic)).cast(
            {}, 'record', value=payload)
    (incoming,) = listener.poll(timeout=2)
    assert incoming.message['args']['value'] == {
        'when': '2024-01-02T03:04:05.000000', 'pair': [1, 2]}
    listener.stop()


def test_check_serialize_false_passes_by_reference(make_transport):
    transport = make_transport(
        url=f'inproc:///unit-{uuid.uuid4().hex}?check_serialize=false')
    topic = _topic()
    listener = _poll_listener(transport, topic)
    marker = object()
    oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic)).cast(
            {}, 'record', value=marker)
    (incoming,) = listener.poll(timeout=2)
    assert incoming.message['args']['value'] is marker
    listener.stop()


class NotificationRecorder:
    """Notification endpoint collecting info notifications."""

    def __init__(self, requeue_first=False):
        self.seen = []
        self.cond = threading.Condition()
        self._requeue_first = requeue_first

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if self._requeue_first:
            self._requeue_first = False
            return oslo_messaging.NotificationResult.REQUEUE
        with self.cond:
            self.seen.append((publisher_id, event_type, payload))
            self.cond.notify_all()
        return oslo_messaging.NotificationResult.HANDLED

    def wait_for(self, count, timeout=5):
        with self.cond:
            return self.cond.wait_for(lambda: len(self.seen) >= count,
                                      timeout)


@pytest.fixture
def start_notification_listener(reaper):
    listeners = []

    def start(transport, topic, endpoint, pool=None):
        listener = oslo_messaging.get_notification_listener(
            transport, [oslo_messaging.Target(topic=topic)], [endpoint],
            pool=pool, allow_requeue=True)
        listener.start()
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        reaper.stop(listener)


def test_notifications_delivered_and_queued(make_transport,
                                            start_notification_listener):
    transport = make_transport(notification=True)
    topic = _topic()
    notifier = oslo_messaging.Notifier(
        transport, publisher_id='compute.host1', driver='messaging',
        topics=[topic])
    notifier.info({}, 'instance.create.start', {'uuid': 'before'})
    recorder = NotificationRecorder()
    start_notification_listener(transport, topic, recorder)
    notifier.info({}, 'instance.create.end', {'uuid': 'after'})
    assert recorder.wait_for(2)
    assert recorder.seen == [
        ('compute.host1', 'instance.create.start', {'uuid': 'before'}),
        ('compute.host1', 'instance.create.end', {'uuid': 'after'})]


def test_notification_pools_each_get_a_copy(make_transport,
                                            start_notification_listener):
    transport = make_transport(notification=True)
    topic = _topic()
    pool_a, pool_b = NotificationRecorder(), NotificationRecorder()
    start_notification_listener(transport, topic, pool_a, pool='a')
    start_notification_listener(transport, topic, pool_b, pool='b')
    oslo_messaging.Notifier(transport, publisher_id='p', driver='messaging',
                            topics=[topic]).info({}, 'evt', {'n': 1})
    assert pool_a.wait_for(1) and pool_b.wait_for(1)
    assert pool_a.seen == pool_b.seen == [('p', 'evt', {'n': 1})]


def test_notification_requeue_redelivers(make_transport,
                                         start_notification_listener):
    transport = make_transport(notification=True)
    topic = _topic()
    recorder = NotificationRecorder(requeue_first=True)
    start_notification_listener(transport, topic, recorder)
    oslo_messaging.Notifier(transport, publisher_id='p', driver='messaging',
                            topics=[topic]).info({}, 'evt', {'n': 1})
    assert recorder.wait_for(1)
    assert recorder.seen == [('p', 'evt', {'n': 1})]


def test_batch_notification_listener_gets_batches(make_transport, reaper):
    transport = make_transport(notification=True)
    topic = _topic()
    batches = []
    done = threading.Event()

    class BatchEndpoint:
        def info(self, messages):
            batches.append([m['payload']['n'] for m in messages])
            if sum(map(len, batches)) == 5:
                done.set()

    listener = oslo_messaging.get_batch_notification_listener(
        transport, [oslo_messaging.Target(topic=topic)], [BatchEndpoint()],
        batch_size=3, batch_timeout=0.1)
    notifier = oslo_messaging.Notifier(transport, publisher_id='p',
                                       driver='messaging', topics=[topic])
    for n in range(5):
        notifier.info({}, 'evt', {'n': n})
    listener.start()
    try:
        assert done.wait(5)
    finally:
        reaper.stop(listener)
    assert batches == [[0, 1, 2], [3, 4]]
