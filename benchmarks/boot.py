"""Boot throughput through the HTTP API: boots/s, time-to-ACTIVE, GET /servers/{id} latency.

Default: starts ``novalite-all`` (SQLite, inproc transport) in a subprocess with
1,000 fake hypervisor nodes, then boots N servers with C concurrent clients,
each POSTing one server and polling it until ACTIVE.  ``--deployment rabbit``
starts the multi-process deployment instead (gunicorn API with 2 workers,
conductor, scheduler, computes) over RabbitMQ and MariaDB on 127.0.0.1.

    python benchmarks/boot.py [-n 2000] [-c 16] [--deployment {all,rabbit}] [--json FILE]
"""

import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

BIN = os.path.dirname(sys.executable)
HEADERS = {'X-Auth-Token': 'admin:admin', 'Content-Type': 'application/json'}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def request(self, method, path, body=None):
        payload = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            conn = getattr(self.local, 'conn', None)
            reused = conn is not None
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                                                    timeout=60)
            try:
                conn.request(method, '/v2.1' + path, body=payload, headers=HEADERS)
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                # the server may close an idle keep-alive connection: retry once on a new one
                if reused and attempt == 1:
                    continue
                raise
            return resp.status, (json.loads(data) if data else None)


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float('nan')
    return values[min(len(values) - 1, int(round(q / 100.0 * (len(values) - 1))))]


def write_config(workdir, nodes_per_host, default='', sections=''):
    """The benchmark's config file: quiet logs, no quotas, N fake nodes per compute."""
    config = os.path.join(workdir, 'novalite.conf')
    with open(config, 'w') as f:
        f.write(f"""[DEFAULT]
state_path = {workdir}
periodic_interval = 600
network_executor = dry-run
default_log_levels = novalite=WARNING,oslo_messaging=WARNING,amqp=WARNING
{default}
[fake_driver]
nodes_per_host = {nodes_per_host}
[quota]
instances = -1
cores = -1
ram = -1
{sections}
""")
    return config


