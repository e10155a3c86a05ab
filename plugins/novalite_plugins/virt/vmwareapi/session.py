"""One vSphere session: login (SmartConnect), retries, re-login, task waits, errors translated.

Every call to the server goes through :meth:`VMwareAPISession.call`, which
runs a callable (a pyvmomi method call or property read) and

* logs in again on the same stub when the server forgot the session
  (``NotAuthenticated``: vCenter restarted, or the session expired), so
  managed object references held by callers stay valid;
* retries a failed connection ``api_retry_count`` times, pausing
  ``task_poll_interval`` seconds between tries;
* translates whatever is left in ``errors.translate``.

Only the endpoint (host:port) is ever logged: never the user name or password.
"""

import ssl
import threading
import time

from oslo_log import log as logging
from pyVim import connect
from pyVmomi import vim

from novalite_plugins.virt.vmwareapi import errors

LOG = logging.getLogger(__name__)


class VMwareAPISession:
    """A logged-in pyvmomi service instance for the ``[vmware]`` options ``opts``."""

    def __init__(self, opts):
        self._opts = opts
        self.endpoint = '%s:%d' % (opts.host_ip, opts.host_port)
        self._login_lock = threading.Lock()
        self._si = None
        self._login()

    # -- login -----------------------------------------------------------------------------

    def _ssl_context(self):
        if self._opts.insecure:
            return ssl._create_unverified_context()
        # pyvmomi skips verification for localhost unless given a context: always give one
        return ssl.create_default_context(cafile=self._opts.ca_file or None)

    def _login(self):
        LOG.debug('Logging in to vSphere at %s', self.endpoint)
        try:
            self._si = connect.SmartConnect(
                host=self._opts.host_ip, port=self._opts.host_port,
                user=self._opts.host_username or '', pwd=self._opts.host_password or '',
                sslContext=self._ssl_context(),
                httpConnectionTimeout=self._opts.connection_timeout)
        except Exception as exc:
            # from None: the caller's traceback need not show pyvmomi's login frames
            raise errors.translate(exc, self.endpoint, 'Login') from None
        about = self._si.content.about
        LOG.info('Connected to vSphere at %s (%s)', self.endpoint, about.fullName)

    def _relogin(self, stale_si):
        """Log in again on the same stub, unless another thread did already."""
        with self._login_lock:
            if self._si is not stale_si:
                return
            LOG.info('vSphere session at %s expired; logging in again', self.endpoint)
            try:
                self._si.content.sessionManager.Login(self._opts.host_username or '',
                                                      self._opts.host_password or '')
            except Exception as exc:
                raise errors.translate(exc, self.endpoint, 'Login') from None

    @property
    def si(self):
        """The ``vim.ServiceInstance`` (read its ``content`` through :meth:`call`)."""
        if self._si is None:
            with self._login_lock:
                if self._si is None:
                    self._login()
        return self._si

    def close(self):
        """Log out (best effort)."""
        si, self._si = self._si, None
        if si is None:
            return
        try:
            connect.Disconnect(si)
        except Exception as exc:  # the server may be gone already; nothing to undo
            LOG.debug('vSphere logout from %s: %s', self.endpoint, type(exc).__name__)

    # -- calls -----------------------------------------------------------------------------

    def call(self, operation, fn, *args, instance_uuid=None, **kwargs):
        """``fn(*args, **kwargs)`` against the server; novalite exceptions out.

        ``operation`` names the call in messages; ``instance_uuid`` turns a
        ManagedObjectNotFound into that instance's InstanceNotFound.
        """
        attempts = self._opts.api_retry_count
        relogged = False
        attempt = 0
        while True:
            attempt += 1
            si = self.si
            try:
                return fn(*args, **kwargs)
            except vim.fault.NotAuthenticated:
                if relogged:
                    raise errors.translate(vim.fault.NotAuthenticated(), self.endpoint,
                                           operation) from None
                relogged = True
                self._relogin(si)
            except Exception as exc:
                if (not errors.is_connection_error(exc) or attempt >= attempts
                        or isinstance(exc, ssl.SSLCertVerificationError)):
                    raise errors.translate(exc, self.endpoint, operation,
                                           instance_uuid) from exc
                LOG.warning('vSphere %s at %s failed (%s), try %d of %d', operation,
                            self.endpoint, type(exc).__name__, attempt, attempts)
                time.sleep(self._opts.task_poll_interval)

    def wait_for_task(self, task, operation, instance_uuid=None):
        """Wait for ``task`` (a vim.Task) to end; its result, or its fault translated."""
        while True:
            info = self.call(operation, lambda: task.info, instance_uuid=instance_uuid)
            if info.state == vim.TaskInfo.State.success:
                return info.result
            if info.state == vim.TaskInfo.State.error:
                raise errors.translate(info.error, self.endpoint, operation, instance_uuid)
            time.sleep(self._opts.task_poll_interval)

    def run_task(self, operation, method, *args, instance_uuid=None, **kwargs):
        """Start a task with ``method(*args, **kwargs)`` and wait for it."""
        task = self.call(operation, method, *args, instance_uuid=instance_uuid, **kwargs)
        return self.wait_for_task(task, operation, instance_uuid)
