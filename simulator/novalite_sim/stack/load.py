"""The load generator: boots (and deletes) servers through the Compute API at a target rate.

Open loop: boot *i* is due at ``t0 + i / rate`` whatever the cloud's answers,
so a saturated cloud shows as growing time-to-ACTIVE rather than as a lower
offered rate.  A pool of threads, each with its own keep-alive
``http.client`` connection, sends the POSTs and DELETEs; a late pool shows as
``submit lag`` (sent minus due).

Server states come from one batched poll, ``GET /servers/detail?changes-since=T``
every ``poll_interval`` seconds (T trails the previous poll by a margin, since
MariaDB keeps ``updated_at`` to the second): it lists the servers that
changed, deleted ones included, so one request per interval follows every
server in flight.  Times of ACTIVE, ERROR and deletion are when the poll saw
them, so their resolution is the poll interval.  ``launched_at`` cannot serve:
MariaDB stores it to the second.  A change can still escape the window (its
``updated_at`` older than the margin when it commits), so a server without
news for ``STRAGGLER_AFTER`` seconds is asked for by ``GET /servers/{id}``.
"""

import concurrent.futures
import dataclasses
import datetime
import heapq
import http.client
import json
import threading
import time
import urllib.parse

TOKEN = 'admin:admin'  # noauth2: user admin, project admin, an administrator
# Seconds the changes-since window reaches back before the previous poll: updated_at is
# kept to the second, and is computed before a commit that deadlock retries may delay.
CHANGES_MARGIN = 3.0
STRAGGLER_AFTER = 10.0  # seconds without news after which one server is asked for directly


