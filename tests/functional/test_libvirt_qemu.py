"""The libvirt driver against a real libvirtd + QEMU under TCG (the QEMU tier).

Opt-in: NOVALITE_TEST_QEMU=1 (``tox -e qemu``), needs root and the Debian
packages libvirt-daemon-system, libvirt-daemon-driver-qemu, qemu-system-x86
and qemu-utils.  If qemu:///system does not answer, the test starts
``virtlogd -d`` and ``libvirtd -d`` and stops them afterwards.

The guest is a 1 MiB raw disk this test writes: a boot sector that prints a
line on the serial port (COM1) and halts.  No download, and a real QEMU guest
boots from a qcow2 overlay of it, so spawn, the console log, VNC, the power
transitions, a volume attach and a snapshot are all real.  A halted guest has
no OS: it ignores ACPI, so a soft reboot or clean power off falls back to hard.
"""

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest
from oslo_config import cfg

if os.environ.get('NOVALITE_TEST_QEMU') != '1':
    pytest.skip('the QEMU tier runs with NOVALITE_TEST_QEMU=1 (tox -e qemu)',
                allow_module_level=True)

import libvirt  # noqa: E402  (after the opt-in check: only this tier needs it)

from novalite import objects  # noqa: E402
from novalite import plugin  # noqa: E402
from novalite.compute import states  # noqa: E402
from novalite_plugins.virt.libvirt import config  # noqa: E402
from novalite_plugins.virt.libvirt import disk  # noqa: E402
from novalite_plugins.virt.libvirt import driver as lv_driver  # noqa: E402
from novalite_plugins.virt.libvirt import options  # noqa: E402

pytestmark = [pytest.mark.qemu, pytest.mark.slow]

URI = 'qemu:///system'
IMAGE_ID = 'novalite-boot-sector'
GREETING = b'novalite guest up'

# xor ax,ax; mov ds,ax; cld; mov dx,0x3f8; mov si,msg; next: lodsb; test al,al; jz halt;
# out dx,al; jmp next; halt: hlt; jmp halt; msg: ...  (loaded at 0x7c00, msg at 0x7c16)
BOOT_CODE = bytes([0x31, 0xC0, 0x8E, 0xD8, 0xFC, 0xBA, 0xF8, 0x03, 0xBE, 0x16, 0x7C, 0xAC,
                   0x84, 0xC0, 0x74, 0x03, 0xEE, 0xEB, 0xF8, 0xF4, 0xEB, 0xFD])


def write_boot_image(path):
    """A 1 MiB raw disk whose MBR prints GREETING on COM1 and halts."""
    sector = BOOT_CODE + GREETING + b'\r\n\0'
    sector += b'\0' * (510 - len(sector)) + b'\x55\xaa'
    with open(path, 'wb') as image:
        image.write(sector)
        image.truncate(1 << 20)


def _answers():
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    try:
        libvirt.open(URI).close()
        return True
    except libvirt.libvirtError:
        return False


@pytest.fixture(scope='module')
def libvirtd():
    """qemu:///system, started here (and stopped after) if it is not running."""
    started = []
    if not _answers():
        if os.geteuid() != 0 or not shutil.which('libvirtd'):
            pytest.fail('qemu:///system does not answer and libvirtd cannot be started here')
        for daemon in ('virtlogd', 'libvirtd'):
            # -d daemonises; not -l (that wants TLS certificates)
            subprocess.run([daemon, '-d'], check=True)
            started.append(daemon)
        deadline = time.monotonic() + 60
        while not _answers():
            assert time.monotonic() < deadline, 'libvirtd did not answer within 60 s'
            time.sleep(0.5)
    yield
    for daemon in reversed(started):
        with open('/run/%s.pid' % daemon) as pidfile:
            os.kill(int(pidfile.read().strip()), signal.SIGTERM)


