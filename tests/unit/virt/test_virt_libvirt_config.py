"""The libvirt driver's domain XML (config.py) and disks (disk.py): no libvirt needed."""

import shutil
import xml.etree.ElementTree as ET

import pytest

from novalite import exception
from novalite_plugins.virt.libvirt import config
from novalite_plugins.virt.libvirt import disk

UUID = '8f1c2a4e-0000-4000-8000-000000000001'


def spec(**fields):
    values = dict(name='instance-' + UUID, uuid=UUID, memory_mb=2048, vcpus=2,
                  virt_type='qemu', arch='x86_64', display_name='web-1',
                  flavor_name='m1.small', project_id='p1', user_id='u1', image_id='img-1',
                  disk_path='/var/lib/novalite/instances/%s/disk' % UUID,
                  console_log='/var/lib/novalite/instances/%s/console.log' % UUID,
                  vnc_listen='0.0.0.0',
                  network_info=[{'id': 'vif-1', 'address': 'fa:16:3e:aa:bb:cc',
                                 'devname': 'tapvif-1', 'network': {'bridge': 'br100'}}])
    values.update(fields)
    return config.GuestSpec(**values)


def parse(guest):
    return ET.fromstring(config.domain_xml(guest))


def test_identity_sizes_and_boot():
    root = parse(spec())
    assert root.tag == 'domain' and root.get('type') == 'qemu'
    assert root.findtext('name') == 'instance-' + UUID and root.findtext('uuid') == UUID
    assert root.find('memory').get('unit') == 'KiB'
    assert root.findtext('memory') == root.findtext('currentMemory') == str(2048 * 1024)
    assert root.findtext('vcpu') == '2'
    os_type = root.find('os/type')
    assert (os_type.text, os_type.get('arch'), os_type.get('machine')) == ('hvm', 'x86_64', None)
    assert root.find('os/boot').get('dev') == 'hd'
    assert root.find('features/acpi') is not None, 'soft reboot needs ACPI'
    assert root.findtext('on_poweroff') == 'destroy'


def test_machine_type_when_asked():
    assert parse(spec(machine_type='q35')).find('os/type').get('machine') == 'q35'


def test_root_disk_is_the_qcow2_overlay():
    [disk_el] = parse(spec()).findall('devices/disk')
    assert (disk_el.get('type'), disk_el.get('device')) == ('file', 'disk')
    assert disk_el.find('driver').attrib == {'name': 'qemu', 'type': 'qcow2'}
    assert disk_el.find('source').get('file').endswith(UUID + '/disk')
    assert disk_el.find('target').attrib == {'dev': 'vda', 'bus': 'virtio'}


@pytest.mark.parametrize('bus, dev', [('virtio', 'vda'), ('scsi', 'sda'), ('ide', 'hda')])
def test_disk_bus_names_the_device(bus, dev):
    target = parse(spec(disk_bus=bus)).find('devices/disk/target')
    assert (target.get('bus'), target.get('dev')) == (bus, dev)


def test_no_disk_for_a_diskless_guest():
    assert parse(spec(disk_path=None)).findall('devices/disk') == []


def test_nic_on_the_bridge_of_network_info():
    [nic] = parse(spec()).findall('devices/interface')
    assert nic.get('type') == 'bridge'
    assert nic.find('source').get('bridge') == 'br100'
    assert nic.find('mac').get('address') == 'fa:16:3e:aa:bb:cc'
    assert nic.find('target').get('dev') == 'tapvif-1'
    assert nic.find('model').get('type') == 'virtio'


def test_a_vif_without_bridge_is_refused():
    with pytest.raises(ValueError, match='vif-2 names no bridge'):
        config.domain_xml(spec(network_info=[{'id': 'vif-2', 'network': {}}]))


def test_vnc_and_serial_console_log():
    devices = parse(spec()).find('devices')
    graphics = devices.find('graphics')
    assert graphics.attrib == {'type': 'vnc', 'autoport': 'yes', 'listen': '0.0.0.0'}
    serial = devices.find('serial')
    assert serial.get('type') == 'file'
    assert serial.find('source').get('path').endswith('/console.log')


def test_metadata_names_the_instance():
    ns = {'n': config.METADATA_NS}
    meta = parse(spec()).find('metadata/n:instance', ns)
    assert meta.findtext('n:name', namespaces=ns) == 'web-1'
    assert meta.find('n:flavor', ns).attrib == {'name': 'm1.small', 'memory_mb': '2048',
                                                'vcpus': '2'}
    assert meta.find('n:owner', ns).attrib == {'project': 'p1', 'user': 'u1'}
    assert meta.find('n:image', ns).get('uuid') == 'img-1'


# -- reading XMLDesc back -------------------------------------------------------------------

LIVE = """<domain type='qemu' id='3'><name>x</name><devices>
  <disk type='file' device='disk'><source file='/i/disk'/><target dev='vda' bus='virtio'/></disk>
  <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb' bus='virtio'/></disk>
  <interface type='bridge'><mac address='FA:16:3E:00:00:01'/><source bridge='br100'/></interface>
  <serial type='file'><source path='/i/console.log'/><target port='0'/></serial>
  <graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'/>
</devices></domain>"""


def test_reads_vnc_port_console_and_disks():
    assert config.vnc_address(LIVE) == ('127.0.0.1', 5901)
    assert config.vnc_address(LIVE.replace("port='5901'", "port='-1'")) == ('127.0.0.1', None)
    assert config.console_log_path(LIVE) == '/i/console.log'
    assert config.disk_targets(LIVE) == ['vda', 'vdb']
    assert config.root_disk_path(LIVE) == '/i/disk'
    assert ET.fromstring(config.find_disk(LIVE, 'vdb')).find('source').get('dev') == '/dev/sdz'
    assert config.find_disk(LIVE, 'vdc') is None
    assert config.find_interface(LIVE, 'fa:16:3e:00:00:01') is not None
    assert config.find_interface(LIVE, 'fa:16:3e:00:00:02') is None


def test_volume_and_interface_elements():
    element = config.disk_element('/dev/sdx', 'vdc', 'virtio', source_type='block')
    assert element.get('type') == 'block' and element.find('source').get('dev') == '/dev/sdx'
    nic = config.interface_element({'address': 'fa:16:3e:00:00:05', 'bridge': 'br101'}, 'e1000')
    assert nic.find('source').get('bridge') == 'br101' and nic.find('model').get('type') == 'e1000'


# -- qcow2 overlays with qemu-img -------------------------------------------------------------

needs_qemu_img = pytest.mark.skipif(shutil.which('qemu-img') is None,
                                    reason='qemu-img is not installed (qemu-utils)')


@needs_qemu_img
def test_overlay_is_backed_by_the_cached_image_and_grown_to_the_flavor(tmp_path):
    base = tmp_path / 'base.raw'
    base.write_bytes(b'\0' * (1 << 20))
    overlay = tmp_path / 'disk'
    disk.create_overlay(str(base), str(overlay), size_gb=1)
    details = disk.info(str(overlay))
    assert details['format'] == 'qcow2'
    assert details['backing-filename'] == str(base)
    assert details['backing-filename-format'] == 'raw'
    assert details['virtual-size'] == 1 << 30
    flat = tmp_path / 'snap.qcow2'
    disk.flatten(str(overlay), str(flat))
    assert 'backing-filename' not in disk.info(str(flat))


@needs_qemu_img
def test_qemu_img_failure_is_a_hypervisor_error(tmp_path):
    with pytest.raises(exception.HypervisorError, match='qemu-img info failed'):
        disk.create_overlay(str(tmp_path / 'missing'), str(tmp_path / 'disk'))
