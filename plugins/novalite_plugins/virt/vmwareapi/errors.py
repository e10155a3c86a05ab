"""vSphere faults (pyvmomi) -> novalite exceptions, in one place.

pyvmomi raises a ``vmodl.MethodFault`` subclass for a fault the server
returns (for a call, or as a failed task's ``info.error``) and plain
``OSError`` / ``http.client`` errors for a broken connection.  The compute
manager understands novalite's exceptions only.  Messages name the endpoint
and the call, never the call's arguments: a login's include the password.
"""

import http.client

from pyVmomi import vim
from pyVmomi import vmodl

from novalite import exception

# faults meaning "this host has no room": another host may (the manager reschedules)
_NO_ROOM = (vim.fault.InsufficientResourcesFault, vim.fault.NoDiskSpace)
# faults meaning "the server does not do this at all": callers fall back
_UNSUPPORTED = (vmodl.fault.MethodNotFound, vmodl.fault.NotSupported,
                vmodl.fault.NotImplemented, vim.fault.ToolsUnavailable)


class AuthenticationFailed(exception.HypervisorUnavailable):
    """vCenter refused the configured user name and password (vim.fault.InvalidLogin)."""
    msg_fmt = ('Connection to the hypervisor is broken on host %(host)s: the vSphere login was '
               'refused for the configured [vmware] host_username / host_password')


class NotSupportedByHypervisor(exception.HypervisorOperationRefused):
    """The server lacks the method or feature (MethodNotFound, NotSupported, ToolsUnavailable)."""


def fault_name(fault):
    """'vim.fault.InvalidPowerState' -> 'InvalidPowerState'."""
    return type(fault).__name__.rsplit('.', 1)[-1]


def fault_text(fault):
    """A one-line description of a MethodFault: its name and whatever message it carries."""
    parts = [fault_name(fault)]
    message = getattr(fault, 'msg', None)
    # vcsim fills msg with its Go type name ('*types.InvalidPowerState'): no news
    if message and not message.startswith('*types.'):
        parts.append(message)
    reason = getattr(fault, 'reason', None)
    if isinstance(reason, str) and reason:
        parts.append(reason)
    return ': '.join(parts)


def translate(exc, endpoint, operation, instance_uuid=None):
    """The novalite exception for ``exc``, raised by vSphere ``operation``.

    ``endpoint`` is the host[:port] shown in connection errors;
    ``instance_uuid`` turns a ManagedObjectNotFound into that instance's
    InstanceNotFound.
    """
    if isinstance(exc, exception.NovaliteException):
        return exc
    if isinstance(exc, vim.fault.InvalidLogin):
        return AuthenticationFailed(host=endpoint, reason='InvalidLogin')
    if isinstance(exc, vim.fault.NotAuthenticated):
        return exception.HypervisorUnavailable(
            host=endpoint, reason='the vSphere session is not authenticated (%s)' % operation)
    if isinstance(exc, vmodl.fault.ManagedObjectNotFound):
        if instance_uuid is not None:
            return exception.InstanceNotFound(instance_id=instance_uuid)
        return exception.HypervisorError(reason='vSphere %s failed: %s' % (operation,
                                                                           fault_text(exc)))
    if isinstance(exc, vim.fault.InvalidPowerState):
        return exception.HypervisorOperationRefused(
            operation=operation,
            reason='the VM%s is %s, not %s' % (
                ' of instance %s' % instance_uuid if instance_uuid else '',
                exc.existingState, exc.requestedState))
    if isinstance(exc, _UNSUPPORTED):
        return NotSupportedByHypervisor(operation=operation, reason=fault_text(exc))
    if isinstance(exc, (vim.fault.InvalidState, vim.fault.TaskInProgress)):
        return exception.HypervisorOperationRefused(operation=operation,
                                                    reason=fault_text(exc))
    if isinstance(exc, _NO_ROOM):
        return exception.ComputeResourcesUnavailable(
            reason='vSphere %s refused: %s' % (operation, fault_text(exc)))
    if isinstance(exc, vmodl.MethodFault):
        return exception.HypervisorError(reason='vSphere %s failed: %s' % (operation,
                                                                           fault_text(exc)))
    if isinstance(exc, (OSError, http.client.HTTPException)):
        # OSError covers refused, reset, timed out, unresolvable and TLS failures
        reason = getattr(exc, 'strerror', None) or str(exc) or type(exc).__name__
        return exception.HypervisorUnavailable(
            host=endpoint, reason='%s: %s' % (type(exc).__name__, reason))
    return exception.HypervisorError(
        reason='vSphere %s failed: %s: %s' % (operation, type(exc).__name__, exc))


def is_connection_error(exc):
    """True for a failure of the connection itself (worth a retry), not a server fault."""
    return (isinstance(exc, (OSError, http.client.HTTPException))
            and not isinstance(exc, vmodl.MethodFault))
