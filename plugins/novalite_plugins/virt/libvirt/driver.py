"""The libvirt driver: KVM or QEMU (TCG) guests through libvirt-python, or libvirt's test driver.

One service drives one libvirt connection (``[libvirt] connection_uri``); its
node is the host's name as libvirt reports it.  An instance is the domain
named ``instance-<uuid>`` whose libvirt UUID is the instance's uuid; its
files (qcow2 overlay, console log) live in ``<instances_path>/<uuid>/``.
Every libvirtError is translated in ``errors.py``; the domain XML is built in
``config.py``, the disks in ``disk.py`` and the host's resources in ``host.py``.
"""

import contextlib
import os
import shutil
import threading
import time

from oslo_log import log as logging

from novalite import exception
from novalite.compute import states
from novalite.virt import interfaces
from novalite_plugins.virt.libvirt import config
from novalite_plugins.virt.libvirt import disk
from novalite_plugins.virt.libvirt import errors
from novalite_plugins.virt.libvirt import host as lv_host
from novalite_plugins.virt.libvirt import options

LOG = logging.getLogger(__name__)

NAME_PREFIX = 'instance-'

#: as Nova: get_console_output returns at most the last 100 KiB of the log
MAX_CONSOLE_BYTES = 100 * 1024

# libvirt's virDomainState values (the module may be missing; these are ABI-stable)
VIR_NOSTATE, VIR_RUNNING, VIR_BLOCKED, VIR_PAUSED = 0, 1, 2, 3
VIR_SHUTDOWN, VIR_SHUTOFF, VIR_CRASHED, VIR_PMSUSPENDED = 4, 5, 6, 7

#: libvirt domain state -> novalite power state (Nova's LIBVIRT_POWER_STATE); a shut off
#: domain with a managed-save image is SUSPENDED (see _power_state)
POWER_STATE = {
    VIR_NOSTATE: states.NOSTATE, VIR_RUNNING: states.RUNNING,
    # a blocked guest waits on I/O: it runs as far as anyone outside can tell
    VIR_BLOCKED: states.RUNNING, VIR_PAUSED: states.PAUSED_POWER,
    # "being shut down" is SHUTDOWN already, as in Nova
    VIR_SHUTDOWN: states.SHUTDOWN, VIR_SHUTOFF: states.SHUTDOWN,
    VIR_CRASHED: states.CRASHED, VIR_PMSUSPENDED: states.SUSPENDED_POWER,
}

#: what each virt_type can do.  The test driver keeps no files and runs no
#: emulator: no VNC server (its port stays -1), no console log, and it refuses
#: attachDeviceFlags (VIR_ERR_NO_SUPPORT).
_CAPABILITIES = {
    'real': {'has_imagecache': False, 'supports_recreate': False,
             'supports_attach_interface': True, 'supports_attach_volume': True,
             'supports_snapshot': True, 'supports_pause': True,
             'supports_suspend': True, 'supports_console_output': True,
             'supports_vnc_console': True, 'reports_instance_usage': True},
    'test': {'has_imagecache': False, 'supports_recreate': False,
             'supports_attach_interface': False, 'supports_pause': True,
             'supports_suspend': True, 'supports_console_output': False,
             'supports_vnc_console': False, 'reports_instance_usage': True},
}


def instance_name(instance):
    """The libvirt domain name of ``instance`` (stable across renames)."""
    return NAME_PREFIX + instance.uuid


