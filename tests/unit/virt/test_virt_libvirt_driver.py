"""The libvirt driver: libvirt-python against libvirt's in-process test driver (test:///default).

No daemon and no emulator: the test driver keeps domains in memory, shared by
every connection of this process and reset when the last one closes.  What it
cannot do (disks, consoles, device hot-plug) the driver declares, and the
conformance kit skips; the QEMU tier (tests/functional/test_libvirt_qemu.py)
covers it against a real libvirtd.
"""

import logging
import os
import uuid
import xml.etree.ElementTree as ET

import pytest
from oslo_config import cfg

try:
    import libvirt
except ImportError:
    if os.environ.get('CI') == 'true':
        raise   # CI installs libvirt-python: its absence is a failure there
    pytest.skip('libvirt-python is not installed (apt-get install libvirt-dev pkg-config; '
                'pip install libvirt-python)', allow_module_level=True)

from novalite import exception
from novalite import objects
from novalite import plugin
from novalite.compute import states
from novalite.virt import testing
from novalite_plugins.virt.libvirt import config
from novalite_plugins.virt.libvirt import driver as lv_driver
from novalite_plugins.virt.libvirt import errors
from novalite_plugins.virt.libvirt import options

TEST_URI = 'test:///default'


def make_driver(instances_path, **overrides):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    driver = plugin.instantiate(lv_driver.LibvirtDriver, conf)
    values = {'virt_type': 'test', 'instances_path': str(instances_path),
              'storage_pool': 'default-pool', 'soft_reboot_timeout': 1}
    values.update(overrides)
    for key, value in values.items():
        conf.set_override(key, value, group=options.GROUP)
    return driver


def make_instance(instance_uuid=None, **flavor):
    values = {'name': 'm1.small', 'memory_mb': 512, 'vcpus': 1, 'root_gb': 1,
              'ephemeral_gb': 0, 'swap': 0}
    values.update(flavor)
    return objects.Instance(uuid=instance_uuid or str(uuid.uuid4()), display_name='vm',
                            user_id='u', project_id='p', flavor=values)


def clash_xml(instance_uuid):
    """A foreign domain holding the name the driver will want for ``instance_uuid``."""
    return ("<domain type='test'><name>%s%s</name><uuid>%s</uuid>"
            "<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>"
            % (lv_driver.NAME_PREFIX, instance_uuid, uuid.uuid4()))


@pytest.fixture
def peer():
    """A second connection: it keeps the test driver's state alive and lets tests look."""
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(TEST_URI)
    yield conn
    # The state outlives close() while any virDomain object still holds the
    # connection, so remove what the test made instead of relying on the reset.
    for dom in conn.listAllDomains(0):
        if dom.name() != 'test':
            if dom.isActive():
                dom.destroy()
            dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
    conn.close()


@pytest.fixture
def driver(tmp_path, peer):
    drv = make_driver(tmp_path / 'instances')
    drv.init_host('compute1')
    yield drv
    drv.cleanup_host('compute1')


def spawn(driver, instance=None, network_info=None, image=None):
    instance = instance or make_instance()
    driver.spawn(None, instance, image or {'id': 'img-1', 'properties': {}}, [], None,
                 network_info=network_info or [])
    return instance


# -- the conformance kit ----------------------------------------------------------------

class TestLibvirtDriverConformance(testing.DriverConformance):
    """The whole ComputeDriver contract on test:///default."""

    @pytest.fixture(autouse=True)
    def _peer(self, tmp_path, peer):
        # autouse: set up before the kit's driver fixture, torn down after it
        self.tmp_path = tmp_path
        self.peer = peer
        self._next_uuid = None

    def make_driver(self):
        return make_driver(self.tmp_path / 'instances')

    def make_instance(self, **fields):
        if self._next_uuid:
            fields.setdefault('uuid', self._next_uuid)
            self._next_uuid = None
        return super().make_instance(**fields)

    def inject_spawn_failure(self, driver):
        # A real refusal: libvirt rejects a second domain with the same name
        # ("domain 'instance-...' already exists with uuid ..."), and the driver
        # must clean up its own files without touching the foreign domain.
        self._next_uuid = str(uuid.uuid4())
        self._clash = self.peer.defineXML(clash_xml(self._next_uuid))
        return True

    def reset_peer(self):
        clash = getattr(self, '_clash', None)
        if clash is not None:
            assert clash.isPersistent(), 'the driver removed a domain it did not make'
            clash.undefine()
        names = sorted(d.name() for d in self.peer.listAllDomains(0))
        assert names == ['test'], 'the kit left domains behind: %s' % names
        left = os.listdir(self.tmp_path / 'instances')
        assert left == [], 'the kit left instance files behind: %s' % left