def create_network(config, env=None):
    """A /20 every server gets an address on (the flood is 2,000 servers; the default /24
    that novalite-all would create holds 253)."""
    manage = os.path.join(BIN, 'novalite-manage')
    subprocess.run([manage, '--config-file', config, 'db', 'sync'], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    subprocess.run([manage, '--config-file', config, 'network', 'create', '--label', 'bench',
                    '--fixed_range_v4', '10.8.0.0/20', '--network_size', '4096',
                    '--bridge', 'br100'], check=True, env=env, stdout=subprocess.DEVNULL)


def start_all(workdir, port, computes, nodes_per_host):
    config = write_config(workdir, nodes_per_host,
                          sections='[api]\nosapi_compute_listen_port = %d\n' % port)
    create_network(config)
    log = open(os.path.join(workdir, 'novalite-all.log'), 'w')
    proc = subprocess.Popen([os.path.join(BIN, 'novalite-all'), '--config-file', config,
                             '--fake-computes', str(computes)], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    return [proc]


def start_rabbit(workdir, port, computes, nodes_per_host):
    import sqlalchemy as sa
    vhost = 'novalite_bench_%s' % uuid.uuid4().hex[:8]
    subprocess.run(['rabbitmqctl', '-q', 'add_vhost', vhost], check=True)
    subprocess.run(['rabbitmqctl', '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*',
                    '.*'], check=True)
    dbname = 'novalite_bench_%s' % uuid.uuid4().hex[:8]
    admin = sa.create_engine('mysql+pymysql://root@127.0.0.1/test', isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE %s' % dbname))
    config = write_config(
        workdir, nodes_per_host,
        default='transport_url = rabbit://guest:guest@127.0.0.1:5672/%s' % vhost,
        sections='[database]\nconnection = mysql+pymysql://root@127.0.0.1/%s?charset=utf8mb4\n'
                 % dbname)
    env = dict(os.environ, NOVALITE_CONFIG_FILE=config)
    manage = os.path.join(BIN, 'novalite-manage')
    subprocess.run([manage, '--config-file', config, 'db', 'sync'], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    subprocess.run([manage, '--config-file', config, 'bootstrap'], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    create_network(config, env)
    cmds = [[os.path.join(BIN, 'gunicorn'), '-w', '2', '-k', 'gthread', '--threads', '16',
             '-b', '127.0.0.1:%d' % port, '--log-level', 'warning',
             'novalite.api.wsgi:init_application()'],
            [os.path.join(BIN, 'novalite-conductor'), '--config-file', config],
            [os.path.join(BIN, 'novalite-scheduler'), '--config-file', config],
            [os.path.join(BIN, 'novalite-network'), '--config-file', config]]
    for i in range(computes):
        cmds.append([os.path.join(BIN, 'novalite-compute'), '--config-file', config,
                     '--host', 'compute%d' % (i + 1)])
    procs = []
    for i, cmd in enumerate(cmds):
        log = open(os.path.join(workdir, 'svc%d.log' % i), 'w')
        procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))

    def cleanup():
        subprocess.run(['rabbitmqctl', '-q', 'delete_vhost', vhost])
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE %s' % dbname))
    return procs, cleanup


def wait_ready(client, nodes, procs, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise SystemExit('a service exited early (see its log)')
        try:
            status, body = client.request('GET', '/os-hypervisors')
            if status == 200 and len(body['hypervisors']) >= nodes and all(
                    h['state'] == 'up' for h in body['hypervisors']):
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit('the deployment did not come up within %ss' % timeout)


def post_one(client, name):
    """POST one server; returns (id, wall-clock time the request was sent)."""
    sent = time.time()
    status, body = client.request('POST', '/servers', {'server': {
        'name': name, 'imageRef': IMAGE_ID, 'flavorRef': '1'}})
    if status != 202:
        raise RuntimeError('POST /servers: %s %s' % (status, body))
    return body['server']['id'], sent


def wait_all_active(client, expected, timeout=600):
    """Poll (10/s, one client) until ``expected`` servers exist and none is in BUILD."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        building = client.request('GET', '/servers?status=BUILD&limit=1')[1]['servers']
        errors = client.request('GET', '/servers?status=ERROR&limit=1')[1]['servers']
        if errors:
            raise RuntimeError('a server went to ERROR: %s' % errors[0]['id'])
        if not building:
            return
        time.sleep(0.1)
    raise RuntimeError('servers still building after %ss' % timeout)


def launched_at(client, ids):
    """{id: launched_at as a POSIX time} from the servers' detail, page by page."""
    out, marker = {}, None
    wanted = set(ids)
    while True:
        path = '/servers/detail?limit=1000' + ('&marker=%s' % marker if marker else '')
        servers = client.request('GET', path)[1]['servers']
        if not servers:
            return out
        for server in servers:
            if server['id'] in wanted:
                stamp = datetime.datetime.strptime(server['OS-SRV-USG:launched_at'],
                                                   '%Y-%m-%dT%H:%M:%S.%f')
                out[server['id']] = stamp.replace(tzinfo=datetime.timezone.utc).timestamp()
        marker = servers[-1]['id']


IMAGE_ID = None


def main():
    global IMAGE_ID
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--servers', type=int, default=2000)
    parser.add_argument('-c', '--concurrency', type=int, default=16)
    parser.add_argument('--hosts', type=int, default=1000, help='fake hypervisor nodes')
    parser.add_argument('--computes', type=int, default=4,
                        help='compute services the nodes are spread over')
    parser.add_argument('--deployment', choices=['all', 'rabbit'], default='all')
    parser.add_argument('--single', type=int, default=100,
                        help='boots measured one at a time after the flood (unloaded latency)')
    parser.add_argument('--json', metavar='FILE')
    args = parser.parse_args()
    if args.hosts % args.computes:
        parser.error('--hosts must be a multiple of --computes')

    workdir = tempfile.mkdtemp(prefix='novalite-bench-')
    port = free_port()
    cleanup = None
    if args.deployment == 'all':
        procs = start_all(workdir, port, args.computes, args.hosts // args.computes)
    else:
        procs, cleanup = start_rabbit(workdir, port, args.computes, args.hosts // args.computes)
    client = Client(port)
    try:
        started = time.monotonic()
        wait_ready(client, args.hosts, procs)
        print('deployment (%s) ready with %d nodes in %.1fs' % (
            args.deployment, args.hosts, time.monotonic() - started), flush=True)
        IMAGE_ID = client.request('GET', '/images')[1]['images'][0]['id']

        # warm-up: a few boots so first-request costs are not measured
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda i: post_one(client, 'warm%d' % i), range(args.concurrency)))
        wait_all_active(client, args.concurrency)
        # Clients only POST; time-to-ACTIVE is the server's launched_at (set in the same
        # update that makes it ACTIVE) minus the moment the POST was sent, so no client
        # polling loads the server while it is measured.
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            posted = list(pool.map(lambda i: post_one(client, 'bench%d' % i),
                                   range(args.servers)))
        wait_all_active(client, args.servers)
        launched = launched_at(client, [p[0] for p in posted])
        finished = max(launched.values())
        wall = finished - min(p[1] for p in posted)
        to_active = [launched[sid] - sent for sid, sent in posted]
        # Unloaded latency: one boot at a time, polled every 2 ms until ACTIVE.
        single = []
        for i in range(args.single):
            sid, sent = post_one(client, 'single%d' % i)
            while True:
                body = client.request('GET', '/servers/%s' % sid)[1]['server']
                if body['status'] == 'ACTIVE':
                    single.append(time.time() - sent)
                    break
                if body['status'] == 'ERROR':
                    raise RuntimeError('server %s went to ERROR' % sid)
                time.sleep(0.002)
        get_lat = []
        ids = [p[0] for p in posted]
        for server_id in ids[:1000]:
            t = time.perf_counter()
            client.request('GET', '/servers/%s' % server_id)
            get_lat.append(time.perf_counter() - t)
        figures = {
            'deployment': args.deployment, 'servers': args.servers,
            'concurrency': args.concurrency, 'hosts': args.hosts, 'computes': args.computes,
            'boots_per_s': args.servers / wall, 'wall_s': wall,
            'time_to_active_p50_ms': 1000 * percentile(to_active, 50),
            'time_to_active_p99_ms': 1000 * percentile(to_active, 99),
            'time_to_active_mean_ms': 1000 * statistics.fmean(to_active),
            'single_time_to_active_p50_ms': 1000 * percentile(single, 50),
            'single_time_to_active_p99_ms': 1000 * percentile(single, 99),
            'get_server_p50_ms': 1000 * percentile(get_lat, 50),
            'get_server_p99_ms': 1000 * percentile(get_lat, 99),
            'cpus': os.cpu_count(),
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if cleanup:
            cleanup()
        if os.environ.get('NOVALITE_BENCH_KEEP'):
            print('logs kept in', workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print('boots/s                 %8.1f   (%d servers, %d clients, %d nodes, %s)' % (
        figures['boots_per_s'], args.servers, args.concurrency, args.hosts, args.deployment))
    print('flood: time-to-ACTIVE p50/p99 %8.1f / %.1f ms' % (figures['time_to_active_p50_ms'],
                                                       figures['time_to_active_p99_ms']))
    print('one at a time: time-to-ACTIVE p50/p99 %.1f / %.1f ms (%d boots, polled every 2 ms)' % (
        figures['single_time_to_active_p50_ms'], figures['single_time_to_active_p99_ms'],
        args.single))
    print('GET /servers/{id} p50/p99 %6.2f / %.2f ms' % (figures['get_server_p50_ms'],
                                                         figures['get_server_p99_ms']))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(figures, f, indent=2, sort_keys=True)


if __name__ == '__main__':
    main()