class LibvirtDriver(interfaces.ComputeDriver):
    """Drives KVM/QEMU through libvirt, or libvirt's test driver (``[libvirt]`` options)."""

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(options.OPTS, group=options.GROUP)

    def __init__(self, conf, virtapi=None):
        super().__init__(conf, virtapi)
        self.opts = conf[options.GROUP]
        self._conn = None
        self._conn_lock = threading.Lock()
        self._nodename = None

    @property
    def capabilities(self):
        # Read per call: tests and operators set virt_type after construction.
        return dict(_CAPABILITIES['test' if self._is_test else 'real'])

    @property
    def _is_test(self):
        return self.opts.virt_type == 'test'

    @property
    def uri(self):
        return options.connection_uri(self.opts)

    # -- connection --------------------------------------------------------------------

    def init_host(self, host):
        libvirt = errors.require_libvirt()
        # libvirt prints every error to stderr by default; they reach us as
        # exceptions (translated in errors.py), so the printout is noise.
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
        conn = self.conn
        self._nodename = conn.getHostname()
        _cpu, guests = lv_host.capabilities(conn)
        if not any(dom == self.opts.virt_type for _a, dom, _o in guests):
            LOG.warning('libvirt at %s offers no %s guests (it offers %s)',
                        errors.safe_uri(self.uri), self.opts.virt_type,
                        sorted({dom for _a, dom, _o in guests}))
        os.makedirs(self.instances_path, exist_ok=True)
        LOG.info('Connected to libvirt at %s (virt_type %s, node %s)',
                 errors.safe_uri(self.uri), self.opts.virt_type, self._nodename)

    def cleanup_host(self, host):
        with self._conn_lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except errors.libvirt.libvirtError as exc:  # closing a dead link: nothing to do
                LOG.debug('Closing libvirt connection: %s', exc.get_error_message())

    @property
    def conn(self):
        """The open connection, reopened if libvirtd went away meanwhile."""
        libvirt = errors.require_libvirt()
        with self._conn_lock:
            if self._conn is not None:
                try:
                    if self._conn.isAlive():
                        return self._conn
                except libvirt.libvirtError:
                    pass
                LOG.warning('libvirt connection to %s was lost; reconnecting',
                            errors.safe_uri(self.uri))
                self._conn = None
            try:
                self._conn = libvirt.open(self.uri)
            except libvirt.libvirtError as exc:
                raise errors.open_failed(exc, self.uri) from None
            return self._conn

    @contextlib.contextmanager
    def _errors(self, action, instance=None):
        """Translate a libvirtError raised inside the block (at the one edge)."""
        try:
            yield
        except errors.libvirt.libvirtError as exc:
            raise errors.translate(exc, self.uri, action,
                                   instance.uuid if instance is not None else None) from None

    @property
    def instances_path(self):
        return options.instances_path(self.conf)

    def _instance_dir(self, instance):
        return os.path.join(self.instances_path, instance.uuid)

    # -- host ------------------------------------------------------------------------------

    def get_available_nodes(self, refresh=False):
        return [self._nodename] if self._nodename else []

    def get_available_resource(self, nodename):
        if nodename != self._nodename:
            return {}
        with self._errors('get_available_resource'):
            return lv_host.resources(self.conn, self.opts, self.instances_path,
                                     self.get_host_ip_addr())

    def get_host_ip_addr(self):
        return self.conf.my_ip if 'my_ip' in self.conf else None

    # -- lookups -----------------------------------------------------------------------------

    def _find(self, instance):
        """The domain of ``instance`` or None."""
        try:
            return self._lookup(instance)
        except exception.InstanceNotFound:
            return None

    def _lookup(self, instance):
        """The domain of ``instance``; InstanceNotFound if libvirt has none."""
        with self._errors('lookup', instance):
            dom = self.conn.lookupByUUIDString(instance.uuid)
        if dom.name() != instance_name(instance):
            # Same UUID, foreign name: not a domain this driver made.
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return dom

    def _state(self, dom, instance):
        with self._errors('state', instance):
            return dom.state()[0]

    def _has_saved_memory(self, dom, instance):
        with self._errors('hasManagedSaveImage', instance):
            return bool(dom.hasManagedSaveImage(0))

    def _power_state(self, dom, instance, vir_state=None):
        vir_state = self._state(dom, instance) if vir_state is None else vir_state
        if vir_state == VIR_SHUTOFF and self._has_saved_memory(dom, instance):
            return states.SUSPENDED_POWER
        return POWER_STATE.get(vir_state, states.NOSTATE)

    # -- spawn and destroy -------------------------------------------------------------------

    def spawn(self, context, instance, image_meta, injected_files, admin_password,
              network_info=None, block_device_info=None):
        if self._find(instance) is not None:
            raise exception.HypervisorError(
                reason='a libvirt domain for instance %s already exists' % instance.uuid)
        instance_dir = self._instance_dir(instance)
        dom = None
        try:
            os.makedirs(instance_dir, exist_ok=True)
            spec = self._guest_spec(instance, image_meta or {}, network_info or [],
                                    instance_dir)
            try:
                xml = config.domain_xml(spec)
            except ValueError as exc:   # a VIF without a bridge: no host would do better
                raise exception.BuildAbortException(instance_uuid=instance.uuid,
                                                    reason=str(exc)) from None
            with self._errors('defineXML', instance):
                dom = self.conn.defineXML(xml)
            with self._errors('create', instance):
                dom.createWithFlags(0)
        except Exception:
            self._remove_quietly(dom, instance, instance_dir)
            raise
        LOG.info('Spawned %s as libvirt domain %s', instance.uuid, spec.name)

    def _guest_spec(self, instance, image_meta, network_info, instance_dir):
        props = image_meta.get('properties') or {}
        with self._errors('getCapabilities', instance):
            arch = props.get('architecture') or lv_host.default_arch(self.conn,
                                                                      self.opts.virt_type)
        disk_bus = props.get('hw_disk_bus') or self.opts.disk_bus
        disk_path = None
        if not self._is_test:
            # The test driver opens no files: a disk would be an empty promise.
            disk_path = self._create_root_disk(instance, image_meta, instance_dir)
        flavor = instance.flavor
        return config.GuestSpec(
            name=instance_name(instance), uuid=instance.uuid,
            memory_mb=int(flavor['memory_mb']), vcpus=int(flavor['vcpus']),
            virt_type=self.opts.virt_type, arch=arch, display_name=instance.display_name,
            flavor_name=flavor.get('name', ''), project_id=instance.project_id,
            user_id=instance.user_id, image_id=image_meta.get('id', '') or '',
            machine_type=props.get('hw_machine_type') or self.opts.hw_machine_type,
            disk_path=disk_path, disk_bus=disk_bus,
            nic_model=props.get('hw_vif_model') or self.opts.nic_model,
            console_log=os.path.join(instance_dir, 'console.log'),
            vnc_listen=self.opts.vnc_server_listen, network_info=network_info)

    def image_cache_path(self, image_id):
        """Where the cached copy of image ``image_id`` is expected."""
        return os.path.join(self.instances_path, self.opts.image_cache_subdirectory_name,
                            image_id)

    def _create_root_disk(self, instance, image_meta, instance_dir):
        path = os.path.join(instance_dir, 'disk')
        root_gb = int(instance.flavor.get('root_gb') or 0)
        image_id = image_meta.get('id')
        if not image_id:
            disk.create_blank(path, root_gb)
            return path
        base = self.image_cache_path(image_id)
        if not os.path.exists(base):
            self._fetch_image(image_meta, base)
        disk.create_overlay(base, path, root_gb)
        return path

    @staticmethod
    def _fetch_image(image_meta, base):
        """Copy a ``file://`` image of the registry (a snapshot, or an image an operator
        registered with a location) into the cache; anything else must be cached already."""
        location = image_meta.get('location') or ''
        source = location[len('file://'):] if location.startswith('file://') else None
        if not source or not os.path.isfile(source):
            raise errors.ImageNotCached(image_id=image_meta.get('id'), path=base)
        os.makedirs(os.path.dirname(base), exist_ok=True)
        # Copy then rename: a concurrent spawn never sees a half-written base image.
        partial = '%s.part-%d' % (base, os.getpid())
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, base)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def _remove_quietly(self, dom, instance, instance_dir):
        """Undo a failed spawn: only what this spawn made (never a clashing foreign domain)."""
        try:
            if dom is not None:
                self._remove_domain(dom, instance)
            shutil.rmtree(instance_dir, ignore_errors=True)
        except Exception:  # the spawn's own error is the one to report
            LOG.exception('Cleanup of %s after a failed spawn failed', instance.uuid)

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        dom = self._find(instance)
        if dom is None:
            LOG.debug('destroy: no domain for %s', instance.uuid)
        else:
            try:
                self._remove_domain(dom, instance)
            except exception.InstanceNotFound:
                pass    # gone meanwhile: destroy is idempotent
        if destroy_disks:
            shutil.rmtree(self._instance_dir(instance), ignore_errors=True)

    def _remove_domain(self, dom, instance):
        libvirt = errors.libvirt
        if self._state(dom, instance) != VIR_SHUTOFF:
            self._hard_stop(dom, instance)
        flags = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                 | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
        with self._errors('undefine', instance):
            dom.undefineFlags(flags)

    def _hard_stop(self, dom, instance):
        try:
            with self._errors('destroy', instance):
                dom.destroy()
        except exception.InstanceInvalidState:
            pass    # it stopped by itself in between: the goal is reached

    # -- power -------------------------------------------------------------------------------

    def _clean_shutdown(self, dom, instance, timeout, interval):
        """Ask the guest (ACPI) to power off; True if it was off within ``timeout`` seconds."""
        try:
            with self._errors('shutdown', instance):
                dom.shutdown()
        except exception.InstanceInvalidState:
            return self._state(dom, instance) == VIR_SHUTOFF
        deadline = time.monotonic() + timeout
        while True:
            if self._state(dom, instance) == VIR_SHUTOFF:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(max(0.05, min(interval, deadline - time.monotonic())))

    def _start(self, dom, instance):
        # create() restores a managed save when there is one (a suspended guest resumes).
        with self._errors('create', instance):
            dom.createWithFlags(0)

    def _discard_saved_memory(self, dom, instance):
        if self._has_saved_memory(dom, instance):
            with self._errors('managedSaveRemove', instance):
                dom.managedSaveRemove(0)

    def reboot(self, context, instance, network_info, reboot_type, block_device_info=None):
        dom = self._lookup(instance)
        if reboot_type == 'SOFT' and self._state(dom, instance) == VIR_RUNNING:
            # As Nova: shutdown + create rather than virDomainReboot, so the guest comes
            # back with its current definition; a guest ignoring ACPI gets a hard one.
            timeout = self.opts.soft_reboot_timeout
            if self._clean_shutdown(dom, instance, timeout, 1.0):
                self._start(dom, instance)
                return
            LOG.warning('%s did not shut down within %ss of the ACPI request; rebooting '
                        'hard', instance.uuid, timeout)
        self._hard_reboot(dom, instance)

    def _hard_reboot(self, dom, instance):
        """Power-cycle from any state: a paused guest is stopped, a saved one forgotten."""
        if self._state(dom, instance) != VIR_SHUTOFF:
            self._hard_stop(dom, instance)
        self._discard_saved_memory(dom, instance)
        self._start(dom, instance)

    def power_off(self, instance, timeout=0, retry_interval=0):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state == VIR_SHUTOFF:
            # A suspended guest ends SHUTDOWN too: its saved memory is dropped.
            self._discard_saved_memory(dom, instance)
            return
        if timeout > 0 and vir_state == VIR_RUNNING:
            if self._clean_shutdown(dom, instance, timeout, retry_interval or 1.0):
                return
            LOG.warning('%s did not shut down within %ss; powering off hard',
                        instance.uuid, timeout)
        self._hard_stop(dom, instance)

    def power_on(self, context, instance, network_info, block_device_info=None):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state == VIR_PAUSED:
            with self._errors('resume', instance):
                dom.resume()
        elif vir_state in (VIR_SHUTOFF, VIR_CRASHED):
            self._start(dom, instance)

    def pause(self, instance):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state != VIR_PAUSED:
            self._require(instance, 'pause', vir_state, (VIR_RUNNING, VIR_BLOCKED))
            with self._errors('suspend', instance):
                dom.suspend()

    def unpause(self, instance):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state == VIR_PAUSED:
            with self._errors('resume', instance):
                dom.resume()
        else:
            self._require(instance, 'unpause', vir_state, (VIR_RUNNING, VIR_BLOCKED))

    def suspend(self, context, instance):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state == VIR_SHUTOFF and self._has_saved_memory(dom, instance):
            return
        self._require(instance, 'suspend', vir_state, (VIR_RUNNING, VIR_BLOCKED, VIR_PAUSED))
        with self._errors('managedSave', instance):
            # RUNNING: the restored guest runs even if it was paused when saved.
            dom.managedSave(errors.libvirt.VIR_DOMAIN_SAVE_RUNNING)

    def resume(self, context, instance, network_info, block_device_info=None):
        dom = self._lookup(instance)
        vir_state = self._state(dom, instance)
        if vir_state == VIR_SHUTOFF and self._has_saved_memory(dom, instance):
            self._start(dom, instance)
        elif vir_state == VIR_PAUSED:
            with self._errors('resume', instance):
                dom.resume()
        else:
            self._require(instance, 'resume', vir_state, (VIR_RUNNING, VIR_BLOCKED))

    def _require(self, instance, action, vir_state, allowed):
        if vir_state not in allowed:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance.uuid, attr='power_state',
                state=states.POWER_STATE_NAMES.get(POWER_STATE.get(vir_state), vir_state))

    # -- information -----------------------------------------------------------------------

    def get_info(self, instance):
        dom = self._lookup(instance)
        with self._errors('info', instance):
            vir_state, max_kb, mem_kb, ncpu, cpu_ns = dom.info()
        return interfaces.InstanceInfo(
            state=self._power_state(dom, instance, vir_state), max_mem_kb=int(max_kb),
            mem_kb=int(mem_kb), num_cpu=int(ncpu), cpu_time_ns=int(cpu_ns))

    def _instance_domains(self):
        """{uuid: domain} of every domain this driver made (not libvirt's own 'test')."""
        with self._errors('listAllDomains'):
            domains = self.conn.listAllDomains(0)
            return {d.UUIDString(): d for d in domains
                    if d.name() == NAME_PREFIX + d.UUIDString()}

    def list_instance_uuids(self):
        return list(self._instance_domains())

    def instance_exists(self, instance):
        return self._find(instance) is not None

    def get_power_states(self):
        """{uuid: power state} of every instance in one pass (for the power-state sync)."""
        result = {}
        for uuid, dom in self._instance_domains().items():
            try:
                result[uuid] = self._power_state(dom, _Ref(uuid))
            except exception.InstanceNotFound:
                continue    # deleted between the listing and the query
        return result

    # -- consoles ----------------------------------------------------------------------------

    def _xml(self, dom, instance):
        with self._errors('XMLDesc', instance):
            return dom.XMLDesc(0)

    def _no_test_console(self, what):
        if self._is_test:
            raise exception.NotSupportedByDriver(
                feature=what, driver='libvirt test (virt_type=test runs no emulator)')

    def get_console_output(self, context, instance):
        dom = self._lookup(instance)
        self._no_test_console('console output')
        path = config.console_log_path(self._xml(dom, instance))
        if not path or not os.path.exists(path):
            return ''       # the guest has not written anything yet
        with open(path, 'rb') as log:
            log.seek(max(0, os.path.getsize(path) - MAX_CONSOLE_BYTES))
            return log.read().decode('utf-8', 'replace')

    def get_vnc_console(self, context, instance):
        dom = self._lookup(instance)
        self._no_test_console('VNC consoles')
        listen, port = config.vnc_address(self._xml(dom, instance))
        if port is None:
            raise exception.InstanceInvalidState(
                action='get_vnc_console', instance_uuid=instance.uuid, attr='power_state',
                state=states.POWER_STATE_NAMES[self._power_state(dom, instance)])
        host = self.opts.vnc_server_proxyclient_address
        if not host:
            host = listen if listen and listen not in ('0.0.0.0', '::') else '127.0.0.1'
        return interfaces.ConsoleVNC(host=host, port=port)

    # -- volumes and interfaces ------------------------------------------------------------

    def _device_flags(self, dom, instance):
        libvirt = errors.libvirt
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        with self._errors('isActive', instance):
            if dom.isActive():
                flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        return flags

    def attach_volume(self, context, connection_info, instance, mountpoint, disk_bus=None,
                      device_type=None, encryption=None):
        """Attach the volume of ``connection_info`` as disk ``mountpoint`` (e.g. /dev/vdb).

        Volume types: ``file``/``local`` (``data.device_path`` is a file) and
        ``block``/``iscsi``/``fibre_channel`` (``data.device_path`` is a host block
        device the volume service connected).
        """
        dom = self._lookup(instance)
        dev = os.path.basename(mountpoint)
        if dev in config.disk_targets(self._xml(dom, instance)):
            raise exception.HypervisorError(
                reason='device %s of instance %s is in use' % (dev, instance.uuid))
        element = config.disk_element(_volume_path(connection_info, self.uri), dev,
                                      disk_bus or self.opts.disk_bus,
                                      source_type=_volume_source_type(connection_info))
        with self._errors('attachDeviceFlags', instance):
            dom.attachDeviceFlags(config.to_string(element), self._device_flags(dom, instance))

    def detach_volume(self, connection_info, instance, mountpoint, encryption=None):
        """Detach disk ``mountpoint``; quiet if the instance has no such disk."""
        dom = self._lookup(instance)
        device = config.find_disk(self._xml(dom, instance), os.path.basename(mountpoint))
        if device is None:
            LOG.info('detach_volume: %s has no disk %s', instance.uuid, mountpoint)
            return
        with self._errors('detachDeviceFlags', instance):
            dom.detachDeviceFlags(device, self._device_flags(dom, instance))

    def attach_interface(self, context, instance, image_meta, vif):
        """Plug a NIC on the bridge ``vif`` names (Nova's attach_interface)."""
        dom = self._lookup(instance)
        props = (image_meta or {}).get('properties') or {}
        try:
            element = config.interface_element(vif, props.get('hw_vif_model')
                                               or self.opts.nic_model)
        except ValueError as exc:
            raise exception.HypervisorError(reason=str(exc)) from None
        with self._errors('attachDeviceFlags', instance):
            dom.attachDeviceFlags(config.to_string(element), self._device_flags(dom, instance))

    def detach_interface(self, context, instance, vif):
        """Unplug the NIC with ``vif['address']``; quiet if the instance has none."""
        dom = self._lookup(instance)
        device = config.find_interface(self._xml(dom, instance), vif.get('address') or '')
        if device is None:
            LOG.info('detach_interface: %s has no NIC %s', instance.uuid, vif.get('address'))
            return
        with self._errors('detachDeviceFlags', instance):
            dom.detachDeviceFlags(device, self._device_flags(dom, instance))

    # -- snapshot ----------------------------------------------------------------------------

    def snapshot(self, context, instance, image_id, update_task_state):
        """Flatten the root disk into ``<snapshots_directory>/<image_id>.qcow2``; returns its path.

        The guest is paused while qemu-img copies, so the copy is consistent at
        the block level (Nova's "cold" snapshot stops it; a paused guest keeps
        its memory).  Uploading the file to an image store is the caller's job.
        """
        dom = self._lookup(instance)
        self._no_test_console('snapshots')
        source = config.root_disk_path(self._xml(dom, instance))
        if not source:
            raise exception.NotSupportedByDriver(feature='snapshot of a diskless guest',
                                                 driver='libvirt')
        folder = self.opts.snapshots_directory or os.path.join(self.instances_path,
                                                               'snapshots')
        os.makedirs(folder, exist_ok=True)
        dest = os.path.join(folder, '%s.qcow2' % image_id)
        update_task_state(task_state='image_pending_upload')
        vir_state = self._state(dom, instance)
        was_running = vir_state == VIR_RUNNING
        if was_running:
            with self._errors('suspend', instance):
                dom.suspend()
        try:
            disk.flatten(source, dest, in_use=vir_state != VIR_SHUTOFF)
        finally:
            if was_running:
                with self._errors('resume', instance):
                    dom.resume()
        update_task_state(task_state='image_uploading',
                          expected_state='image_pending_upload')
        return dest


class _Ref:
    """The least an instance lookup needs (for errors naming a uuid)."""

    def __init__(self, uuid):
        self.uuid = uuid


_FILE_VOLUMES = ('file', 'local')
_BLOCK_VOLUMES = ('block', 'iscsi', 'fibre_channel', 'iser')


def _volume_source_type(connection_info):
    kind = connection_info.get('driver_volume_type')
    return 'file' if kind in _FILE_VOLUMES else 'block'


def _volume_path(connection_info, uri):
    kind = connection_info.get('driver_volume_type')
    data = connection_info.get('data') or {}
    path = data.get('device_path') or data.get('path')
    if kind not in _FILE_VOLUMES + _BLOCK_VOLUMES:
        raise exception.NotSupportedByDriver(feature='volume type %r' % kind,
                                             driver='libvirt (%s)' % errors.safe_uri(uri))
    if not path:
        raise exception.HypervisorError(
            reason='connection_info of a %s volume has no data.device_path' % kind)
    return path
