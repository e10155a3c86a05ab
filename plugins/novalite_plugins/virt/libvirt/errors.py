"""libvirt failures -> novalite exceptions, in one place.

The compute manager understands novalite's exceptions only.  A failure that
another host may not have stays a ``HypervisorError`` (the manager
reschedules a build); an unknown domain is ``InstanceNotFound``; an operation
the hypervisor cannot do at all is ``NotSupportedByDriver``.

libvirt-python is an optional dependency (it needs a C build against
libvirt-dev), so it is imported here once and may be ``None``: the entry
point must load without it, and ``init_host`` says what to install.
"""

import urllib.parse

from novalite import exception

try:
    import libvirt
except ImportError:  # the extra is not installed: the driver refuses to start
    libvirt = None


class HypervisorUnreachable(exception.HypervisorUnavailable):
    """The libvirt connection cannot be opened or was lost (daemon down, socket refused)."""
    msg_fmt = 'libvirt at %(uri)s is unreachable: %(reason)s'


class AuthenticationFailed(exception.HypervisorUnavailable):
    """libvirt refused the credentials of the connection."""
    msg_fmt = ('libvirt at %(uri)s refused the connection\'s credentials: check '
               '[libvirt] connection_uri and the libvirtd auth setup')


class ImageNotCached(exception.HypervisorError):
    """The image the instance boots from is not in this host's image cache."""
    msg_fmt = 'image %(image_id)s is not in the image cache of this host (%(path)s)'


def require_libvirt():
    """The libvirt module, or ConfigError naming what to install."""
    if libvirt is None:
        raise exception.ConfigError(
            reason='compute_driver = libvirt needs libvirt-python: pip install '
                   '"novalite[libvirt]" (builds against the libvirt-dev and pkg-config '
                   'system packages)')
    return libvirt


def safe_uri(uri):
    """``uri`` without its ``user:password@`` part, for logs and messages."""
    parts = urllib.parse.urlsplit(uri)
    if '@' not in parts.netloc:
        return uri
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition('@')[2]))


def _scrub(text, uri):
    # libvirt may quote the URI it was given; never echo its credentials.
    return text.replace(uri, safe_uri(uri)) if uri else text


def _codes(*names):
    return frozenset(getattr(libvirt, n) for n in names if hasattr(libvirt, n))


if libvirt is not None:
    _UNREACHABLE = _codes('VIR_ERR_NO_CONNECT', 'VIR_ERR_INVALID_CONN', 'VIR_ERR_RPC')
    # A system error is a lost connection only when the RPC layer raised it.
    _RPC_DOMAINS = _codes('VIR_FROM_REMOTE', 'VIR_FROM_RPC')
    _AUTH = _codes('VIR_ERR_AUTH_FAILED', 'VIR_ERR_AUTH_CANCELLED', 'VIR_ERR_AUTH_UNAVAILABLE')
    _NO_ROOM = _codes('VIR_ERR_NO_MEMORY', 'VIR_ERR_NO_STORAGE_VOL')
else:
    _UNREACHABLE = _RPC_DOMAINS = _AUTH = _NO_ROOM = frozenset()


def is_disconnect(exc):
    """True if ``exc`` says the connection itself is gone (reconnect and retry)."""
    code, domain = exc.get_error_code(), exc.get_error_domain()
    return code in _UNREACHABLE or (code == libvirt.VIR_ERR_SYSTEM_ERROR
                                    and domain in _RPC_DOMAINS)


def translate(exc, uri, action, instance_uuid=None):
    """The novalite exception for libvirtError ``exc`` raised by ``action``."""
    code = exc.get_error_code()
    message = _scrub(exc.get_error_message() or str(exc), uri)
    if code == libvirt.VIR_ERR_NO_DOMAIN and instance_uuid is not None:
        return exception.InstanceNotFound(instance_id=instance_uuid)
    if code in _AUTH:
        return AuthenticationFailed(uri=safe_uri(uri))
    if is_disconnect(exc):
        return HypervisorUnreachable(uri=safe_uri(uri), reason=message)
    if code == libvirt.VIR_ERR_OPERATION_INVALID and instance_uuid is not None:
        return exception.InstanceInvalidState(
            action=action, instance_uuid=instance_uuid, attr='libvirt state', state=message)
    if code == libvirt.VIR_ERR_NO_SUPPORT:
        return exception.NotSupportedByDriver(
            feature=action, driver='libvirt (%s)' % safe_uri(uri))
    if code in _NO_ROOM:
        return exception.ComputeResourcesUnavailable(
            reason='libvirt %s refused: %s' % (action, message))
    return exception.HypervisorError(reason='libvirt %s failed: %s' % (action, message))


def open_failed(exc, uri):
    """The novalite exception for a failed ``libvirt.open(uri)``: always a HypervisorError."""
    if exc.get_error_code() in _AUTH:
        return AuthenticationFailed(uri=safe_uri(uri))
    return HypervisorUnreachable(uri=safe_uri(uri),
                                 reason=_scrub(exc.get_error_message() or str(exc), uri))
