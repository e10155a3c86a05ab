"""One XenAPI session: login, calls serialised on one connection, errors translated.

``XenAPI.Session`` is an ``xmlrpc.client.ServerProxy``: it is not safe to use
from several threads, so every call holds a lock.  When xapi forgets the
session (a restart), the XenAPI client logs in again by itself on
``SESSION_INVALID``.
"""

import threading
import urllib.parse
import xmlrpc.client

import XenAPI
from oslo_log import log as logging

from novalite_plugins.virt.xenapi import errors

LOG = logging.getLogger(__name__)

API_VERSION = '1.2'
ORIGINATOR = 'novalite'


def safe_url(url):
    """``url`` without a user:password@ part, fit for logs and messages."""
    parts = urllib.parse.urlsplit(url or '')
    host = parts.hostname or ''
    if parts.port:
        host = '%s:%d' % (host, parts.port)
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, '', ''))


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class _SafeTimeoutTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout, context=None):
        super().__init__(context=context)
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class XenAPISession:
    """A logged-in XenAPI session; ``call('VM.start', ref, False, False)`` runs one call."""

    def __init__(self, url, username, password, timeout=30.0, ignore_ssl=False):
        self.url = safe_url(url)
        self._lock = threading.Lock()
        if urllib.parse.urlsplit(url).scheme == 'https':
            context = None
            if ignore_ssl:
                import ssl
                context = ssl._create_unverified_context()
            transport = _SafeTimeoutTransport(timeout, context=context)
        else:
            transport = _TimeoutTransport(timeout)
        self._session = XenAPI.Session(url, transport=transport)
        self._login(username, password)

    def _login(self, username, password):
        # Only the URL is logged: the user name and password stay out of every log line.
        LOG.debug('Logging in to XenAPI at %s', self.url)
        try:
            self._session.xenapi.login_with_password(username, password, API_VERSION,
                                                     ORIGINATOR)
        except Exception as exc:
            self._close_transport()
            raise errors.translate(exc, self.url, 'session.login_with_password') from None
        LOG.info('Connected to XenAPI at %s', self.url)

    def call(self, method, *args, instance_uuid=None):
        """Run XenAPI ``method`` (``'CLASS.name'``) with ``args``; novalite exceptions out.

        ``instance_uuid`` turns a HANDLE_INVALID into that instance's InstanceNotFound.
        """
        target = self._session.xenapi
        for part in method.split('.'):
            target = getattr(target, part)
        with self._lock:
            try:
                return target(*args)
            except Exception as exc:
                raise errors.translate(exc, self.url, method, instance_uuid) from exc

    def close(self):
        """Log out (best effort) and drop the connection."""
        with self._lock:
            try:
                self._session.xenapi.session.logout()
            except Exception as exc:  # the host may be gone already; nothing to undo
                LOG.debug('XenAPI logout from %s: %s', self.url, type(exc).__name__)
            self._close_transport()

    def _close_transport(self):
        self._session('close')()
