"""The XenAPI driver: XenServer / XCP-ng guests through the PyPI ``xenapi`` client.

One service drives one host (the pool master of a pool of one); its node is
the host's name.  Instances are VMs cloned from a template (or made by
VM.create), with a root disk on the configured SR and a NIC on the configured
network.  Every XenAPI error is translated in ``errors.py``.
"""

import base64
import urllib.parse
import zlib

from oslo_log import log as logging

from novalite import exception
from novalite.compute import states
from novalite.virt import interfaces
from novalite_plugins.virt.xenapi import host as xen_host
from novalite_plugins.virt.xenapi import options
from novalite_plugins.virt.xenapi import session as xen_session
from novalite_plugins.virt.xenapi import vm_utils

LOG = logging.getLogger(__name__)


class XenAPIDriver(interfaces.ComputeDriver):
    """Drives a XenServer/XCP-ng host over XenAPI (``[xenserver]`` options)."""

    # Only what differs from DEFAULT_CAPABILITIES.
    capabilities = {'reports_instance_usage': True}

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(options.OPTS, group=options.GROUP)

    def __init__(self, conf, virtapi=None):
        super().__init__(conf, virtapi)
        self.opts = conf[options.GROUP]
        self._session = None
        self._host_ref = None
        self._nodename = None

    # -- host ----------------------------------------------------------------------------

    def init_host(self, host):
        if not self.opts.connection_url:
            raise exception.ConfigError(
                reason='[xenserver] connection_url is required by the xenapi driver')
        self._session = xen_session.XenAPISession(
            self.opts.connection_url, self.opts.connection_username,
            self.opts.connection_password or '', timeout=self.opts.connection_timeout,
            ignore_ssl=self.opts.ignore_ssl)
        self._host_ref, record = xen_host.the_host(self._session)
        self._nodename = record['hostname']

    def cleanup_host(self, host):
        if self._session is not None:
            self._session.close()
            self._session = None

    @property
    def session(self):
        if self._session is None:
            raise exception.HypervisorError(reason='the xenapi driver is not connected '
                                                   '(init_host was not called)')
        return self._session

    def get_available_nodes(self, refresh=False):
        return [self._nodename] if self._nodename else []

    def get_available_resource(self, nodename):
        if nodename != self._nodename:
            return {}
        record = self.session.call('host.get_record', self._host_ref)
        return xen_host.resources(self.session, self.opts, self._host_ref, record)

    def get_host_ip_addr(self):
        return urllib.parse.urlsplit(self.opts.connection_url or '').hostname

    # -- lifecycle -------------------------------------------------------------------------

    def spawn(self, context, instance, image_meta, injected_files, admin_password,
              network_info=None, block_device_info=None):
        session = self.session
        if vm_utils.find_vm(session, instance) is not None:
            raise exception.HypervisorError(
                reason='a VM for instance %s already exists' % instance.uuid)
        vm = None
        try:
            vm = vm_utils.create_vm(session, self.opts, instance)
            vm_utils.create_disks(session, self.opts, instance, vm)
            vm_utils.create_vifs(session, self.opts, instance, vm, network_info)
            session.call('VM.start', vm, False, False, instance_uuid=instance.uuid)
        except Exception:
            if vm is not None:
                self._remove_quietly(vm, instance)
            raise
        LOG.info('Spawned %s as XenAPI VM %s', instance.uuid, vm)

    def _remove_quietly(self, vm, instance):
        try:
            vm_utils.remove_vm(self.session, vm, instance.uuid)
        except Exception:  # the spawn's own error is the one to report
            LOG.exception('Cleanup of the VM of %s after a failed spawn failed', instance.uuid)

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        vm = vm_utils.find_vm(self.session, instance)
        if vm is None:
            LOG.debug('destroy: no VM for %s, nothing to do', instance.uuid)
            return
        try:
            vm_utils.remove_vm(self.session, vm, instance.uuid)
        except exception.InstanceNotFound:
            pass    # gone meanwhile: destroy is idempotent

    def _power(self, instance):
        """(ref, XenAPI power state) of ``instance``."""
        ref, record = vm_utils.lookup(self.session, instance)
        return ref, record['power_state']

    def _call(self, method, ref, instance, *args):
        return self.session.call(method, ref, *args, instance_uuid=instance.uuid)

    def reboot(self, context, instance, network_info, reboot_type, block_device_info=None):
        ref, power = self._power(instance)
        if power == 'Halted':
            self._call('VM.start', ref, instance, False, False)
        elif power == 'Suspended':
            # a suspended guest cannot reboot in xapi: drop its saved memory and boot
            self._call('VM.hard_shutdown', ref, instance)
            self._call('VM.start', ref, instance, False, False)
        elif reboot_type == 'SOFT' and power == 'Running' and self.opts.use_clean_shutdown:
            try:
                self._call('VM.clean_reboot', ref, instance)
            except exception.InstanceNotFound:
                raise
            except exception.NovaliteException as exc:
                LOG.warning('Soft reboot of %s failed (%s); rebooting hard',
                            instance.uuid, exc.message)
                self._call('VM.hard_reboot', ref, instance)
        else:
            self._call('VM.hard_reboot', ref, instance)

    def power_off(self, instance, timeout=0, retry_interval=0):
        ref, power = self._power(instance)
        if power == 'Halted':
            return
        if timeout > 0 and power == 'Running' and self.opts.use_clean_shutdown:
            try:
                self._call('VM.clean_shutdown', ref, instance)
                return
            except exception.InstanceNotFound:
                raise
            except exception.NovaliteException as exc:
                LOG.warning('Clean shutdown of %s failed (%s); shutting down hard',
                            instance.uuid, exc.message)
        self._call('VM.hard_shutdown', ref, instance)

    def power_on(self, context, instance, network_info, block_device_info=None):
        ref, power = self._power(instance)
        if power == 'Halted':
            self._call('VM.start', ref, instance, False, False)
        elif power == 'Suspended':
            self._call('VM.resume', ref, instance, False, False)
        elif power == 'Paused':
            self._call('VM.unpause', ref, instance)

    def pause(self, instance):
        ref, power = self._power(instance)
        if power != 'Paused':
            self._call('VM.pause', ref, instance)

    def unpause(self, instance):
        ref, power = self._power(instance)
        if power != 'Running':
            self._call('VM.unpause', ref, instance)

    def suspend(self, context, instance):
        ref, power = self._power(instance)
        if power != 'Suspended':
            self._call('VM.suspend', ref, instance)

    def resume(self, context, instance, network_info, block_device_info=None):
        ref, power = self._power(instance)
        if power != 'Running':
            self._call('VM.resume', ref, instance, False, False)

    # -- information ---------------------------------------------------------------------

    def get_info(self, instance):
        _ref, record = vm_utils.lookup(self.session, instance)
        memory_kb = int(record['memory_dynamic_max']) // 1024
        power = vm_utils.POWER_STATE.get(record['power_state'], states.NOSTATE)
        return interfaces.InstanceInfo(
            state=power, max_mem_kb=int(record['memory_static_max']) // 1024,
            mem_kb=memory_kb if power in (states.RUNNING, states.PAUSED_POWER) else 0,
            num_cpu=int(record['VCPUs_max']))

    def list_instance_uuids(self):
        records = self.session.call('VM.get_all_records').values()
        return [r['other_config'][vm_utils.UUID_KEY] for r in records if vm_utils.is_instance(r)]

    def instance_exists(self, instance):
        return vm_utils.find_vm(self.session, instance) is not None

    def get_console_output(self, context, instance):
        _ref, record = vm_utils.lookup(self.session, instance)
        if record['domid'] in ('-1', -1):
            return ''       # not running: no domain, no console
        try:
            raw = self.session.call('host.call_plugin', self._host_ref, 'console',
                                    'get_console_log', {'dom_id': str(record['domid'])})
        except exception.HypervisorError as exc:
            LOG.warning('No console log for %s: %s', instance.uuid, exc.message)
            return ''
        return zlib.decompress(base64.b64decode(raw)).decode('utf-8', 'replace')

    def get_vnc_console(self, context, instance):
        _ref, record = vm_utils.lookup(self.session, instance)
        for console in record['consoles']:
            try:
                details = self.session.call('console.get_record', console)
            except exception.HypervisorError:
                continue
            if details.get('protocol') != 'rfb':
                continue
            location = urllib.parse.urlsplit(details['location'])
            port = location.port or (443 if location.scheme == 'https' else 80)
            path = location.path + ('?' + location.query if location.query else '')
            return interfaces.ConsoleVNC(
                host=self.opts.vnc_proxyclient_address or location.hostname,
                port=port, internal_access_path=path)
        raise exception.InstanceInvalidState(
            action='get_vnc_console', instance_uuid=instance.uuid,
            attr='XenAPI power state', state=record['power_state'])

