"""Config specs for instance VMs: hardware from the flavor, disks, NICs, the VNC port, tags.

An instance's VM carries its uuid three ways: the VM name, ``config.instanceUuid``
(what ``SearchIndex.FindByUuid`` looks up) and ``extraConfig nvp.vm-uuid``
(Nova's key).  ``config.managedBy`` marks it as novalite's, as Nova marks its
own, so foreign VMs in the same cluster are never listed.
"""

import random

from pyVmomi import vim

from novalite.compute import states

KIB_PER_GIB = 1 << 20

#: VirtualMachine.runtime.powerState -> novalite power state
POWER_STATE = {
    'poweredOn': states.RUNNING,
    'poweredOff': states.SHUTDOWN,
    'suspended': states.SUSPENDED_POWER,
}

#: config.managedBy of the VMs this driver creates (Nova's extension key)
MANAGED_BY_KEY = 'org.openstack.compute'
MANAGED_BY_TYPE = 'instance'
UUID_KEY = 'nvp.vm-uuid'
VNC_ENABLED_KEY = 'RemoteDisplay.vnc.enabled'
VNC_PORT_KEY = 'RemoteDisplay.vnc.port'

_NIC_MODELS = {'vmxnet3': vim.vm.device.VirtualVmxnet3, 'e1000': vim.vm.device.VirtualE1000}
_CONTROLLERS = {'lsiLogic': vim.vm.device.VirtualLsiLogicController,
                'lsiLogicsas': vim.vm.device.VirtualLsiLogicSASController,
                'paraVirtual': vim.vm.device.ParaVirtualSCSIController,
                'busLogic': vim.vm.device.VirtualBusLogicController}


def is_managed(managed_by):
    """True if a VM's ``config.managedBy`` says novalite (or Nova) made it."""
    return (managed_by is not None and managed_by.extensionKey == MANAGED_BY_KEY
            and managed_by.type == MANAGED_BY_TYPE)


def image_properties(image_meta):
    return (image_meta or {}).get('properties') or {}


def _disk_specs(instance, datastore, adapter_type):
    """A SCSI controller and the root (and ephemeral) disk, thin, in the instance's folder."""
    controller_class = _CONTROLLERS.get(adapter_type, vim.vm.device.VirtualLsiLogicController)
    controller = vim.vm.device.VirtualDeviceSpec(
        operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
        device=controller_class(key=-100, busNumber=0, sharedBus='noSharing'))
    specs = [controller]
    disks = [('root', instance.flavor.get('root_gb') or 0),
             ('ephemeral', instance.flavor.get('ephemeral_gb') or 0)]
    unit = 0
    for kind, size_gb in disks:
        if size_gb <= 0:
            continue
        name = instance.uuid if kind == 'root' else '%s-ephemeral' % instance.uuid
        backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
            diskMode='persistent', thinProvisioned=True,
            fileName='[%s] %s/%s.vmdk' % (datastore, instance.uuid, name))
        disk = vim.vm.device.VirtualDisk(key=-101 - unit, controllerKey=-100, unitNumber=unit,
                                         capacityInKB=size_gb * KIB_PER_GIB, backing=backing)
        specs.append(vim.vm.device.VirtualDeviceSpec(
            operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
            fileOperation=vim.vm.device.VirtualDeviceSpec.FileOperation.create, device=disk))
        unit += 1
    return specs


def nic_backing(network):
    """The NIC backing for a standard port group or a distributed port group."""
    if isinstance(network, vim.dvs.DistributedVirtualPortgroup):
        switch = network.config.distributedVirtualSwitch
        return vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(portgroupKey=network.key, switchUuid=switch.uuid))
    return vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=network.name,
                                                                network=network)


def random_mac():
    """A MAC in Nova's fa:16:3e prefix, for a NIC network_info does not describe."""
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randint(0, 255) for _ in range(3))


def nic_spec(model, backing, mac, index):
    card = _NIC_MODELS.get(model, vim.vm.device.VirtualVmxnet3)(
        key=-200 - index, backing=backing, addressType='manual', macAddress=mac,
        connectable=vim.vm.device.VirtualDevice.ConnectInfo(
            startConnected=True, allowGuestControl=True, connected=True))
    return vim.vm.device.VirtualDeviceSpec(
        operation=vim.vm.device.VirtualDeviceSpec.Operation.add, device=card)


def create_spec(instance, image_meta, datastore, nics, vnc_port):
    """The ConfigSpec of ``instance``'s VM; ``nics`` are VirtualDeviceSpecs from nic_spec."""
    props = image_properties(image_meta)
    extra = [vim.option.OptionValue(key=UUID_KEY, value=instance.uuid)]
    if vnc_port is not None:
        extra += [vim.option.OptionValue(key=VNC_ENABLED_KEY, value='true'),
                  vim.option.OptionValue(key=VNC_PORT_KEY, value=str(vnc_port))]
    return vim.vm.ConfigSpec(
        name=instance.uuid, instanceUuid=instance.uuid,
        annotation='name:%s\ncreatedby:novalite' % instance.display_name,
        guestId=props.get('vmware_ostype') or 'otherGuest64',
        numCPUs=int(instance.flavor['vcpus']), memoryMB=int(instance.flavor['memory_mb']),
        managedBy=vim.ext.ManagedByInfo(extensionKey=MANAGED_BY_KEY, type=MANAGED_BY_TYPE),
        files=vim.vm.FileInfo(vmPathName='[%s]' % datastore),
        extraConfig=extra,
        deviceChange=_disk_specs(instance, datastore,
                                 props.get('vmware_adaptertype') or 'lsiLogic') + list(nics))


def vnc_spec(port):
    """A reconfigure spec giving an existing VM a VNC console on ``port``."""
    return vim.vm.ConfigSpec(extraConfig=[
        vim.option.OptionValue(key=VNC_ENABLED_KEY, value='true'),
        vim.option.OptionValue(key=VNC_PORT_KEY, value=str(port))])


def extra_config_value(extra_config, key):
    for option in extra_config or ():
        if option.key == key:
            return option.value
    return None


def vnc_ports_in_use(rows):
    """The VNC ports the VMs of ``rows`` (vm_properties with config.extraConfig) hold."""
    used = set()
    for row in rows:
        value = extra_config_value(row.get('config.extraConfig'), VNC_PORT_KEY)
        if value and str(value).isdigit():
            used.add(int(value))
    return used


def free_vnc_port(first, total, used):
    """The lowest port of [first, first + total) not in ``used``, or None."""
    for port in range(first, first + total):
        if port not in used:
            return port
    return None
