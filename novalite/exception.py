"""Domain exceptions.  The API maps them to Nova fault bodies at one edge (api/faults.py)."""


class NovaliteException(Exception):
    """Base of every novalite error; ``code`` is the HTTP status the API maps it to."""

    msg_fmt = 'An unknown exception occurred.'
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class Invalid(NovaliteException):
    """Bad input (400)."""
    msg_fmt = 'Invalid input: %(reason)s'
    code = 400


class ValidationError(Invalid):
    """A request body or query failed schema validation (400)."""
    msg_fmt = 'Invalid input for field/attribute %(field)s. %(reason)s'


class NotFound(NovaliteException):
    """Something asked for does not exist (404)."""
    msg_fmt = 'Resource could not be found.'
    code = 404


class InstanceNotFound(NotFound):
    """No server with that id."""
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class FlavorNotFound(NotFound):
    """No flavor with that id."""
    msg_fmt = 'Flavor %(flavor_id)s could not be found.'


class FlavorExtraSpecNotFound(NotFound):
    """No such extra spec on the flavor."""
    msg_fmt = 'Flavor %(flavor_id)s has no extra specs with key %(key)s.'


class ImageNotFound(NotFound):
    """No image with that id in the registry."""
    msg_fmt = 'Image %(image_id)s could not be found.'


class KeypairNotFound(NotFound):
    """No key pair with that name for the user."""
    msg_fmt = 'Keypair %(name)s not found for user %(user_id)s'


class ServiceNotFound(NotFound):
    """No service with that id."""
    msg_fmt = 'Service %(service_id)s could not be found.'


class ComputeHostNotFound(NotFound):
    """No compute service on that host."""
    msg_fmt = 'Compute host %(host)s could not be found.'


class ComputeNodeNotFound(NotFound):
    """No hypervisor with that id."""
    msg_fmt = 'Hypervisor %(node)s could not be found.'


class MetadataItemNotFound(NotFound):
    """No metadata item with that key."""
    msg_fmt = 'Metadata item was not found'


class Conflict(NovaliteException):
    """The request conflicts with the current state (409)."""
    msg_fmt = 'Conflict.'
    code = 409


class InstanceInvalidState(Conflict):
    """An action was asked for in a state that does not allow it."""
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is in "
               "%(attr)s %(state)s")


class InstanceIsLocked(Conflict):
    """The server is locked."""
    msg_fmt = 'Instance %(instance_uuid)s is locked'


class UnexpectedTaskStateError(Conflict):
    """A conditional state update lost a race."""
    msg_fmt = ('Conflict updating instance %(instance_uuid)s. '
               'Expected: %(expected)s. Actual: %(actual)s')


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    """The server was deleted while an operation ran."""


class KeyPairExists(Conflict):
    """A key pair with that name already exists for the user."""
    msg_fmt = "Key pair '%(key_name)s' already exists."


class FlavorExists(Conflict):
    """A flavor with that name or id already exists."""
    msg_fmt = 'Flavor with %(what)s %(value)s already exists.'


class Forbidden(NovaliteException):
    """Not allowed (403)."""
    msg_fmt = 'Forbidden.'
    code = 403


class PolicyNotAuthorized(Forbidden):
    """oslo.policy said no."""
    msg_fmt = 'Policy doesn\'t allow %(action)s to be performed.'


class QuotaExceeded(Forbidden):
    """A quota would be exceeded."""
    msg_fmt = 'Quota exceeded: %(reason)s'


class TooManyInstances(QuotaExceeded):
    """Nova's wording for an instances/cores/ram quota overrun."""
    msg_fmt = ('Quota exceeded for %(overs)s: Requested %(req)s, but already '
               'used %(used)s of %(allowed)s %(overs)s')


class NoValidHost(NovaliteException):
    """The scheduler found no host; ``reason`` names the filter that removed the last hosts."""
    msg_fmt = 'No valid host was found. %(reason)s'
    code = 500


class MaxRetriesExceeded(NoValidHost):
    """A build was rescheduled max_attempts times."""
    msg_fmt = 'Exceeded maximum number of retries. %(reason)s'


class ComputeResourcesUnavailable(NovaliteException):
    """A claim on the compute failed (triggers a reschedule)."""
    msg_fmt = 'Insufficient compute resources: %(reason)s.'


class RescheduledException(NovaliteException):
    """A build failed on a host in a way another host may not."""
    msg_fmt = 'Build of instance %(instance_uuid)s was re-scheduled: %(reason)s'


class BuildAbortException(NovaliteException):
    """A build failed in a way no other host would fix."""
    msg_fmt = 'Build of instance %(instance_uuid)s aborted: %(reason)s'


class HypervisorError(NovaliteException):
    """The virt driver failed."""
    msg_fmt = 'Hypervisor error: %(reason)s'


class InstanceNotRunning(Invalid):
    """The driver does not know the instance."""
    msg_fmt = 'Instance %(instance_id)s is not running.'


class PluginNotFound(NovaliteException):
    """A configured plugin name is not installed in its namespace."""
    msg_fmt = ("No plugin named %(name)r in namespace %(namespace)s; "
               "available: %(available)s")


class PluginLoadFailed(NovaliteException):
    """A plugin is installed but failed to import or construct."""
    msg_fmt = 'Plugin %(name)r in namespace %(namespace)s failed to load: %(reason)s'


class ConfigError(NovaliteException):
    """The configuration is unusable."""
    msg_fmt = 'Configuration error: %(reason)s'


class DBNotAllowed(NovaliteException):
    """A service that must not open the database tried to."""
    msg_fmt = '%(binary)s is not allowed to access the database'


class NotSupportedByDriver(NovaliteException):
    """The hypervisor driver does not offer this feature (501)."""
    msg_fmt = '%(feature)s is not supported by the %(driver)s driver.'
    code = 501
