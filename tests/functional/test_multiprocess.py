"""The services as separate processes: gunicorn API (2 workers), conductor, scheduler and
three computes over RabbitMQ and MariaDB, driven by openstacksdk."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import openstack
import pytest

import nltest

pytestmark = [pytest.mark.realservices, pytest.mark.multiprocess,
              pytest.mark.filterwarnings('ignore::DeprecationWarning'),
              pytest.mark.filterwarnings('ignore::Warning:openstack')]

BIN = os.path.dirname(sys.executable)
HOSTS = ('mp-compute1', 'mp-compute2', 'mp-compute3')


def _script(name):
    return os.path.join(BIN, name)


@pytest.fixture
def deployment(tmp_path, rabbit_url, mysql_url):
    port = nltest.free_port()
    config = tmp_path / 'novalite.conf'
    config.write_text(f"""[DEFAULT]
transport_url = {rabbit_url}
state_path = {tmp_path}
report_interval = 1
periodic_interval = 5
network_executor = dry-run
[database]
connection = {mysql_url}
[quota]
instances = -1
cores = -1
ram = -1
""")
    env = dict(os.environ, NOVALITE_CONFIG_FILE=str(config))
    for args in (['db', 'sync'], ['bootstrap']):
        subprocess.run([_script('novalite-manage'), '--config-file', str(config), *args],
                       check=True, env=env, capture_output=True, timeout=120)
    logs = tmp_path / 'logs'
    logs.mkdir()
    commands = {
        'api': [_script('gunicorn'), '-w', '2', '-k', 'gthread', '--threads', '8',
                '-b', '127.0.0.1:%d' % port, 'novalite.api.wsgi:init_application()'],
        'conductor': [_script('novalite-conductor'), '--config-file', str(config)],
        'scheduler': [_script('novalite-scheduler'), '--config-file', str(config)],
        'network': [_script('novalite-network'), '--config-file', str(config)],
    }
    for host in HOSTS:
        commands[host] = [_script('novalite-compute'), '--config-file', str(config),
                          '--host', host]
    procs = {}
    try:
        for name, cmd in commands.items():
            out = open(logs / ('%s.log' % name), 'w')
            procs[name] = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True)
        yield 'http://127.0.0.1:%d/v2.1' % port, procs, logs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _dump(logs):
    return '\n'.join('--- %s\n%s' % (p.name, p.read_text()[-3000:]) for p in logs.iterdir())


def test_twenty_servers_spread_over_three_computes(deployment):
    endpoint, procs, logs = deployment

    def api_answers():
        try:
            return urllib.request.urlopen(endpoint, timeout=2).status == 200
        except OSError:
            return False

    # keystoneauth remembers a failed version discovery: connect once the API answers
    nltest.wait_for(api_answers, timeout=60, what='the API')
    # noauth2: the token names user and project; "admin" is an administrator
    conn = openstack.connect(auth_type='admin_token',
                             auth={'token': 'admin:admin', 'endpoint': endpoint},
                             compute_endpoint_override=endpoint)

    last_error = []

    def services_up():
        for name, proc in procs.items():
            assert proc.poll() is None, '%s exited:\n%s' % (name, _dump(logs))
        try:
            services = list(conn.compute.services())
        except Exception as exc:  # the API may not answer yet
            last_error[:] = [exc]
            return False
        up = {(s.binary, s.host) for s in services if s.state == 'up'}
        wanted = {('novalite-conductor', None), ('novalite-scheduler', None),
                  ('novalite-network', None)}
        binaries = {b for b, _ in up}
        computes = {h for b, h in up if b == 'novalite-compute'}
        return {b for b, _ in wanted} <= binaries and set(HOSTS) <= computes

    try:
        nltest.wait_for(services_up, timeout=60, what='all services up')
    except AssertionError:
        raise AssertionError('services did not come up (last API error: %s):\n%s'
                             % (last_error, _dump(logs))) from None

    image = next(iter(conn.compute.images()))
    conn.compute.create_server(name='mp', image_id=image.id, flavor_id='1', networks='none',
                               min_count=20, max_count=20)
    servers = [s for s in conn.compute.servers() if s.name.startswith('mp')]
    assert len(servers) == 20
    started = time.monotonic()
    for server in servers:
        conn.compute.wait_for_server(server, status='ACTIVE', interval=0.2, wait=120)
    elapsed = time.monotonic() - started
    detailed = list(conn.compute.servers(details=True))
    hosts = {s.compute_host for s in detailed if s.name.startswith('mp')}
    assert hosts == set(HOSTS), hosts
    assert elapsed < 120

    hypervisors = {h.name: h for h in conn.compute.hypervisors(details=True)}
    assert set(HOSTS) <= set(hypervisors)

    # at 2.1 os-hypervisors still carries usage: it must add up to what was booted
    def usage():
        request = urllib.request.Request(endpoint + '/os-hypervisors/detail',
                                         headers={'X-Auth-Token': 'admin:admin'})
        with urllib.request.urlopen(request, timeout=10) as resp:
            nodes = json.load(resp)['hypervisors']
        return {n['hypervisor_hostname']: (n['running_vms'], n['memory_mb_used'])
                for n in nodes}
    nltest.wait_for(lambda: sum(v for v, _ in usage().values()) == 20, timeout=30,
                    what='usage reports')
    per_host = usage()
    assert all(per_host[h][0] > 0 for h in HOSTS)
    assert all(mem == 512 + 512 * vms for vms, mem in per_host.values())

    for server in servers:
        conn.compute.delete_server(server)
    for server in servers:
        conn.compute.wait_for_delete(server, interval=0.2, wait=120)
    assert [s for s in conn.compute.servers() if s.name.startswith('mp')] == []
