"""A real novalite deployment on this machine: config, database, broker vhost, processes.

``Deployment`` writes the config files, (re)creates the database, runs
``novalite-manage db sync`` and ``bootstrap``, starts the API under gunicorn,
the schedulers, the conductors and the compute packs
(:mod:`novalite_sim.stack.computes`), each in its own process group with its
log in ``OUT/logs``, and waits until every service is up.  ``stop()`` takes
them down in tiers (API and computes, then conductors, then schedulers:
each tier drains while the services it calls still answer), SIGTERM first
and SIGKILL for what outlives the grace period.  ``ProcessMonitor`` samples
the CPU and memory of every process group, which is how a run names its
bottleneck.
"""

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from novalite_sim.stack import load

BIN = os.path.dirname(sys.executable)
LOG_LEVELS = ('novalite=WARNING,oslo_messaging=WARNING,amqp=WARNING,kombu=WARNING,'
              'sqlalchemy=WARNING,alembic=WARNING,stevedore=WARNING')


class DeploymentError(Exception):
    """The deployment could not be prepared or did not come up; the message says why."""


@dataclasses.dataclass
class Settings:
    """What to deploy: sizes, endpoints, and the knobs that keep 1,000 hosts light."""

    out: str
    hosts: int = 1000
    processes: int = 4
    schedulers: int = 1
    conductors: int = 2
    api_workers: int = 2
    api_threads: int = 16
    api_port: int = 0
    transport_url: str = 'rabbit://guest:guest@127.0.0.1:5672/'
    database_url: str = 'mysql+pymysql://root@127.0.0.1/novalite_stack'
    temp_vhost: bool = True
    host_prefix: str = 'stack-compute-'
    host_vcpus: int = 16
    host_ram_mb: int = 65536
    host_disk_gb: int = 1024
    spawn_delay: float = 0.0
    report_interval: int = 30
    service_down_time: int = 120
    periodic_interval: int = 60
    executor_pool: int = 4
    start_workers: int = 16
    hosts_per_connection: int = 250
    config_options: list = dataclasses.field(default_factory=list)
    startup_timeout: float = 600.0
    keep_database: bool = False


