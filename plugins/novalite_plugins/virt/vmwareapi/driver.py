"""The vmwareapi driver: VMs on a vCenter cluster (or a standalone ESXi host) through pyvmomi.

One service drives one cluster, its node named after the cluster.  Instances
are VMs built from the flavor (vCPUs, memory, a thin root disk on a datastore,
NICs on port groups), tagged so they can be found (see ``vm_util``).  Every
vSphere fault is translated in ``errors.py``.  vSphere cannot pause a VM in
memory, so, as in Nova, pause/unpause are declared unsupported.
"""

import threading
import time

from oslo_log import log as logging

from novalite import exception
from novalite.compute import states
from novalite.virt import interfaces
from novalite_plugins.virt.vmwareapi import errors
from novalite_plugins.virt.vmwareapi import host as vmware_host
from novalite_plugins.virt.vmwareapi import inventory as vmware_inventory
from novalite_plugins.virt.vmwareapi import options
from novalite_plugins.virt.vmwareapi import session as vmware_session
from novalite_plugins.virt.vmwareapi import vm_util

LOG = logging.getLogger(__name__)

GIB = 1 << 30


class VMwareVCDriver(interfaces.ComputeDriver):
    """Drives a vCenter cluster or an ESXi host over the vSphere API (``[vmware]`` options)."""

    # Only what differs from DEFAULT_CAPABILITIES: vSphere has no pause (as in Nova) and
    # this driver reads no console log.
    capabilities = {'supports_pause': False, 'supports_console_output': False,
                    'reports_instance_usage': True}

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(options.OPTS, group=options.GROUP)

    def __init__(self, conf, virtapi=None):
        super().__init__(conf, virtapi)
        self.opts = conf[options.GROUP]
        self._session = None
        self._inventory = None
        # spawns of this service pick VNC ports one at a time
        self._vnc_lock = threading.Lock()

    # -- host ----------------------------------------------------------------------------

    def init_host(self, host):
        if not self.opts.host_ip:
            raise exception.ConfigError(
                reason='[vmware] host_ip is required by the vmwareapi driver')
        self._session = vmware_session.VMwareAPISession(self.opts)
        try:
            self._inventory = vmware_inventory.Inventory(self._session, self.opts)
        except Exception:
            self._session.close()
            self._session = None
            raise
        LOG.info('vmwareapi driver of %s manages %s on %s', host, self._inventory.nodename,
                 self._session.endpoint)

    def cleanup_host(self, host):
        if self._session is not None:
            self._session.close()
            self._session = None
        self._inventory = None

    @property
    def inventory(self):
        if self._inventory is None:
            raise exception.HypervisorError(reason='the vmwareapi driver is not connected '
                                                   '(init_host was not called)')
        return self._inventory

    @property
    def session(self):
        return self.inventory.session

    def get_available_nodes(self, refresh=False):
        return [self._inventory.nodename] if self._inventory is not None else []

    def get_available_resource(self, nodename):
        if self._inventory is None or nodename != self._inventory.nodename:
            return {}
        return vmware_host.resources(self.inventory)

    def get_host_ip_addr(self):
        return self.opts.host_ip

    # -- lookups -------------------------------------------------------------------------

    def _find(self, instance):
        return self.inventory.find_vm(instance.uuid)

    def _lookup(self, instance):
        vm = self._find(instance)
        if vm is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return vm

    def _summary(self, vm, instance):
        return self.session.call('VirtualMachine.summary', lambda: vm.summary,
                                 instance_uuid=instance.uuid)

    def _power(self, instance):
        """(vm, runtime.powerState) of ``instance``."""
        vm = self._lookup(instance)
        return vm, self._summary(vm, instance).runtime.powerState

    def _task(self, operation, vm, instance, *args, **kwargs):
        method = getattr(vm, operation)
        return self.session.run_task(operation, method, *args, instance_uuid=instance.uuid,
                                     **kwargs)

    # -- lifecycle -------------------------------------------------------------------------

    def _nic_specs(self, network_info):
        """One NIC per network_info entry, on the port group its bridge names, or the default."""
        default_name = self.opts.integration_bridge or vmware_inventory.DEFAULT_PORT_GROUP
        wanted = [(vif.get('network', {}).get('bridge'), vif.get('address'))
                  for vif in network_info or ()]
        if not wanted and self.opts.integration_bridge:
            wanted = [(self.opts.integration_bridge, None)]
        specs = []
        for index, (bridge, mac) in enumerate(wanted):
            network = self.inventory.network(bridge) if bridge else None
            if network is None:
                network = self.inventory.network(default_name)
            if network is None:
                raise exception.HypervisorError(
                    reason='%s has no port group %r or %r ([vmware] integration_bridge)'
                    % (self.inventory.nodename, bridge, default_name))
            backing = self.session.call('Network.backing', vm_util.nic_backing, network)
            specs.append(vm_util.nic_spec(self.opts.vif_model, backing,
                                          mac or vm_util.random_mac(), index))
        return specs

    def _allocate_vnc_port(self):
        rows = self.inventory.vm_properties(['config.extraConfig'])
        port = vm_util.free_vnc_port(self.opts.vnc_port, self.opts.vnc_port_total,
                                     vm_util.vnc_ports_in_use(rows))
        if port is None:
            raise exception.ComputeResourcesUnavailable(
                reason='every VNC port of [vmware] vnc_port %d + vnc_port_total %d is in use'
                % (self.opts.vnc_port, self.opts.vnc_port_total))
        return port

    def spawn(self, context, instance, image_meta, injected_files, admin_password,
              network_info=None, block_device_info=None):
        if self._find(instance) is not None:
            raise exception.HypervisorError(
                reason='a VM for instance %s already exists' % instance.uuid)
        flavor = instance.flavor
        needed = ((flavor.get('root_gb') or 0) + (flavor.get('ephemeral_gb') or 0)) * GIB
        datastore = self.inventory.pick_datastore(needed)
        nics = self._nic_specs(network_info)
        vm = None
        try:
            with self._vnc_lock:
                spec = vm_util.create_spec(instance, image_meta, datastore, nics,
                                           self._allocate_vnc_port())
                vm = self.session.run_task(
                    'CreateVM_Task', self.inventory.vm_folder().CreateVM_Task,
                    config=spec, pool=self.inventory.resource_pool())
            self._task('PowerOnVM_Task', vm, instance)
        except Exception:
            if vm is not None:
                self._remove_quietly(vm, instance)
            raise
        LOG.info('Spawned %s as VM %s on %s (datastore %s)', instance.uuid, vm._moId,
                 self.inventory.nodename, datastore)

    def _remove_quietly(self, vm, instance):
        try:
            self._remove(vm, instance)
        except Exception:  # the spawn's own error is the one to report
            LOG.exception('Cleanup of the VM of %s after a failed spawn failed', instance.uuid)

    def _remove(self, vm, instance):
        power = self._summary(vm, instance).runtime.powerState
        if power == 'poweredOn':
            self._task('PowerOffVM_Task', vm, instance)
        # Destroy_Task deletes the VM's files (its disks) from the datastore too
        self._task('Destroy_Task', vm, instance)

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        vm = self._find(instance)
        if vm is None:
            LOG.debug('destroy: no VM for %s, nothing to do', instance.uuid)
            return
        try:
            self._remove(vm, instance)
        except exception.InstanceNotFound:
            pass    # gone meanwhile: destroy is idempotent
        LOG.info('Destroyed the VM of %s', instance.uuid)

    def _try_guest(self, operation, vm, instance):
        """Ask VMware Tools in the guest (ShutdownGuest/RebootGuest); False if it cannot."""
        try:
            self.session.call(operation, getattr(vm, operation), instance_uuid=instance.uuid)
            return True
        except (errors.NotSupportedByHypervisor, exception.HypervisorOperationRefused) as exc:
            LOG.warning('%s of %s refused (%s); falling back to the hard variant',
                        operation, instance.uuid, exc.message)
            return False

    def _wait_power(self, vm, instance, wanted, timeout, interval):
        deadline = time.monotonic() + timeout
        while True:
            if self._summary(vm, instance).runtime.powerState == wanted:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)

    def reboot(self, context, instance, network_info, reboot_type, block_device_info=None):
        vm, power = self._power(instance)
        if power == 'poweredOff':
            self._task('PowerOnVM_Task', vm, instance)
            return
        if power == 'suspended':
            # resume, then reset: a hard reboot boots afresh
            self._task('PowerOnVM_Task', vm, instance)
        elif reboot_type == 'SOFT' and self._try_guest('RebootGuest', vm, instance):
            return      # the guest reboots itself; it stays poweredOn throughout
        self._task('ResetVM_Task', vm, instance)

    def power_off(self, instance, timeout=0, retry_interval=0):
        vm, power = self._power(instance)
        if power == 'poweredOff':
            return
        if timeout > 0 and power == 'poweredOn' and self._try_guest('ShutdownGuest', vm,
                                                                    instance):
            interval = retry_interval or self.opts.task_poll_interval or 1
            if self._wait_power(vm, instance, 'poweredOff', timeout, interval):
                return
            LOG.warning('%s did not shut down within %ss; powering it off', instance.uuid,
                        timeout)
        try:
            self._task('PowerOffVM_Task', vm, instance)
        except exception.HypervisorOperationRefused:
            # the guest finished shutting down between the check and the call
            if self._summary(vm, instance).runtime.powerState != 'poweredOff':
                raise

    def power_on(self, context, instance, network_info, block_device_info=None):
        vm, power = self._power(instance)
        if power != 'poweredOn':
            self._task('PowerOnVM_Task', vm, instance)

    def _no_pause(self):
        raise exception.NotSupportedByDriver(feature='pause (vSphere has no paused state)',
                                             driver=type(self).__name__)

    def pause(self, instance):
        self._lookup(instance)
        self._no_pause()

    def unpause(self, instance):
        self._lookup(instance)
        self._no_pause()

    def suspend(self, context, instance):
        vm, power = self._power(instance)
        if power == 'suspended':
            return
        if power != 'poweredOn':
            raise exception.HypervisorOperationRefused(
                operation='SuspendVM_Task',
                reason='the VM of instance %s is %s, not poweredOn' % (instance.uuid, power))
        self._task('SuspendVM_Task', vm, instance)

    def resume(self, context, instance, network_info, block_device_info=None):
        vm, power = self._power(instance)
        if power == 'poweredOn':
            return
        if power != 'suspended':
            raise exception.HypervisorOperationRefused(
                operation='resume',
                reason='the VM of instance %s is %s, not suspended' % (instance.uuid, power))
        self._task('PowerOnVM_Task', vm, instance)

    # -- information ---------------------------------------------------------------------

    def get_info(self, instance):
        vm = self._lookup(instance)
        summary = self._summary(vm, instance)
        power = vm_util.POWER_STATE.get(summary.runtime.powerState, states.NOSTATE)
        memory_kb = (summary.config.memorySizeMB or 0) * 1024
        return interfaces.InstanceInfo(
            state=power, max_mem_kb=memory_kb,
            mem_kb=memory_kb if power == states.RUNNING else 0,
            num_cpu=summary.config.numCpu or 0)

    def list_instance_uuids(self):
        rows = self.inventory.vm_properties(['config.instanceUuid', 'config.managedBy'])
        return sorted({row['config.instanceUuid'] for row in rows
                       if vm_util.is_managed(row.get('config.managedBy'))
                       and row.get('config.instanceUuid')})

    def instance_exists(self, instance):
        return self._find(instance) is not None

    def get_vnc_console(self, context, instance):
        vm = self._lookup(instance)
        extra = self.session.call('VirtualMachine.config', lambda: vm.config.extraConfig,
                                  instance_uuid=instance.uuid)
        port = vm_util.extra_config_value(extra, vm_util.VNC_PORT_KEY)
        if not (port and str(port).isdigit()):
            # a VM made before VNC was configured: give it a port now (Nova does the same)
            with self._vnc_lock:
                port = self._allocate_vnc_port()
                self._task('ReconfigVM_Task', vm, instance, spec=vm_util.vnc_spec(port))
        return interfaces.ConsoleVNC(host=self._esx_address(vm, instance), port=int(port))

    def _esx_address(self, vm, instance):
        """The management address of the ESX host running ``vm`` (its name if it has none)."""
        def read():
            esx = vm.runtime.host
            for vnic in esx.config.network.vnic or ():
                if vnic.spec.ip and vnic.spec.ip.ipAddress:
                    return vnic.spec.ip.ipAddress
            return esx.name
        return self.session.call('HostSystem.config', read, instance_uuid=instance.uuid)