class Client:
    """Keep-alive HTTP connections to the Compute API, one per calling thread."""

    def __init__(self, host, port, token=TOKEN, timeout=120.0):
        self.host = host
        self.port = port
        self.headers = {'X-Auth-Token': token, 'Content-Type': 'application/json',
                        'Accept': 'application/json'}
        self.timeout = timeout
        self._local = threading.local()

    def request(self, method, path, body=None):
        """(status, decoded JSON body or None); ``path`` is below ``/v2.1``."""
        payload = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            conn = getattr(self._local, 'conn', None)
            reused = conn is not None
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout)
            try:
                conn.request(method, '/v2.1' + path, body=payload, headers=self.headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                # The server may have closed an idle keep-alive connection: one retry
                # on a fresh one (a POST that never reached the server is not doubled).
                if reused and attempt == 1:
                    continue
                raise
            try:
                return resp.status, (json.loads(data) if data else None)
            except ValueError:
                return resp.status, {'raw': data.decode('utf-8', 'replace')[:500]}
        raise AssertionError('unreachable')


@dataclasses.dataclass
class ServerRecord:
    """What the load generator knows of one boot (times are POSIX seconds)."""

    index: int
    name: str
    due: float
    submitted: float | None = None
    answered: float | None = None
    http_status: int | None = None
    id: str | None = None
    active_at: float | None = None
    error_at: float | None = None
    host: str | None = None
    fault: str | None = None
    delete_sent: float | None = None
    delete_status: int | None = None
    deleted_at: float | None = None

    @property
    def accepted(self):
        return self.http_status == 202 and self.id is not None

    @property
    def settled(self):
        return not self.accepted or self.active_at is not None or self.error_at is not None


@dataclasses.dataclass
class LoadResult:
    """Every boot's record plus the run's landmarks."""

    records: list
    started: float
    boots_done: float
    finished: float
    timed_out: int
    poll_requests: int
    poll_errors: int
    straggler_requests: int
    rate: float
    lifetime: float | None
    delete: bool


def _iso(posix):
    return datetime.datetime.fromtimestamp(posix, datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


class LoadGenerator:
    """Boots ``boots`` servers at ``rate``/s; deletes them ``lifetime`` s after ACTIVE or at the end."""

    def __init__(self, client, image_id, flavor_id='1', rate=10.0, boots=100, lifetime=None,
                 delete=True, concurrency=16, poll_interval=0.2, timeout=600.0,
                 name_prefix='stack-', progress=None):
        self.client = client
        self.image_id = image_id
        self.flavor_id = flavor_id
        self.rate = rate
        self.boots = boots
        self.lifetime = lifetime
        self.delete = delete
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.name_prefix = name_prefix
        self.progress = progress
        self.records = []
        self._by_id = {}
        self._unclaimed = {}  # server id -> latest poll view, seen before its POST answered
        self._lock = threading.Lock()
        self._deletes = []  # heap of (due, index)
        self._wake = threading.Event()
        self._stop_poll = threading.Event()
        self.poll_requests = 0
        self.poll_errors = 0
        self.straggler_requests = 0

    # -- the run ----------------------------------------------------------------------------

    def run(self):
        started = time.time()
        self.records = [ServerRecord(i, '%s%d' % (self.name_prefix, i), started + i / self.rate)
                        for i in range(self.boots)]
        poller = threading.Thread(target=self._poll_loop, args=(started - CHANGES_MARGIN,),
                                  name='stack-poll', daemon=True)
        pool = concurrent.futures.ThreadPoolExecutor(self.concurrency,
                                                     thread_name_prefix='stack-http')
        poller.start()
        timed_out = 0
        try:
            for record in self.records:
                self._dispatch_deletes(pool, until=record.due)
                pool.submit(self._boot, record)
            boots_done = time.time()
            deadline = boots_done + self.timeout
            # Everything accepted reaches ACTIVE or ERROR; deletes keep coming meanwhile.
            self._wait(pool, lambda: all(r.settled for r in self.records), deadline)
            timed_out = sum(1 for r in self.records if not r.settled)
            if self.delete:
                if self.lifetime is not None:
                    self._wait(pool, lambda: not self._deletes, deadline + self.lifetime)
                for record in self.records:
                    if record.accepted and record.delete_sent is None:
                        pool.submit(self._delete, record)
                self._wait(pool, self._all_deleted, time.time() + self.timeout)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._stop_poll.set()
            poller.join(10)
        finished = time.time()
        return LoadResult(self.records, started, boots_done, finished, timed_out,
                          self.poll_requests, self.poll_errors, self.straggler_requests,
                          self.rate, self.lifetime,
                          self.delete)

    def _all_deleted(self):
        # A refused DELETE (neither 204 nor 404) will never show as deleted: not waited for.
        return all(r.deleted_at is not None for r in self.records
                   if r.delete_sent is not None and r.delete_status in (None, 204, 404))

    def _wait(self, pool, done, deadline):
        """Dispatch due deletes until ``done()`` or the deadline; True when done."""
        last_report = 0.0
        while time.time() < deadline:
            if done():
                return True
            self._dispatch_deletes(pool, until=min(time.time() + 0.1, deadline))
            if self.progress and time.time() - last_report >= 5:
                last_report = time.time()
                self.progress(self.status_line())
        return done()

    def _dispatch_deletes(self, pool, until):
        """Send the deletes due before ``until``, sleeping in between; return at ``until``."""
        while True:
            now = time.time()
            with self._lock:
                due = self._deletes[0][0] if self._deletes else None
                if due is not None and due <= now:
                    _, index = heapq.heappop(self._deletes)
                    pool.submit(self._delete, self.records[index])
                    continue
            if now >= until:
                return
            wake = until if due is None else min(until, due)
            self._wake.wait(max(0.0, wake - now))
            self._wake.clear()

    def status_line(self):
        records = self.records
        sent = sum(1 for r in records if r.submitted is not None)
        active = sum(1 for r in records if r.active_at is not None)
        error = sum(1 for r in records if r.error_at is not None or (
            r.http_status is not None and not r.accepted))
        deleted = sum(1 for r in records if r.deleted_at is not None)
        return 'sent %d/%d, active %d, error %d, deleted %d' % (sent, len(records), active,
                                                                error, deleted)

    # -- requests (pool threads) ---------------------------------------------------------------

    def _boot(self, record):
        record.submitted = time.time()
        body = {'server': {'name': record.name, 'imageRef': self.image_id,
                           'flavorRef': self.flavor_id}}
        try:
            status, answer = self.client.request('POST', '/servers', body)
        except (OSError, http.client.HTTPException) as exc:
            status, answer = 0, {'error': {'message': 'client error: %s' % exc}}
        record.answered = time.time()
        with self._lock:
            if status == 202:
                record.id = answer['server']['id']
                self._by_id[record.id] = record
                seen = self._unclaimed.pop(record.id, None)
                if seen is not None:
                    self._observe(record, *seen)
            else:
                record.fault = 'HTTP %d: %s' % (status, _fault_message(answer))
                record.error_at = record.answered
            record.http_status = status

    def _delete(self, record):
        record.delete_sent = time.time()
        try:
            status, _ = self.client.request('DELETE', '/servers/%s' % record.id)
        except (OSError, http.client.HTTPException):
            status = 0
        record.delete_status = status
        if status == 404:
            with self._lock:
                if record.deleted_at is None:
                    record.deleted_at = time.time()

    # -- the poll -------------------------------------------------------------------------------

    def _poll_loop(self, since):
        last_sweep = time.time()
        while not self._stop_poll.is_set():
            began = time.time()
            try:
                self._poll_once(since)
                since = began - CHANGES_MARGIN
                if began - last_sweep >= 2.0:
                    last_sweep = began
                    self._sweep_stragglers(began)
            except (OSError, http.client.HTTPException, KeyError, TypeError):
                self.poll_errors += 1  # the next poll covers the same window again
            self._stop_poll.wait(max(0.0, self.poll_interval - (time.time() - began)))

    def _sweep_stragglers(self, now, most=20):
        """Ask directly for servers the batched poll has said nothing of for a while."""
        with self._lock:
            late = [r for r in self.records if r.accepted and (
                (not r.settled and now - r.answered > STRAGGLER_AFTER) or
                (r.delete_sent is not None and r.deleted_at is None and
                 r.delete_status in (204, 404) and now - r.delete_sent > STRAGGLER_AFTER))]
        for record in late[:most]:
            status, body = self.client.request('GET', '/servers/%s' % record.id)
            seen = time.time()
            self.straggler_requests += 1
            with self._lock:
                if status == 404:
                    self._observe(record, seen, 'DELETED', None, None)
                elif status == 200:
                    server = body['server']
                    self._observe(record, seen, server['status'],
                                  server.get('OS-EXT-SRV-ATTR:host'),
                                  (server.get('fault') or {}).get('message'))

    def _poll_once(self, since):
        marker = None
        while True:
            query = {'changes-since': _iso(since), 'limit': 1000}
            if marker:
                query['marker'] = marker
            status, body = self.client.request(
                'GET', '/servers/detail?' + urllib.parse.urlencode(query))
            self.poll_requests += 1
            if status != 200:
                raise OSError('GET /servers/detail answered %s' % status)
            seen = time.time()
            servers = body['servers']
            with self._lock:
                for server in servers:
                    record = self._by_id.get(server['id'])
                    view = (seen, server['status'], server.get('OS-EXT-SRV-ATTR:host'),
                            (server.get('fault') or {}).get('message'))
                    if record is None:
                        self._unclaimed[server['id']] = view
                    else:
                        self._observe(record, *view)
            if not body.get('servers_links') or not servers:
                return
            marker = servers[-1]['id']

    def _observe(self, record, seen, status, host, fault):
        """Apply one polled view of a server (caller holds the lock)."""
        if status == 'ACTIVE' and record.active_at is None:
            record.active_at = seen
            record.host = host
            if self.delete and self.lifetime is not None:
                heapq.heappush(self._deletes, (seen + self.lifetime, record.index))
                self._wake.set()
        elif status == 'ERROR' and record.error_at is None:
            record.error_at = seen
            record.host = host
            record.fault = fault or 'ERROR without a fault'
        elif status == 'DELETED' and record.deleted_at is None:
            record.deleted_at = seen


def _fault_message(body):
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and 'message' in value:
                return value['message']
    return str(body)[:200]