@dataclasses.dataclass
class Proc:
    """One started process (its own process group) and what it is."""

    name: str
    kind: str
    popen: subprocess.Popen
    log: str


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _script(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else (shutil.which(name) or name)


class Deployment:
    """Prepare, start, watch and stop one full-stack deployment (a context manager)."""

    def __init__(self, settings):
        self.s = settings
        self.procs = []
        self.logs = os.path.join(settings.out, 'logs')
        self.config = os.path.join(settings.out, 'novalite.conf')
        self.pack_config = os.path.join(settings.out, 'compute-pack.conf')
        self.port = settings.api_port or _free_port()
        self.endpoint = 'http://127.0.0.1:%d/v2.1' % self.port
        self.client = load.Client('127.0.0.1', self.port)
        self.transport_url = settings.transport_url
        self.database_url = settings.database_url
        self.vhost = None
        self._db_admin_url = None
        self._db_name = None
        self._db_created = False
        self.timings = {}
        self.monitor = ProcessMonitor()

    # -- context manager: whatever happens, nothing is left running ----------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
        return False

    # -- preparation ----------------------------------------------------------------------

    def check_services(self):
        """Fail with one line when the broker or the database server is not answering."""
        parts = urllib.parse.urlsplit(self.s.transport_url)
        if parts.scheme != 'rabbit':
            raise DeploymentError('--transport-url must be a rabbit:// URL, not %r'
                                  % self.s.transport_url)
        host, port = parts.hostname or '127.0.0.1', parts.port or 5672
        if not _answers(host, port):
            raise DeploymentError('RabbitMQ is not answering on %s:%d' % (host, port))
        url = self._db_url()
        host, port = url.host or '127.0.0.1', url.port or (
            3306 if url.drivername.startswith('mysql') else 5432)
        if not _answers(host, port):
            raise DeploymentError('the database server is not answering on %s:%d' % (host, port))

    def _db_url(self):
        import sqlalchemy as sa
        try:
            url = sa.engine.make_url(self.s.database_url)
        except Exception as exc:
            raise DeploymentError('bad --database-url: %s' % exc) from None
        if not url.drivername.startswith(('mysql', 'postgresql')):
            raise DeploymentError('--database-url must be MariaDB/MySQL or PostgreSQL '
                                  '(the services are separate processes), not %s'
                                  % url.drivername)
        if not url.database:
            raise DeploymentError('--database-url must name a database')
        return url

    def prepare(self):
        """Check the services, make the vhost and database, write config, migrate, bootstrap."""
        began = time.monotonic()
        self.check_services()
        os.makedirs(self.logs, exist_ok=True)
        self._make_vhost()
        self._make_database()
        self._write_config()
        env = self._env()
        for step in (['db', 'sync'], ['bootstrap']):
            log = os.path.join(self.logs, 'manage-%s.log' % step[-1])
            with open(log, 'w') as out:
                done = subprocess.run([_script('novalite-manage'), '--config-file', self.config,
                                       *step], env=env, stdout=out, stderr=subprocess.STDOUT,
                                      timeout=300, check=False)
            if done.returncode:
                raise DeploymentError('novalite-manage %s failed (see %s)' % (' '.join(step),
                                                                              log))
        self.timings['prepare_seconds'] = time.monotonic() - began

    def _make_vhost(self):
        # oslo.messaging names topic queues after the topic alone: a vhost of our own
        # keeps this run's queues apart from everyone else's, and deleting it removes
        # every queue and exchange the run declared.
        parts = urllib.parse.urlsplit(self.s.transport_url)
        ctl = shutil.which('rabbitmqctl')
        local = (parts.hostname or '127.0.0.1') in ('127.0.0.1', 'localhost', '::1')
        if not (self.s.temp_vhost and ctl and os.geteuid() == 0 and local
                and parts.path in ('', '/')):
            return
        vhost = 'novalite_stack_%s' % uuid.uuid4().hex[:8]
        for cmd in (['add_vhost', vhost],
                    ['set_permissions', '-p', vhost, parts.username or 'guest', '.*', '.*', '.*']):
            done = subprocess.run([ctl, '-q', *cmd], capture_output=True, text=True, timeout=60)
            if done.returncode:
                raise DeploymentError('rabbitmqctl %s failed: %s' % (cmd[0],
                                                                     done.stderr.strip()))
            self.vhost = vhost
        self.transport_url = urllib.parse.urlunsplit(parts._replace(path='/' + vhost))

    def _make_database(self):
        import sqlalchemy as sa
        url = self._db_url()
        self._db_name = url.database
        mysql = url.drivername.startswith('mysql')
        admin_url = url._replace(database=None) if mysql else url.set(database='postgres')
        self._db_admin_url = admin_url
        engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                self._drop(conn, mysql)
                conn.execute(sa.text('CREATE DATABASE %s' % self._quoted(mysql)))
        except sa.exc.SQLAlchemyError as exc:
            raise DeploymentError('cannot create database %s: %s' % (
                self._db_name, str(exc).splitlines()[0])) from None
        finally:
            engine.dispose()
        self._db_created = True
        if mysql and 'charset' not in url.query:
            url = url.update_query_dict({'charset': 'utf8mb4'})
        self.database_url = url.render_as_string(hide_password=False)

    def _quoted(self, mysql):
        return ('`%s`' if mysql else '"%s"') % self._db_name

    def _drop(self, conn, mysql):
        import sqlalchemy as sa
        if not mysql:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {'name': self._db_name})
        conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % self._quoted(mysql)))

    def _write_config(self):
        s = self.s
        extra = {}
        for item in s.config_options:
            key, _, value = item.partition('=')
            group, _, name = key.rpartition('.')
            extra.setdefault(group or 'DEFAULT', []).append('%s = %s' % (name, value))
        sections = {
            'DEFAULT': ['transport_url = %s' % self.transport_url,
                        'state_path = %s' % os.path.abspath(os.path.join(s.out, 'state')),
                        # 1,000 hosts heartbeat through the conductors: every 30 s rather
                        # than 10 s keeps that to ~33 calls/s.  The periodic resource
                        # report stays at Nova's 60 s: it is what heals a node report
                        # lost at start (compute_node_update is a cast).
                        'report_interval = %d' % s.report_interval,
                        'service_down_time = %d' % s.service_down_time,
                        'periodic_interval = %d' % s.periodic_interval,
                        # thousands of fake hosts share this machine's network stack
                        'network_executor = dry-run',
                        'default_log_levels = %s' % LOG_LEVELS],
            'database': ['connection = %s' % self.database_url],
            'fake_driver': ['vcpus = %d' % s.host_vcpus, 'memory_mb = %d' % s.host_ram_mb,
                            'local_gb = %d' % s.host_disk_gb, 'spawn_delay = %s' % s.spawn_delay],
            'quota': ['instances = -1', 'cores = -1', 'ram = -1'],
        }
        for group, lines in extra.items():
            sections.setdefault(group, []).extend(lines)
        with open(self.config, 'w') as f:
            for group, lines in sections.items():
                f.write('[%s]\n%s\n\n' % (group, '\n'.join(lines)))
        # Read by the compute packs only: the conductor needs its full executor pool.
        with open(self.pack_config, 'w') as f:
            f.write('[DEFAULT]\n'
                    '# A fake host handles a message in microseconds; a pool of 64 threads\n'
                    '# per host would be 16,000 idle threads in a pack of 250.\n'
                    'executor_thread_pool_size = %d\n'
                    '[oslo_messaging_rabbit]\n'
                    '# Sending connections per pack (shared by its hosts): the broker\'s\n'
                    '# descriptors are the scarce resource, not publishing concurrency.\n'
                    'rpc_conn_pool_size = 10\n' % s.executor_pool)

    def _env(self):
        return dict(os.environ, NOVALITE_CONFIG_FILE=os.path.abspath(self.config))

    # -- processes --------------------------------------------------------------------------

    def _spawn(self, name, kind, cmd):
        log = os.path.join(self.logs, '%s.log' % name)
        with open(log, 'w') as out:
            popen = subprocess.Popen(cmd, env=self._env(), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        proc = Proc(name, kind, popen, log)
        self.procs.append(proc)
        self.monitor.add(name, kind, popen.pid)
        return proc

    def pack_sizes(self):
        """Hosts per compute pack: as even as possible, the first packs one larger."""
        base, extra = divmod(self.s.hosts, self.s.processes)
        return [base + (1 if i < extra else 0) for i in range(self.s.processes)]

    def start(self, progress=None):
        """Start every service and wait until all are up; ``progress(text)`` reports waiting."""
        s = self.s
        self.monitor.start()
        began = time.monotonic()
        self._spawn('api', 'api', [
            _script('gunicorn'), '-w', str(s.api_workers), '-k', 'gthread',
            '--threads', str(s.api_threads), '-b', '127.0.0.1:%d' % self.port,
            '--timeout', '300', '--graceful-timeout', '20', '--log-level', 'warning',
            'novalite.api.wsgi:init_application()'])
        for i in range(s.conductors):
            self._spawn('conductor-%d' % i, 'conductor', [
                _script('novalite-conductor'), '--config-file', self.config,
                '--host', 'stack-conductor-%d' % i])
        # Computes ask it for each server's fixed IPs (none unless networks exist).
        self._spawn('network', 'network', [
            _script('novalite-network'), '--config-file', self.config,
            '--host', 'stack-network'])
        for i in range(s.schedulers):
            self._spawn('scheduler-%d' % i, 'scheduler', [
                _script('novalite-scheduler'), '--config-file', self.config,
                '--host', 'stack-scheduler-%d' % i])
        # Computes register through the conductor; on RabbitMQ a call sent before the
        # conductor declared its queue is dropped and retried after a timeout, so the
        # packs start once the controllers are up.
        self._wait(lambda: self._controllers_up(), 'the API, conductors and schedulers',
                   progress)
        self.timings['controllers_seconds'] = time.monotonic() - began
        packs_began = time.monotonic()
        first = 0
        for i, count in enumerate(self.pack_sizes()):
            self._spawn('compute-pack-%d' % i, 'compute-pack', [
                sys.executable, '-m', 'novalite_sim.stack.computes',
                '--config-file', self.config, '--config-file', self.pack_config,
                '--prefix', s.host_prefix, '--first', str(first), '--count', str(count),
                '--start-workers', str(s.start_workers),
                '--hosts-per-connection', str(s.hosts_per_connection)])
            first += count
        self._wait(self._computes_up, '%d compute hosts' % s.hosts, progress)
        now = time.monotonic()
        self.timings['computes_seconds'] = now - packs_began
        self.timings['startup_seconds'] = now - began

    def _wait(self, predicate, what, progress):
        deadline = time.monotonic() + self.s.startup_timeout
        while True:
            self.check_alive()
            state = predicate()
            if state is True:
                return
            if progress and state:
                progress(state)
            if time.monotonic() > deadline:
                raise DeploymentError('%s did not come up within %ds (%s; logs in %s)' % (
                    what, self.s.startup_timeout, state or 'no answer', self.logs))
            time.sleep(1.0)

    def check_alive(self):
        """Raise if a service process exited (naming it and its log)."""
        for proc in self.procs:
            code = proc.popen.poll()
            if code is not None:
                raise DeploymentError('%s exited with status %s (see %s)' % (
                    proc.name, code, proc.log))

    def _services(self):
        try:
            status, body = self.client.request('GET', '/os-services')
        except OSError:
            return None
        return body['services'] if status == 200 else None

    def _controllers_up(self):
        services = self._services()
        if services is None:
            return 'waiting for the API'
        up = [s['binary'] for s in services if s['state'] == 'up']
        conductors, schedulers = up.count('novalite-conductor'), up.count('novalite-scheduler')
        networks = up.count('novalite-network')
        if (conductors >= self.s.conductors and schedulers >= self.s.schedulers
                and networks >= 1):
            return True
        return 'conductors up %d/%d, schedulers up %d/%d, network up %d/1' % (
            conductors, self.s.conductors, schedulers, self.s.schedulers, networks)

    def _computes_up(self):
        services = self._services()
        if services is None:
            return 'waiting for the API'
        prefix = self.s.host_prefix
        up = sum(1 for s in services if s['binary'] == 'novalite-compute' and s['state'] == 'up'
                 and (s['host'] or '').startswith(prefix))
        if up < self.s.hosts:
            return 'compute hosts up %d/%d' % (up, self.s.hosts)
        # Registered is not yet schedulable: the scheduler needs each node's report.
        status, body = self.client.request('GET', '/os-hypervisors')
        nodes = sum(1 for h in (body or {}).get('hypervisors', [])
                    if h['hypervisor_hostname'].startswith(prefix)) if status == 200 else 0
        if nodes < self.s.hosts:
            return 'compute hosts up %d/%d, nodes reported %d' % (up, self.s.hosts, nodes)
        return True

    def describe(self):
        """The deployment section of report.json."""
        s = self.s
        return {
            'hosts': s.hosts, 'processes': s.processes, 'hosts_per_process': self.pack_sizes(),
            'schedulers': s.schedulers, 'conductors': s.conductors,
            'api_workers': s.api_workers, 'api_threads': s.api_threads,
            'transport': _hide_password(self.transport_url),
            'database': _hide_password(self.database_url),
            'report_interval': s.report_interval, 'periodic_interval': s.periodic_interval,
            'executor_thread_pool_size': s.executor_pool,
            'hosts_per_connection': s.hosts_per_connection,
            'host_size': {'vcpus': s.host_vcpus, 'memory_mb': s.host_ram_mb,
                          'local_gb': s.host_disk_gb},
            'spawn_delay': s.spawn_delay, 'config_options': list(s.config_options),
            'cpus': os.cpu_count(),
        }

    def rabbit_stats(self):
        """Queues, messages waiting and connections in this run's vhost (rabbitmqctl), or None."""
        ctl = shutil.which('rabbitmqctl')
        if not ctl or os.geteuid() != 0:
            return None
        vhost = self.vhost or (urllib.parse.urlsplit(self.transport_url).path.lstrip('/')
                               or '/')
        try:
            queues = subprocess.run([ctl, '-q', 'list_queues', '-p', vhost, 'name', 'messages',
                                     'consumers', '--no-table-headers'], capture_output=True,
                                    text=True, timeout=60).stdout.split('\n')
            conns = subprocess.run([ctl, '-q', 'list_connections', 'vhost',
                                    '--no-table-headers'], capture_output=True, text=True,
                                   timeout=60).stdout.split('\n')
        except (OSError, subprocess.SubprocessError):
            return None
        rows = [q.split('\t') for q in queues if q.strip()]
        return {'vhost': vhost, 'queues': len(rows),
                'messages_ready': sum(int(r[1]) for r in rows if len(r) > 1 and r[1].isdigit()),
                'consumers': sum(int(r[2]) for r in rows if len(r) > 2 and r[2].isdigit()),
                'connections': sum(1 for c in conns if c.strip() == vhost)}

    # -- stopping ----------------------------------------------------------------------------

    def stop(self, grace=30.0):
        """Stop every process group in tiers: SIGTERM, then SIGKILL after ``grace`` seconds."""
        tiers = [[p for p in self.procs if p.kind in ('api', 'compute-pack')],
                 [p for p in self.procs if p.kind == 'conductor'],
                 [p for p in self.procs if p.kind == 'scheduler']]
        try:
            for tier in tiers:
                _terminate(tier, grace)
        finally:
            # Even when interrupted: nothing of ours may outlive the run.
            for proc in self.procs:
                _killpg(proc.popen.pid, signal.SIGKILL)
                if proc.popen.poll() is None:
                    proc.popen.wait()
            self.monitor.stop()

    def leftovers(self):
        """Pids of ours still alive (any member of any of our process groups)."""
        groups = {p.popen.pid for p in self.procs}
        return [pid for pid, stat, _ in _proc_stats() if int(stat[2]) in groups]

    def cleanup(self):
        """Drop the database and delete the vhost this deployment created."""
        import sqlalchemy as sa
        if self._db_created and not self.s.keep_database:
            mysql = self._db_admin_url.drivername.startswith('mysql')
            engine = sa.create_engine(self._db_admin_url, isolation_level='AUTOCOMMIT')
            try:
                with engine.connect() as conn:
                    self._drop(conn, mysql)
                self._db_created = False
            except sa.exc.SQLAlchemyError as exc:
                print('warning: could not drop database %s: %s' % (
                    self._db_name, str(exc).splitlines()[0]), file=sys.stderr)
            finally:
                engine.dispose()
        if self.vhost:
            try:
                subprocess.run([shutil.which('rabbitmqctl'), '-q', 'delete_vhost', self.vhost],
                               capture_output=True, timeout=120, check=False)
            except (OSError, subprocess.SubprocessError) as exc:
                print('warning: could not delete RabbitMQ vhost %s: %s' % (self.vhost, exc),
                      file=sys.stderr)
            self.vhost = None


def _hide_password(url):
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(':%s@' % parts.password, ':***@')
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _terminate(procs, grace):
    for proc in procs:
        _killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait()
        # gunicorn's workers (same group) may outlive their master by a moment
        _killpg(proc.popen.pid, signal.SIGKILL)


# -- resource sampling --------------------------------------------------------------------

_TICK = os.sysconf('SC_CLK_TCK')
_PAGE = os.sysconf('SC_PAGE_SIZE')


def _proc_stats():
    """(pid, fields after the command name, command name) per process, from /proc/PID/stat."""
    out = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                data = f.read()
        except OSError:
            continue
        # fields[0] is the state (field 3 of proc(5)): field n is fields[n - 3]
        out.append((int(entry), data[data.rindex(')') + 2:].split(),
                    data[data.index('(') + 1:data.rindex(')')]))
    return out


def _machine_busy():
    with open('/proc/stat') as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class ProcessMonitor:
    """Samples CPU time, RSS and threads of named process groups (and of this process).

    ``mark(label)`` snapshots cumulative CPU; ``cpu_percent(a, b)`` is each
    group's CPU use between two marks (100 = one core).
    """

    # The broker and the database are shared servers, not ours to start; they are
    # watched by command name, since either may be the bottleneck.
    SERVERS = {'beam.smp': 'rabbitmq', 'mariadbd': 'mariadb', 'mysqld': 'mariadb',
               'postgres': 'postgresql'}

    def __init__(self, interval=1.0):
        self.interval = interval
        self.groups = {}  # name -> (kind, pgid or None for this process)
        self.add('load', 'load', None)
        for name in set(self.SERVERS.values()):
            self.add(name, name, None)
        self.peak_rss = {}
        self.peak_threads = {}
        self._cpu_by_pid = {}  # (name, pid) -> ticks, so exited workers still count
        self.marks = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def add(self, name, kind, pgid):
        self.groups[name] = (kind, pgid)

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name='stack-monitor', daemon=True)
            self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except OSError:  # a process vanished mid-read: the next sample will do
                continue

    def sample(self):
        me = os.getpid()
        by_pgid = {pgid: name for name, (_, pgid) in self.groups.items() if pgid is not None}
        rss, threads = {}, {}
        with self._lock:
            for pid, fields, comm in _proc_stats():
                name = 'load' if pid == me else (by_pgid.get(int(fields[2]))
                                                 or self.SERVERS.get(comm))
                if name is None:
                    continue
                self._cpu_by_pid[(name, pid)] = int(fields[11]) + int(fields[12])
                rss[name] = rss.get(name, 0) + int(fields[21]) * _PAGE
                threads[name] = threads.get(name, 0) + int(fields[17])
            for name, value in rss.items():
                self.peak_rss[name] = max(self.peak_rss.get(name, 0), value)
            for name, value in threads.items():
                self.peak_threads[name] = max(self.peak_threads.get(name, 0), value)

    def cpu_seconds(self):
        totals = {}
        for (name, _), ticks in self._cpu_by_pid.items():
            totals[name] = totals.get(name, 0.0) + ticks / _TICK
        return totals

    def mark(self, label):
        self.sample()
        with self._lock:
            self.marks[label] = (time.monotonic(), self.cpu_seconds(), _machine_busy())

    def cpu_percent(self, start, end):
        """{group: % of one core} between two marks, and the machine's busy % (all cores)."""
        (t0, cpu0, m0), (t1, cpu1, m1) = self.marks[start], self.marks[end]
        span = max(t1 - t0, 1e-9)
        groups = {name: round(100.0 * (cpu1.get(name, 0.0) - cpu0.get(name, 0.0)) / span, 1)
                  for name in cpu1}
        total = m1[1] - m0[1]
        machine = round(100.0 * (m1[0] - m0[0]) / total, 1) if total else 0.0
        return groups, machine

    def kind_of(self, name):
        return self.groups[name][0]
