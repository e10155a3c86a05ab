"""Network namespaces for real networking tests: create, wire, probe, and always delete.

Every namespace is ``nl-<random>`` and every command runs inside one (``ip
netns exec``, ``ip -n``), so a test never touches the host's own interfaces or
tables.  ``Namespaces`` is a context manager: leaving it (even on a failure)
kills the processes left inside its namespaces and deletes them.

``require(...)`` checks a capability: without it, a test skips with a one-line
reason on a developer machine and fails under ``CI=true``.  Kernel features
that no package can add (``require_kernel``) skip in both cases: CI installs
the tools, it cannot rebuild the kernel it runs on.
"""

import os
import shutil
import subprocess
import sys
import uuid

import pytest

import nltest

_CACHE = {}

# What each tool-level capability needs; the packages are what CI installs (Debian).
TOOLS = {
    'ip': ('ip', 'iproute2'),
    'iptables': ('iptables-restore', 'iptables'),
    'dnsmasq': ('dnsmasq', 'dnsmasq-base'),
    'dhcp_release': ('dhcp_release', 'dnsmasq-utils'),
    'udhcpc': ('busybox', 'busybox'),
}


def _missing(reason):
    nltest.missing(reason, what='capability')


def run(cmd, check=True, timeout=20, input=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError('%s failed (exit %s): %s' % (' '.join(cmd), proc.returncode,
                                                          proc.stderr.strip()))
    return proc


def _probe_netns():
    if os.geteuid() != 0:
        return 'network namespace tests need root'
    if shutil.which('ip') is None:
        return 'ip (iproute2) is not installed'
    name = 'nl-probe-%s' % uuid.uuid4().hex[:8]
    proc = run(['ip', 'netns', 'add', name], check=False)
    if proc.returncode != 0:
        return 'cannot create a network namespace: %s' % proc.stderr.strip()
    try:
        proc = run(['ip', 'netns', 'exec', name, 'ip', 'link', 'add', 'p0', 'type', 'veth',
                    'peer', 'name', 'p1'], check=False)
        if proc.returncode != 0:
            return 'cannot create veth pairs in a namespace: %s' % proc.stderr.strip()
        if shutil.which('iptables-restore'):
            proc = run(['ip', 'netns', 'exec', name, 'iptables-restore', '-w', '5'], check=False,
                       input='*filter\n:nl-probe - [0:0]\n-A nl-probe -m mac --mac-source '
                             '02:00:00:00:00:01 -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n')
            _CACHE['iptables'] = (None if proc.returncode == 0 else
                                  'iptables does not work in a namespace: %s' % proc.stderr.strip())
        proc = run(['ip', 'netns', 'exec', name, 'ip', 'link', 'add', 'link', 'p0', 'name', 'v5',
                    'type', 'vlan', 'id', '5'], check=False)
        _CACHE['vlan'] = (None if proc.returncode == 0 else
                          'the kernel cannot create 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q): %s'
                          % proc.stderr.strip())
    finally:
        run(['ip', 'netns', 'del', name], check=False)
    return None


def require(*capabilities):
    """Skip (fail under CI=true) unless namespaces and each named tool capability work."""
    if 'netns' not in _CACHE:
        _CACHE['netns'] = _probe_netns()
    if _CACHE['netns']:
        _missing(_CACHE['netns'])
    for capability in capabilities:
        binary, package = TOOLS[capability]
        if shutil.which(binary) is None:
            _missing('%s is not installed (Debian package %s)' % (binary, package))
        if _CACHE.get(capability):
            _missing(_CACHE[capability])


def require_kernel(feature):
    """Skip (also under CI: no package adds it) unless the kernel offers ``feature`` ('vlan')."""
    require()
    if _CACHE.get(feature):
        pytest.skip(_CACHE[feature])


class Namespace:
    def __init__(self, name):
        self.name = name

    def cmd(self, *cmd):
        return ['ip', 'netns', 'exec', self.name] + [str(c) for c in cmd]

    def run(self, *cmd, check=True, timeout=20):
        return run(self.cmd(*cmd), check=check, timeout=timeout)

    def popen(self, *cmd, **kwargs):
        return subprocess.Popen(self.cmd(*cmd), **kwargs)

    def links(self):
        return self.run('ip', '-d', 'link', 'show').stdout

    def wait_up(self, *devs, timeout=5.0):
        """Wait until each device reports carrier (the kernel's linkwatch may lag up to 1 s)."""
        for dev in devs:
            wait_for(lambda dev=dev: 'state UP' in self.run('ip', '-o', 'link', 'show', 'dev', dev).stdout,
                     timeout=timeout, what='%s up in %s' % (dev, self.name))

    def __repr__(self):
        return 'Namespace(%s)' % self.name


class Namespaces:
    """Creates namespaces for one test and deletes them all on exit, whatever happened."""

    def __init__(self):
        self.created = []
        self.processes = []

    def add(self):
        ns = Namespace('nl-%s' % uuid.uuid4().hex[:10])
        run(['ip', 'netns', 'add', ns.name])
        self.created.append(ns)
        ns.run('ip', 'link', 'set', 'lo', 'up')
        return ns

    def veth(self, ns_a, name_a, ns_b, name_b, address_a=None, address_b=None):
        """A veth pair ``name_a`` (in ns_a) <-> ``name_b`` (in ns_b), both up, optional addresses."""
        ns_a.run('ip', 'link', 'add', name_a, 'type', 'veth', 'peer', 'name', name_b,
                 'netns', ns_b.name)
        for ns, name, address in ((ns_a, name_a, address_a), (ns_b, name_b, address_b)):
            if address:
                ns.run('ip', 'addr', 'add', address, 'dev', name)
            ns.run('ip', 'link', 'set', name, 'up')

    def track(self, proc):
        self.processes.append(proc)
        return proc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
        for ns in self.created:
            # Daemons started inside (dnsmasq, listeners) die with the test.
            pids = run(['ip', 'netns', 'pids', ns.name], check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            run(['ip', 'netns', 'del', ns.name], check=False)
        self.created = []


LISTENER = r'''
import socket, sys
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((sys.argv[1], int(sys.argv[2])))
sock.listen(8)
print('ready', flush=True)
while True:
    conn, peer = sock.accept()
    conn.sendall(('hello %s\n' % peer[0]).encode())
    conn.close()
'''

CONNECT = r'''
import socket, sys
sock = socket.socket()
sock.settimeout(float(sys.argv[3]))
if len(sys.argv) > 4:
    sock.bind((sys.argv[4], 0))
try:
    sock.connect((sys.argv[1], int(sys.argv[2])))
    print(sock.recv(100).decode().strip())
except socket.timeout:
    sys.exit(3)
except OSError as exc:
    print(exc, file=sys.stderr)
    sys.exit(4)
'''


def listen(namespaces, ns, address, port):
    """A TCP server in ``ns`` answering ``hello <peer address>``; returns once it listens."""
    proc = namespaces.track(ns.popen(sys.executable, '-c', LISTENER, address, str(port),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    line = proc.stdout.readline()
    if line.strip() != 'ready':
        raise AssertionError('listener in %s did not start: %s' % (ns, proc.stderr.read()))
    return proc


def connect(ns, address, port, timeout=1.0, source=None):
    """Connect from ``ns``: ('ok', greeting) | ('timeout', '') | ('error', message)."""
    args = [sys.executable, '-c', CONNECT, address, str(port), str(timeout)]
    if source:
        args.append(source)
    proc = ns.run(*args, check=False, timeout=timeout + 10)
    if proc.returncode == 0:
        return 'ok', proc.stdout.strip()
    if proc.returncode == 3:
        return 'timeout', ''
    return 'error', proc.stderr.strip()


def wait_for(predicate, timeout=5.0, what='condition'):
    """nltest.wait_for at a 50 ms poll: each poll here runs a command in a namespace."""
    return nltest.wait_for(predicate, timeout=timeout, what=what, interval=0.05)