# -- capabilities: the test driver's limits are declared, not faked ----------------------

def test_capabilities_follow_virt_type(tmp_path):
    drv = make_driver(tmp_path)
    assert not drv.has_capability('supports_vnc_console')
    assert not drv.has_capability('supports_console_output')
    assert not drv.has_capability('supports_attach_interface')
    assert drv.has_capability('supports_suspend') and drv.has_capability('supports_pause')
    drv.conf.set_override('virt_type', 'qemu', group=options.GROUP)
    assert drv.has_capability('supports_vnc_console')
    assert drv.has_capability('supports_attach_interface')


def test_connection_uri_defaults_from_virt_type(tmp_path):
    drv = make_driver(tmp_path)
    assert drv.uri == 'test:///default'
    for virt_type in ('kvm', 'qemu'):
        drv.conf.set_override('virt_type', virt_type, group=options.GROUP)
        assert drv.uri == 'qemu:///system'
    drv.conf.set_override('connection_uri', 'qemu+ssh://root@h1/system', group=options.GROUP)
    assert drv.uri == 'qemu+ssh://root@h1/system'


def test_construction_does_not_connect(tmp_path):
    drv = make_driver(tmp_path, connection_uri='qemu+tcp://127.0.0.1:1/system')
    assert drv._conn is None


# -- what spawn defines ------------------------------------------------------------------

def test_spawn_defines_the_domain_from_flavor_and_network(driver, peer, tmp_path):
    vif = {'id': 'vif-1', 'address': 'fa:16:3e:11:22:33', 'network': {'bridge': 'br100'}}
    instance = spawn(driver, make_instance(memory_mb=1024, vcpus=2), network_info=[vif])
    dom = peer.lookupByUUIDString(instance.uuid)
    assert dom.name() == 'instance-%s' % instance.uuid and dom.isPersistent()
    assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    root = ET.fromstring(dom.XMLDesc(0))
    assert root.get('type') == 'test'
    assert root.find('memory').text == str(1024 * 1024)
    assert root.find('vcpu').text == '2'
    [nic] = root.findall('./devices/interface')
    assert nic.get('type') == 'bridge' and nic.find('source').get('bridge') == 'br100'
    assert nic.find('mac').get('address') == 'fa:16:3e:11:22:33'
    assert root.findall('./devices/disk') == [], 'the test driver gets no disk'
    instance_dir = tmp_path / 'instances' / instance.uuid
    assert root.find('./devices/serial/source').get('path') == str(instance_dir / 'console.log')
    meta = root.find('./metadata/{%s}instance' % config.METADATA_NS)
    assert meta.find('{%s}flavor' % config.METADATA_NS).get('name') == 'm1.small'
    info = driver.get_info(instance)
    assert (info.state, info.num_cpu, info.max_mem_kb) == (states.RUNNING, 2, 1024 * 1024)

    driver.destroy(None, instance)
    assert not instance_dir.exists()
    with pytest.raises(libvirt.libvirtError):
        peer.lookupByUUIDString(instance.uuid)


def test_vif_without_bridge_aborts_the_build(driver, tmp_path):
    instance = make_instance()
    with pytest.raises(exception.BuildAbortException, match='names no bridge'):
        spawn(driver, instance, network_info=[{'id': 'vif-9', 'network': {}}])
    assert driver.list_instance_uuids() == []
    assert not (tmp_path / 'instances' / instance.uuid).exists()


