"""The hypervisor plugin API: ComputeDriver.

A virt driver is an entry point in ``novalite.virt.drivers`` naming a subclass
of :class:`ComputeDriver`.  The compute manager is its only caller and owns
all state transitions: a driver changes the hypervisor, never the database,
and reports through return values and exceptions.

Contract every driver keeps
---------------------------
* Construction: ``Driver(conf, virtapi=None)``.  A driver that declares
  options does so in a ``register_opts(conf)`` classmethod (the plugin loader
  calls it before construction) and a module ``list_opts()`` for the sample
  config.  Construction must not touch the hypervisor; ``init_host`` does.
* Instances are :class:`novalite.objects.Instance`; the hypervisor-side name
  is derived from ``instance.uuid`` (stable across renames).
* Idempotency: ``destroy`` of an unknown instance succeeds quietly; ``spawn``
  of an instance that already exists raises ``InstanceExists``-like errors as
  ``HypervisorError``.  ``power_off``/``power_on``/``pause``/``unpause``/
  ``suspend``/``resume`` on an instance already in the target state succeed.
* Errors: unknown instance -> ``exception.InstanceNotFound``; a failure the
  next host may not have (out of capacity, a transient hypervisor fault) ->
  ``exception.ComputeResourcesUnavailable`` or ``exception.HypervisorError``
  (the manager reschedules the build); a failure no host will fix (the image
  is unusable for this flavor) -> ``exception.BuildAbortException`` (no
  reschedule, the server goes to ERROR).
* Threads: the compute manager may call a driver from several threads, never
  twice at once for the same instance.  Drivers guard their own shared state.
* Power states are the integers of :mod:`novalite.compute.states`
  (RUNNING 1, PAUSED 3, SHUTDOWN 4, CRASHED 6, SUSPENDED 7).

:mod:`novalite.virt.testing` checks this contract: a driver's test module
subclasses its ``DriverConformance`` class (see doc/drivers.md).
"""

import abc
import dataclasses

from novalite import exception


@dataclasses.dataclass
class InstanceInfo:
    """What ``get_info`` reports: the power state and live sizes of one instance."""

    state: int
    max_mem_kb: int = 0
    mem_kb: int = 0
    num_cpu: int = 0
    cpu_time_ns: int = 0


@dataclasses.dataclass
class ConsoleVNC:
    """Where a VNC console of an instance can be reached by the proxy."""

    host: str
    port: int
    internal_access_path: str | None = None


#: Capability defaults for a driver that does not list a key.  Pause and suspend
#: are abstract methods, so a driver is assumed to support them unless it says not.
DEFAULT_CAPABILITIES = {
    'has_imagecache': False, 'supports_recreate': False,
    'supports_attach_interface': False, 'supports_attach_volume': False,
    'supports_snapshot': False, 'supports_pause': True, 'supports_suspend': True,
    'supports_console_output': True, 'supports_vnc_console': True,
    'reports_instance_usage': False,
}


