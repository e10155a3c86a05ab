"""Libvirt domain XML: what config.py builds from flavor, image and network info, and what it reads back.

Pure functions over ``xml.etree``: no connection, no files, so every element
can be unit-tested by parsing the string built here.
"""

import dataclasses
import xml.etree.ElementTree as ET

#: the namespace of novalite's own <metadata> element (Nova: nova/virt/libvirt/config.py)
METADATA_NS = 'http://novalite.invalid/xmlns/libvirt/instance/1.0'

#: device name prefix of each disk bus (virtio -> vda, scsi -> sda ...)
DEV_PREFIX = {'virtio': 'vd', 'scsi': 'sd', 'sata': 'sd', 'ide': 'hd'}


@dataclasses.dataclass
class GuestSpec:
    """Everything a domain XML is built from, decided by the driver beforehand."""

    name: str
    uuid: str
    memory_mb: int
    vcpus: int
    virt_type: str
    arch: str
    display_name: str = ''
    flavor_name: str = ''
    project_id: str = ''
    user_id: str = ''
    image_id: str = ''
    machine_type: str | None = None
    #: the qcow2 overlay, or None for a guest without a root disk (the test driver)
    disk_path: str | None = None
    disk_bus: str = 'virtio'
    nic_model: str = 'virtio'
    #: the file the serial console writes to (get_console_output reads it)
    console_log: str | None = None
    vnc_listen: str | None = None
    network_info: list = dataclasses.field(default_factory=list)


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def domain_xml(spec):
    """The <domain> of ``spec`` as a str, ready for ``defineXML``."""
    domain = ET.Element('domain', type=spec.virt_type)
    _sub(domain, 'name', spec.name)
    _sub(domain, 'uuid', spec.uuid)
    _metadata(domain, spec)
    _sub(domain, 'memory', spec.memory_mb * 1024, unit='KiB')
    _sub(domain, 'currentMemory', spec.memory_mb * 1024, unit='KiB')
    _sub(domain, 'vcpu', spec.vcpus)
    os_el = _sub(domain, 'os')
    _sub(os_el, 'type', 'hvm', arch=spec.arch, machine=spec.machine_type)
    _sub(os_el, 'boot', dev='hd')
    features = _sub(domain, 'features')
    # ACPI lets a soft reboot / clean power off ask the guest to shut down.
    _sub(features, 'acpi')
    _sub(features, 'apic')
    _sub(domain, 'clock', offset='utc')
    # A guest that powers itself off stays defined (SHUTDOWN), as Nova's guests do.
    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')
    devices = _sub(domain, 'devices')
    if spec.disk_path:
        devices.append(disk_element(spec.disk_path, target_dev(spec.disk_bus, 0),
                                    spec.disk_bus, driver_type='qcow2'))
    for vif in spec.network_info or []:
        devices.append(interface_element(vif, spec.nic_model))
    if spec.console_log:
        serial = _sub(devices, 'serial', type='file')
        _sub(serial, 'source', path=spec.console_log)
        _sub(serial, 'target', port=0)
    if spec.vnc_listen:
        _sub(devices, 'graphics', type='vnc', autoport='yes', listen=spec.vnc_listen)
    return ET.tostring(domain, encoding='unicode')


def _metadata(domain, spec):
    ET.register_namespace('novalite', METADATA_NS)
    metadata = _sub(domain, 'metadata')
    ns = '{%s}' % METADATA_NS
    instance = _sub(metadata, ns + 'instance')
    _sub(instance, ns + 'name', spec.display_name)
    _sub(instance, ns + 'flavor', name=spec.flavor_name, memory_mb=spec.memory_mb,
         vcpus=spec.vcpus)
    _sub(instance, ns + 'owner', project=spec.project_id, user=spec.user_id)
    _sub(instance, ns + 'image', uuid=spec.image_id)


def target_dev(bus, index):
    """The guest device name of disk ``index`` on ``bus``: ('virtio', 1) -> 'vdb'."""
    return DEV_PREFIX.get(bus, 'vd') + 'abcdefghijklmnopqrstuvwxyz'[index]


def disk_element(source, dev, bus, driver_type='raw', source_type='file'):
    """A <disk device='disk'> for a file or block device."""
    disk = ET.Element('disk', type=source_type, device='disk')
    ET.SubElement(disk, 'driver', name='qemu', type=driver_type)
    ET.SubElement(disk, 'source', {'file' if source_type == 'file' else 'dev': source})
    ET.SubElement(disk, 'target', dev=dev, bus=bus)
    return disk


def interface_element(vif, model):
    """An <interface type='bridge'> on the bridge the network manager named in ``vif``."""
    network = vif.get('network') or {}
    bridge = network.get('bridge') or vif.get('bridge')
    if not bridge:
        raise ValueError('VIF %s names no bridge' % vif.get('id'))
    interface = ET.Element('interface', type='bridge')
    if vif.get('address'):
        ET.SubElement(interface, 'mac', address=vif['address'])
    ET.SubElement(interface, 'source', bridge=bridge)
    if vif.get('devname'):
        ET.SubElement(interface, 'target', dev=vif['devname'])
    ET.SubElement(interface, 'model', type=vif.get('model') or model)
    return interface


def to_string(element):
    return ET.tostring(element, encoding='unicode')


# -- reading a domain's XMLDesc -----------------------------------------------------------

def vnc_address(xml):
    """(listen, port) of the domain's VNC server; port None until libvirt assigns one."""
    graphics = ET.fromstring(xml).find("./devices/graphics[@type='vnc']")
    if graphics is None:
        return None, None
    port = int(graphics.get('port', '-1'))
    return graphics.get('listen'), (port if port > 0 else None)


def console_log_path(xml):
    """The file the domain's serial console writes to, or None."""
    source = ET.fromstring(xml).find("./devices/serial[@type='file']/source")
    return None if source is None else source.get('path')


def find_disk(xml, dev):
    """The <disk> whose target is ``dev``, as a str (for detachDeviceFlags), or None."""
    for disk in ET.fromstring(xml).iterfind('./devices/disk'):
        target = disk.find('target')
        if target is not None and target.get('dev') == dev:
            return to_string(disk)
    return None


def disk_targets(xml):
    """The target device names of the domain's disks, in order."""
    return [t.get('dev') for t in ET.fromstring(xml).iterfind('./devices/disk/target')]


def find_interface(xml, mac):
    """The <interface> with MAC ``mac``, as a str, or None."""
    for interface in ET.fromstring(xml).iterfind('./devices/interface'):
        address = interface.find('mac')
        if address is not None and address.get('address', '').lower() == mac.lower():
            return to_string(interface)
    return None


def root_disk_path(xml):
    """The source file of the domain's first disk, or None."""
    source = ET.fromstring(xml).find("./devices/disk[@device='disk']/source")
    return None if source is None else source.get('file')