def test_foreign_domains_are_not_instances(driver, peer):
    assert driver.list_instance_uuids() == [], 'libvirt\'s own "test" domain is not ours'
    foreign = str(uuid.uuid4())
    peer.defineXML(clash_xml(foreign))
    instance = spawn(driver)
    assert driver.list_instance_uuids() == [instance.uuid]
    assert driver.get_power_states() == {instance.uuid: states.RUNNING}
    driver.power_off(instance)
    assert driver.get_power_states() == {instance.uuid: states.SHUTDOWN}
    driver.destroy(None, instance)


def test_refused_define_is_a_hypervisor_error_with_libvirts_reason(driver, peer):
    instance = make_instance()
    peer.defineXML(clash_xml(instance.uuid))
    with pytest.raises(exception.HypervisorError) as caught:
        spawn(driver, instance)
    assert 'libvirt defineXML failed' in caught.value.message
    assert 'already exists' in caught.value.message
    assert driver.list_instance_uuids() == []


# -- power transitions in libvirt's terms ----------------------------------------------

def test_suspend_is_a_managed_save_and_resume_restores_it(driver, peer):
    instance = spawn(driver)
    driver.suspend(None, instance)
    dom = peer.lookupByUUIDString(instance.uuid)
    assert dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF and dom.hasManagedSaveImage(0)
    assert driver.get_info(instance).state == states.SUSPENDED_POWER
    driver.resume(None, instance, [])
    assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING and not dom.hasManagedSaveImage(0)


def test_destroy_of_a_suspended_instance_removes_the_saved_memory(driver, peer):
    instance = spawn(driver)
    driver.suspend(None, instance)
    driver.destroy(None, instance)
    assert instance.uuid not in driver.list_instance_uuids()
    with pytest.raises(libvirt.libvirtError):
        peer.lookupByUUIDString(instance.uuid)


def test_power_off_of_a_suspended_instance_drops_the_save(driver, peer):
    instance = spawn(driver)
    driver.suspend(None, instance)
    driver.power_off(instance)
    assert not peer.lookupByUUIDString(instance.uuid).hasManagedSaveImage(0)
    assert driver.get_info(instance).state == states.SHUTDOWN


def test_pause_is_libvirt_suspend(driver, peer):
    instance = spawn(driver)
    driver.pause(instance)
    assert peer.lookupByUUIDString(instance.uuid).state()[0] == libvirt.VIR_DOMAIN_PAUSED


@pytest.mark.parametrize('action', ['pause', 'unpause', 'suspend', 'resume'])
def test_actions_on_a_stopped_instance_are_invalid_state(driver, action):
    instance = spawn(driver)
    driver.power_off(instance)
    calls = {'pause': lambda: driver.pause(instance),
             'unpause': lambda: driver.unpause(instance),
             'suspend': lambda: driver.suspend(None, instance),
             'resume': lambda: driver.resume(None, instance, [])}
    with pytest.raises(exception.InstanceInvalidState, match='SHUTDOWN'):
        calls[action]()


def test_soft_reboot_shuts_down_and_starts_again(driver, peer):
    instance = spawn(driver)
    first_id = peer.lookupByUUIDString(instance.uuid).ID()
    driver.reboot(None, instance, [], 'SOFT')
    # a fresh lookup: virDomain.ID() answers from the object, not the hypervisor
    dom = peer.lookupByUUIDString(instance.uuid)
    assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert dom.ID() != first_id, 'a soft reboot starts a new domain run'


def test_soft_reboot_falls_back_to_hard_when_the_guest_ignores_acpi(driver, monkeypatch):
    instance = spawn(driver)
    monkeypatch.setattr(driver, '_clean_shutdown', lambda *a: False)
    hard = []
    real_hard = driver._hard_reboot
    monkeypatch.setattr(driver, '_hard_reboot', lambda dom, inst: (hard.append(inst.uuid),
                                                                  real_hard(dom, inst)))
    driver.reboot(None, instance, [], 'SOFT')
    assert hard == [instance.uuid]
    assert driver.get_info(instance).state == states.RUNNING