class ComputeDriver(abc.ABC):
    """Base of every hypervisor driver.  Abstract methods are required;
    the others have a documented default a driver may keep."""

    #: What the driver can do, as Nova's ``capabilities``.  The manager and the
    #: scheduler may consult it, and the conformance kit
    #: (:mod:`novalite.virt.testing`) skips, with the reason, the checks of an
    #: operation declared False here instead of failing them.  A driver may list
    #: only the keys it changes: :meth:`has_capability` falls back to
    #: :data:`DEFAULT_CAPABILITIES`.
    #:
    #: ``supports_pause`` / ``supports_suspend``: pause/unpause, suspend/resume work.
    #: ``supports_console_output`` / ``supports_vnc_console``: the console methods work
    #: (a driver that keeps the base methods has neither, whatever it declares).
    #: ``reports_instance_usage``: the ``*_used`` values of get_available_resource
    #: rise with the instances spawned (a hypervisor-wide view, not a constant).
    capabilities = {'has_imagecache': False, 'supports_recreate': False,
                    'supports_attach_interface': False}

    def has_capability(self, name):
        """The driver's ``capabilities[name]``, else the default (False if unknown)."""
        if name in self.capabilities:
            return bool(self.capabilities[name])
        return DEFAULT_CAPABILITIES.get(name, False)

    def __init__(self, conf, virtapi=None):
        self.conf = conf
        self.virtapi = virtapi

    # -- host -------------------------------------------------------------------

    @abc.abstractmethod
    def init_host(self, host):
        """Connect to the hypervisor for ``host``; called once at service start."""

    def cleanup_host(self, host):
        """Release hypervisor connections at service stop (default: nothing)."""

    @abc.abstractmethod
    def get_available_nodes(self, refresh=False):
        """Names of the nodes (hypervisors) this service manages; usually one."""

    @abc.abstractmethod
    def get_available_resource(self, nodename):
        """Totals and hypervisor facts of ``nodename`` as a dict.

        Keys: vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used,
        local_gb_used (as the hypervisor sees them; the resource tracker
        recomputes usage from the instances it placed), hypervisor_type,
        hypervisor_version (int), hypervisor_hostname, cpu_info (JSON str),
        disk_available_least (GB or None), supported_instances
        ([[arch, hv_type, vm_mode], ...]), host_ip.  An unknown node -> {}.
        """

    def get_host_ip_addr(self):
        """The IP the host is reached at (default: the configured my_ip or None)."""
        return None

    def estimate_instance_overhead(self, instance):
        """Extra memory_mb/vcpus/disk_gb an instance costs the host (default none)."""
        return {'memory_mb': 0, 'vcpus': 0, 'disk_gb': 0}

    # -- lifecycle ------------------------------------------------------------------

    @abc.abstractmethod
    def spawn(self, context, instance, image_meta, injected_files, admin_password,
              network_info=None, block_device_info=None):
        """Create and start ``instance`` from ``image_meta`` (an image registry dict).

        On return the instance runs (``get_info().state == RUNNING``).  On failure
        the driver removes whatever it created before raising.
        """

    @abc.abstractmethod
    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        """Stop and remove ``instance``; quiet success if it does not exist."""

    @abc.abstractmethod
    def reboot(self, context, instance, network_info, reboot_type, block_device_info=None):
        """Reboot: ``SOFT`` asks the guest (ACPI) and falls back to HARD after
        ``conf.shutdown_timeout``; ``HARD`` power-cycles.  Ends RUNNING."""

    @abc.abstractmethod
    def power_off(self, instance, timeout=0, retry_interval=0):
        """Power off; with ``timeout`` > 0 try a clean shutdown first.  Ends SHUTDOWN."""

    @abc.abstractmethod
    def power_on(self, context, instance, network_info, block_device_info=None):
        """Power on a stopped instance.  Ends RUNNING."""

    @abc.abstractmethod
    def pause(self, instance):
        """Freeze the guest in memory.  Ends PAUSED."""

    @abc.abstractmethod
    def unpause(self, instance):
        """Thaw a paused guest.  Ends RUNNING."""

    @abc.abstractmethod
    def suspend(self, context, instance):
        """Save the guest's memory to disk and stop it.  Ends SUSPENDED."""

    @abc.abstractmethod
    def resume(self, context, instance, network_info, block_device_info=None):
        """Restore a suspended guest.  Ends RUNNING."""

    # -- information ------------------------------------------------------------------

    @abc.abstractmethod
    def get_info(self, instance):
        """:class:`InstanceInfo` of ``instance``; InstanceNotFound if unknown."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """UUIDs of every instance the hypervisor has (for power-state sync and cleanup)."""

    def instance_exists(self, instance):
        """True if the hypervisor knows ``instance``."""
        return instance.uuid in self.list_instance_uuids()

    def get_console_output(self, context, instance):
        """The guest's console log as a str (default: the driver has none)."""
        raise exception.NotSupportedByDriver(feature='console output',
                                             driver=type(self).__name__)

    def get_vnc_console(self, context, instance):
        """A :class:`ConsoleVNC` for the proxy (default: the driver has none)."""
        raise exception.NotSupportedByDriver(feature='VNC consoles',
                                             driver=type(self).__name__)

    # -- devices: volumes, interfaces; snapshots ----------------------------------------
    # Optional: a driver that implements one sets the matching capability
    # (supports_attach_volume, supports_attach_interface, supports_snapshot).
    # The defaults refuse with NotSupportedByDriver, which the API shows as 501,
    # as Nova does for a driver without the feature.

    def attach_volume(self, context, connection_info, instance, mountpoint, disk_bus=None,
                      device_type=None, encryption=None):
        """Attach the volume described by ``connection_info`` as ``mountpoint`` (/dev/vdb)."""
        raise exception.NotSupportedByDriver(feature='volume attach',
                                             driver=type(self).__name__)

    def detach_volume(self, connection_info, instance, mountpoint, encryption=None):
        """Detach the volume at ``mountpoint``; quiet if nothing is attached there."""
        raise exception.NotSupportedByDriver(feature='volume detach',
                                             driver=type(self).__name__)

    def attach_interface(self, context, instance, image_meta, vif):
        """Plug a NIC for ``vif`` (one entry of network_info) into the running guest."""
        raise exception.NotSupportedByDriver(feature='interface attach',
                                             driver=type(self).__name__)

    def detach_interface(self, context, instance, vif):
        """Unplug the NIC of ``vif``; quiet if the guest has no such NIC."""
        raise exception.NotSupportedByDriver(feature='interface detach',
                                             driver=type(self).__name__)

    def snapshot(self, context, instance, image_id, update_task_state):
        """Copy the root disk to image ``image_id``; calls ``update_task_state(task_state=
        'image_pending_upload')`` then ``('image_uploading', expected_state=...)``."""
        raise exception.NotSupportedByDriver(feature='snapshot', driver=type(self).__name__)

    def plug_vifs(self, instance, network_info):
        """Connect the instance's VIFs to their bridges before spawn (default: nothing;
        drivers whose hypervisor plugs NICs itself, like libvirt, keep it)."""

    def unplug_vifs(self, instance, network_info):
        """Undo :meth:`plug_vifs` (default: nothing)."""

    # -- optional hooks ----------------------------------------------------------------

    def change_instance_metadata(self, context, instance, diff):
        """Apply a metadata change (``{key: ['+', value] | ['-']}``); default: nothing."""

    def deallocate_networks_on_reschedule(self, instance):
        """True if networks must be released before a build is rescheduled."""
        return False
