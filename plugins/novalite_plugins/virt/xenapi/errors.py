"""XenAPI failures -> novalite exceptions, in one place.

xapi reports errors as ``ErrorDescription`` lists (``[CODE, arg, ...]``); the
compute manager understands novalite's exceptions only.  A failure that
another host may not have stays a ``HypervisorError`` (the manager
reschedules the build); a full host is ``ComputeResourcesUnavailable``.
"""

import xmlrpc.client

import XenAPI

from novalite import exception

# xapi codes that mean "this host has no room"
_NO_ROOM = ('HOST_NOT_ENOUGH_FREE_MEMORY', 'SR_FULL', 'NO_HOSTS_AVAILABLE')


class HypervisorUnreachable(exception.HypervisorUnavailable):
    """The XenAPI endpoint does not answer (refused, timed out, not xapi)."""
    msg_fmt = 'XenAPI at %(url)s is unreachable: %(reason)s'


class AuthenticationFailed(exception.HypervisorUnavailable):
    """xapi refused the configured user name and password."""
    msg_fmt = ('XenAPI login to %(url)s failed: authentication refused for the configured '
               '[xenserver] connection_username / connection_password')


def failure_code(exc):
    """The xapi error code of a XenAPI.Failure ('' for anything else)."""
    details = getattr(exc, 'details', None)
    return str(details[0]) if isinstance(details, list) and details else ''


def translate(exc, url, method, instance_uuid=None):
    """The novalite exception for ``exc`` raised by XenAPI call ``method``.

    Never puts call arguments in the message: a login's include the password.
    """
    if isinstance(exc, XenAPI.Failure):
        code = failure_code(exc)
        details = [str(d) for d in exc.details]
        if code == 'SESSION_AUTHENTICATION_FAILED':
            return AuthenticationFailed(url=url)
        if code in ('HANDLE_INVALID', 'UUID_INVALID') and instance_uuid is not None:
            return exception.InstanceNotFound(instance_id=instance_uuid)
        if code == 'VM_BAD_POWER_STATE' and len(details) >= 4:
            # [VM_BAD_POWER_STATE, ref, expected, actual]
            return exception.InstanceInvalidState(
                action=method, instance_uuid=instance_uuid or details[1],
                attr='XenAPI power state', state='%s (expected %s)' % (details[3],
                                                                      details[2]))
        if code in _NO_ROOM:
            return exception.ComputeResourcesUnavailable(
                reason='XenAPI %s refused: %s' % (method, ' '.join(details)))
        return exception.HypervisorError(
            reason='XenAPI %s failed: %s' % (method, ' '.join(details)))
    if isinstance(exc, (OSError, xmlrpc.client.ProtocolError)):
        # OSError covers refused, reset, timed out and unresolvable hosts
        reason = getattr(exc, 'strerror', None) or getattr(exc, 'errmsg', None) or str(exc)
        return HypervisorUnreachable(url=url, reason='%s: %s' % (type(exc).__name__, reason))
    if isinstance(exc, xmlrpc.client.Fault):
        return exception.HypervisorError(
            reason='XenAPI %s failed: %s' % (method, exc.faultString))
    return exception.HypervisorError(
        reason='XenAPI %s failed: %s: %s' % (method, type(exc).__name__, exc))