def test_info_of_libvirt_states():
    assert lv_driver.POWER_STATE == {
        libvirt.VIR_DOMAIN_NOSTATE: states.NOSTATE, libvirt.VIR_DOMAIN_RUNNING: states.RUNNING,
        libvirt.VIR_DOMAIN_BLOCKED: states.RUNNING, libvirt.VIR_DOMAIN_PAUSED: states.PAUSED_POWER,
        libvirt.VIR_DOMAIN_SHUTDOWN: states.SHUTDOWN, libvirt.VIR_DOMAIN_SHUTOFF: states.SHUTDOWN,
        libvirt.VIR_DOMAIN_CRASHED: states.CRASHED,
        libvirt.VIR_DOMAIN_PMSUSPENDED: states.SUSPENDED_POWER}


# -- consoles, devices, snapshot on the test driver ---------------------------------------

def test_consoles_say_the_test_driver_has_none(driver):
    instance = spawn(driver)
    with pytest.raises(exception.NotSupportedByDriver, match='virt_type=test'):
        driver.get_vnc_console(None, instance)
    with pytest.raises(exception.NotSupportedByDriver, match='virt_type=test'):
        driver.get_console_output(None, instance)
    with pytest.raises(exception.InstanceNotFound):
        driver.get_console_output(None, make_instance())


def test_device_hotplug_is_refused_by_the_test_driver(driver, tmp_path):
    instance = spawn(driver)
    volume = {'driver_volume_type': 'file', 'data': {'device_path': str(tmp_path / 'v')}}
    with pytest.raises(exception.NotSupportedByDriver, match='attachDeviceFlags'):
        driver.attach_volume(None, volume, instance, '/dev/vdb')
    with pytest.raises(exception.NotSupportedByDriver, match='attachDeviceFlags'):
        driver.attach_interface(None, instance, {}, {'id': 'v', 'address': 'fa:16:3e:0:0:1',
                                                     'network': {'bridge': 'br100'}})
    driver.detach_volume(volume, instance, '/dev/vdb')        # nothing there: quiet
    driver.detach_interface(None, instance, {'address': 'fa:16:3e:00:00:09'})
    with pytest.raises(exception.NotSupportedByDriver, match="volume type 'rbd'"):
        driver.attach_volume(None, {'driver_volume_type': 'rbd', 'data': {}}, instance,
                             '/dev/vdc')
    with pytest.raises(exception.InstanceNotFound):
        driver.attach_volume(None, volume, make_instance(), '/dev/vdb')


def test_snapshot_is_not_offered_on_the_test_driver(driver):
    instance = spawn(driver)
    with pytest.raises(exception.NotSupportedByDriver):
        driver.snapshot(None, instance, 'snap-1', lambda **kw: None)


# -- resources -----------------------------------------------------------------------------

def test_resources_come_from_the_host_and_the_pool(driver, peer):
    [node] = driver.get_available_nodes()
    assert node == peer.getHostname()
    before = driver.get_available_resource(node)
    model, memory_mb, cpus = peer.getInfo()[:3]
    assert (before['vcpus'], before['memory_mb']) == (cpus, memory_mb)
    assert before['local_gb'] == 100, 'test:///default\'s default-pool holds 100 GiB'
    assert before['hypervisor_type'] == 'TEST'
    assert before['supported_instances'] == [['i686', 'test', 'hvm'], ['i686', 'test', 'xen']]
    spawn(driver, make_instance(memory_mb=2048, vcpus=3))
    during = driver.get_available_resource(node)
    assert during['vcpus_used'] - before['vcpus_used'] == 3
    assert during['memory_mb_used'] - before['memory_mb_used'] == 2048


def test_resources_without_a_pool_use_the_instances_file_system(tmp_path, peer):
    drv = make_driver(tmp_path / 'instances', storage_pool='')
    drv.init_host('compute1')
    try:
        resources = drv.get_available_resource(drv.get_available_nodes()[0])
        assert resources['local_gb'] > 0
        assert resources['disk_available_least'] <= resources['local_gb']
    finally:
        drv.cleanup_host('compute1')


# -- errors ----------------------------------------------------------------------------------

def _libvirt_error(code, domain=0, message='boom'):
    exc = libvirt.libvirtError(message)
    exc.err = (code, domain, message, 2, None, None, None, 0, 0)
    return exc


