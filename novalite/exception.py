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


# -- hypervisors ---------------------------------------------------------------------------

class HypervisorUnavailable(HypervisorError):
    """The hypervisor cannot be reached (connection refused, timed out, logged out)."""
    msg_fmt = 'Connection to the hypervisor is broken on host %(host)s: %(reason)s'


class HypervisorOperationRefused(HypervisorError):
    """The hypervisor refused an operation (a bad power state, a quota, a policy)."""
    msg_fmt = 'The hypervisor refused %(operation)s: %(reason)s'


class VolumeNotAttached(NotFound):
    """The volume is not attached to this server."""
    msg_fmt = 'Volume %(volume_id)s is not attached to instance %(instance_id)s.'


class InterfaceNotFound(NotFound):
    """No interface (VIF) with that id on the server."""
    msg_fmt = 'Interface %(port_id)s could not be found on instance %(instance_id)s.'


# -- networking ------------------------------------------------------------------------------

class NetworkNotFound(NotFound):
    """No network with that id, uuid or CIDR."""
    msg_fmt = 'Network %(network_id)s could not be found.'


class NetworkInUse(Conflict):
    """A network still has fixed IPs allocated to servers."""
    msg_fmt = 'Network %(network_id)s is still in use: %(reason)s'


class CidrConflict(Conflict):
    """A new network's CIDR overlaps an existing one."""
    msg_fmt = 'Requested CIDR %(cidr)s conflicts with existing network %(other)s.'


class NoMoreNetworks(NovaliteException):
    """No network is free to associate with a project (VLAN mode)."""
    msg_fmt = 'No more networks available: %(reason)s'
    code = 409


class NoMoreFixedIps(NovaliteException):
    """A network's fixed-IP pool is exhausted."""
    msg_fmt = 'No fixed IP addresses available for network %(network)s.'
    code = 409


class FixedIpNotFound(NotFound):
    """No fixed IP with that address (or not on that server)."""
    msg_fmt = 'Fixed IP %(address)s could not be found.'


class FixedIpAlreadyInUse(Conflict):
    """The fixed IP asked for is taken."""
    msg_fmt = 'Fixed IP address %(address)s is already in use on instance %(instance_uuid)s.'


class FixedIpInvalid(Invalid):
    """The fixed IP asked for is not an address of the network."""
    msg_fmt = 'Fixed IP address %(address)s is invalid: %(reason)s'


class VirtualInterfaceMacAddressException(NovaliteException):
    """No unique MAC could be generated."""
    msg_fmt = 'Creation of a virtual interface with a unique MAC address failed.'


class FloatingIpNotFound(NotFound):
    """No floating IP with that id or address (in this project)."""
    msg_fmt = 'Floating IP %(id)s could not be found.'


class FloatingIpPoolNotFound(NotFound):
    """No floating-IP pool with that name."""
    msg_fmt = 'Floating IP pool %(pool)s not found.'


class NoMoreFloatingIps(NovaliteException):
    """A floating-IP pool is exhausted."""
    msg_fmt = 'No more floating IPs in pool %(pool)s.'
    code = 404


class FloatingIpAssociated(Conflict):
    """The floating IP is associated with a server."""
    msg_fmt = 'Floating IP %(address)s is associated with a server.'


class FloatingIpNotAssociated(Conflict):
    """The floating IP is not associated with that server."""
    msg_fmt = 'Floating IP %(address)s is not associated.'


class FloatingIpExists(Conflict):
    """A floating IP of the range already exists."""
    msg_fmt = 'Floating IP %(address)s already exists.'


class SecurityGroupNotFound(NotFound):
    """No security group with that id or name (in this project)."""
    msg_fmt = 'Security group %(security_group_id)s not found.'


class SecurityGroupExists(Conflict):
    """The project already has a security group of that name."""
    msg_fmt = 'Security group %(name)s already exists.'


class SecurityGroupInUse(Conflict):
    """The group is still used by a server (or is the default group)."""
    msg_fmt = 'Security group %(name)s is in use: %(reason)s'


class SecurityGroupRuleNotFound(NotFound):
    """No security group rule with that id."""
    msg_fmt = 'Security group rule %(rule_id)s not found.'


class SecurityGroupRuleExists(Conflict):
    """The group already has this rule."""
    msg_fmt = 'This rule already exists in group %(group)s.'


class NetworkCommandFailed(NovaliteException):
    """A host command of the network executor failed (its changes were rolled back)."""
    msg_fmt = 'Command failed: %(command)s (exit %(exit_code)s): %(stderr)s'
    code = 500