@pytest.fixture
def tmp_path():
    """A folder QEMU (user libvirt-qemu) can traverse: pytest's own are 0700."""
    path = pathlib.Path(tempfile.mkdtemp(prefix='novalite-qemu-'))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def driver(libvirtd, tmp_path):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    drv = plugin.instantiate(lv_driver.LibvirtDriver, conf)
    instances = tmp_path / 'instances'
    for key, value in (('virt_type', 'qemu'), ('instances_path', str(instances)),
                       ('soft_reboot_timeout', 2)):
        conf.set_override(key, value, group=options.GROUP)
    os.makedirs(instances / '_base')
    write_boot_image(instances / '_base' / IMAGE_ID)
    drv.init_host('qemu-compute')
    yield drv
    for instance_uuid in drv.list_instance_uuids():
        drv.destroy(None, _instance(instance_uuid))
    drv.cleanup_host('qemu-compute')


def _instance(instance_uuid=None):
    return objects.Instance(
        uuid=instance_uuid or str(uuid.uuid4()), display_name='tiny', user_id='u',
        project_id='p', flavor={'name': 'tiny', 'memory_mb': 32, 'vcpus': 1, 'root_gb': 1,
                                'ephemeral_gb': 0, 'swap': 0})


def _wait(predicate, timeout=30.0, what='condition'):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'timed out waiting for %s' % what
        time.sleep(0.2)


def test_a_tiny_guest_through_its_whole_life(driver, tmp_path):
    instance = _instance()
    driver.spawn(None, instance, {'id': IMAGE_ID, 'properties': {}}, [], None,
                 network_info=[])
    overlay = tmp_path / 'instances' / instance.uuid / 'disk'
    details = disk.info(str(overlay))
    assert details['format'] == 'qcow2' and details['backing-filename'].endswith(IMAGE_ID)
    assert driver.get_info(instance).state == states.RUNNING

    _wait(lambda: GREETING.decode() in driver.get_console_output(None, instance),
          what='the guest\'s line on the serial console')
    console = driver.get_vnc_console(None, instance)
    assert console.host == '127.0.0.1' and console.port >= 5900

    driver.pause(instance)
    assert driver.get_info(instance).state == states.PAUSED_POWER
    driver.unpause(instance)
    driver.suspend(None, instance)
    assert driver.get_info(instance).state == states.SUSPENDED_POWER
    driver.resume(None, instance, [])
    assert driver.get_info(instance).state == states.RUNNING
    driver.reboot(None, instance, [], 'HARD')
    assert driver.get_info(instance).state == states.RUNNING

    volume = tmp_path / 'volume.raw'
    volume.write_bytes(b'\0' * (1 << 20))
    driver.attach_volume(None, {'driver_volume_type': 'file',
                                'data': {'device_path': str(volume)}}, instance, '/dev/vdb')
    assert 'vdb' in config.disk_targets(driver._lookup(instance).XMLDesc(0))

    tasks = []
    path = driver.snapshot(None, instance, 'snap-1', lambda **kw: tasks.append(kw))
    assert disk.info(path)['format'] == 'qcow2' and 'backing-filename' not in disk.info(path)
    assert [t['task_state'] for t in tasks] == ['image_pending_upload', 'image_uploading']
    assert driver.get_info(instance).state == states.RUNNING

    driver.power_off(instance, timeout=1, retry_interval=1)   # no OS: ACPI is ignored
    assert driver.get_info(instance).state == states.SHUTDOWN
    driver.power_on(None, instance, [])
    assert driver.get_info(instance).state == states.RUNNING

    node = driver.get_available_nodes()[0]
    resources = driver.get_available_resource(node)
    assert resources['hypervisor_type'] == 'QEMU' and resources['vcpus_used'] >= 1
    assert ['x86_64', 'qemu', 'hvm'] in resources['supported_instances']

    driver.destroy(None, instance)
    assert instance.uuid not in driver.list_instance_uuids()
    assert not overlay.parent.exists()