URI = 'qemu+tcp://admin:s3cret@kvm1/system'


@pytest.mark.parametrize('code, domain, expected', [
    (libvirt.VIR_ERR_NO_DOMAIN, 0, exception.InstanceNotFound),
    (libvirt.VIR_ERR_OPERATION_INVALID, 0, exception.InstanceInvalidState),
    (libvirt.VIR_ERR_NO_SUPPORT, 0, exception.NotSupportedByDriver),
    (libvirt.VIR_ERR_NO_MEMORY, 0, exception.ComputeResourcesUnavailable),
    (libvirt.VIR_ERR_NO_CONNECT, 0, errors.HypervisorUnreachable),
    (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_FROM_RPC, errors.HypervisorUnreachable),
    (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_FROM_QEMU, exception.HypervisorError),
    (libvirt.VIR_ERR_AUTH_FAILED, 0, errors.AuthenticationFailed),
    (libvirt.VIR_ERR_INTERNAL_ERROR, 0, exception.HypervisorError),
])
def test_error_mapping(code, domain, expected):
    result = errors.translate(_libvirt_error(code, domain), URI, 'create', 'uuid-1')
    assert type(result) is expected
    assert 's3cret' not in result.message and 'admin' not in result.message


def test_unreachable_and_auth_errors_are_hypervisor_errors():
    # the manager reschedules a build on a HypervisorError
    assert issubclass(errors.HypervisorUnreachable, exception.HypervisorError)
    assert issubclass(errors.AuthenticationFailed, exception.HypervisorError)
    assert issubclass(errors.ImageNotCached, exception.HypervisorError)


def test_messages_never_carry_the_uri_credentials():
    exc = _libvirt_error(libvirt.VIR_ERR_INTERNAL_ERROR, message='cannot reach %s' % URI)
    result = errors.translate(exc, URI, 'create')
    assert result.message == ('Hypervisor error: libvirt create failed: cannot reach '
                              'qemu+tcp://kvm1/system')
    assert errors.safe_uri('test:///default') == 'test:///default'


def test_unreachable_daemon_at_init_host(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    drv = make_driver(tmp_path, virt_type='qemu',
                      connection_uri='qemu+unix://admin:pw-xyz@/system?socket=%s'
                      % (tmp_path / 'no-such.sock'))
    with pytest.raises(errors.HypervisorUnreachable) as caught:
        drv.init_host('compute1')
    assert 'pw-xyz' not in caught.value.message and 'admin' not in caught.value.message
    assert 'pw-xyz' not in caplog.text


def test_lost_connection_is_reopened(driver):
    instance = spawn(driver)
    old = driver._conn
    driver._conn = _DeadConnection()
    assert driver.get_info(instance).state == states.RUNNING
    assert driver._conn is not old and isinstance(driver._conn, libvirt.virConnect)
    old.close()


class _DeadConnection:
    """What a virConnect whose libvirtd went away answers."""

    def isAlive(self):
        return 0


def test_a_file_image_of_the_registry_is_fetched_into_the_cache(driver, tmp_path):
    """A snapshot (or any image registered with a file:// location) boots without a
    manual cache step: the base is copied into _base/<id>, then overlaid."""
    from novalite_plugins.virt.libvirt import disk
    source = tmp_path / 'snapshot.qcow2'
    disk.create_blank(str(source), 1)
    instance_dir = tmp_path / 'inst'
    instance_dir.mkdir()
    instance = make_instance()
    meta = {'id': 'snap-1', 'location': 'file://%s' % source}
    path = driver._create_root_disk(instance, meta, str(instance_dir))
    assert os.path.exists(driver.image_cache_path('snap-1'))
    assert disk.info(path)['format'] == 'qcow2'

    with pytest.raises(errors.ImageNotCached):
        driver._create_root_disk(instance, {'id': 'elsewhere',
                                            'location': 'http://example.invalid/x'},
                                 str(instance_dir))
    assert not [p for p in os.listdir(os.path.dirname(driver.image_cache_path('x')))
                if '.part-' in p]
