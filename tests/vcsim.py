"""govmomi's vCenter simulator (vcsim) for the vmwareapi driver tests, built offline and cached.

Debian's ``golang-github-vmware-govmomi-dev`` ships govmomi's ``simulator``
package but not its vcsim command, so ``tests/go/vcsim/main.go`` is a small
one (plus a test hook, ``/novalite/refuse``, that makes the next N tasks of a
kind fail).  :func:`binary` builds it once in GOPATH mode (no network) into
``$XDG_CACHE_HOME/novalite/vcsim/<govmomi version>-<main.go hash>/vcsim``;
:class:`Vcsim` runs it on 127.0.0.1 on a free port.

Without ``go`` or the govmomi sources a test skips with a one-line reason,
and fails under ``CI=true``, where they are part of the environment.
"""

import hashlib
import os
import pathlib
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

import nltest

GOPATH = pathlib.Path('/usr/share/gocode')
SIMULATOR = GOPATH / 'src/github.com/vmware/govmomi/simulator'
MAIN_GO = pathlib.Path(__file__).parent / 'go' / 'vcsim' / 'main.go'
APT_PACKAGES = 'golang-go golang-github-vmware-govmomi-dev'


def _unavailable(reason):
    message = 'vcsim unavailable: %s (apt-get install %s)' % (reason, APT_PACKAGES)
    if os.environ.get('CI', '').lower() == 'true':
        pytest.fail(message + ' (CI=true: a missing vcsim is a failure)')
    pytest.skip(message)


def _govmomi_version():
    try:
        out = subprocess.run(['dpkg-query', '-W', '-f=${Version}',
                              'golang-github-vmware-govmomi-dev'],
                             capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        out = ''
    return re.sub(r'[^A-Za-z0-9.+-]', '_', out) or 'unknown'


def cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return pathlib.Path(base) / 'novalite' / 'vcsim'


def binary():
    """The path of the vcsim binary, building it first if the cache lacks it."""
    digest = hashlib.sha256(MAIN_GO.read_bytes()).hexdigest()[:12]
    target = cache_dir() / ('%s-%s' % (_govmomi_version(), digest)) / 'vcsim'
    if target.exists():
        return target
    go = shutil.which('go')
    if go is None:
        _unavailable('no go compiler on PATH')
    if not SIMULATOR.is_dir():
        _unavailable('no govmomi simulator sources in %s' % SIMULATOR)
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GO111MODULE='off', GOPATH=str(GOPATH), GOPROXY='off',
               GOFLAGS='', CGO_ENABLED='0', GOCACHE=str(cache_dir() / 'gocache'))
    # build next to the target and rename: concurrent test processes never see half a file
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix='.vcsim-')
    os.close(fd)
    try:
        result = subprocess.run([go, 'build', '-o', partial, str(MAIN_GO)], env=env,
                                capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0:
            _unavailable('go build failed: %s' % (result.stderr.strip().splitlines() or ['?'])[-1])
        os.chmod(partial, 0o755)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


class Vcsim:
    """One vcsim process on 127.0.0.1 (https, self-signed) with one cluster and one host."""

    def __init__(self, username='novalite', password='vcsim-Pa55word', vms=1, hosts=1):
        self.username = username
        self.password = password
        self.vms = vms
        self.hosts = hosts
        self.host = '127.0.0.1'
        self.port = None
        self._proc = None

    def start(self, timeout=30.0):
        path = binary()
        self.port = self.port or nltest.free_port()
        self._proc = subprocess.Popen(
            [str(path), '-l', '%s:%d' % (self.host, self.port), '-vm', str(self.vms),
             '-host', str(self.hosts), '-username', self.username, '-password', self.password],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self._proc.stdout.readline()        # VCSIM_URL=... once it listens
        if not line.startswith('VCSIM_URL='):
            self.stop()
            raise RuntimeError('vcsim did not start (printed %r)' % line)
        deadline = time.monotonic() + timeout
        while not nltest._answers(self.host, self.port):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('vcsim is not answering on port %d' % self.port)
            time.sleep(0.05)
        return self

    def stop(self):
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.send_signal(signal.SIGTERM)
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            self._proc.stdout.close()
            self._proc = None

    @property
    def running(self):
        return self._proc is not None and self._proc.poll() is None

    def _hook(self, path, **query):
        url = 'https://%s:%d/novalite/%s?%s' % (self.host, self.port, path,
                                                 urllib.parse.urlencode(query))
        with urllib.request.urlopen(url, context=ssl._create_unverified_context(),
                                    timeout=5) as response:
            assert response.read().strip() == b'ok'

    def refuse(self, task, times=1, reason='refused by the test'):
        """Make the next ``times`` tasks ``task`` (e.g. 'VirtualMachine.powerOn') fail."""
        self._hook('refuse', task=task, times=times, reason=reason)

    def reset(self):
        """Drop refusals still pending."""
        self._hook('reset')

    def connect(self):
        """A pyvmomi ServiceInstance of its own, to look at the inventory from the test side."""
        from pyVim import connect
        return connect.SmartConnect(host=self.host, port=self.port, user=self.username,
                                    pwd=self.password, disableSslCertValidation=True)
