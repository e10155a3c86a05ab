"""The xenapi driver: the real XenAPI client over XML-RPC against tests/fake_xapi.py on loopback."""

import logging
import uuid

import pytest
from oslo_config import cfg

import fake_xapi
import nltest
from novalite import exception
from novalite import objects
from novalite import plugin
from novalite.compute import states
from novalite.virt import testing
from novalite_plugins.virt.xenapi import driver as xen_driver
from novalite_plugins.virt.xenapi import errors
from novalite_plugins.virt.xenapi import options
from novalite_plugins.virt.xenapi import session as xen_session

PASSWORD = 'xen-secret-Pa55'


@pytest.fixture
def xapi():
    server = fake_xapi.FakeXapi(password=PASSWORD)
    server.start()
    yield server
    server.stop()


def make_driver(url, password=PASSWORD, **overrides):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    driver = plugin.instantiate(xen_driver.XenAPIDriver, conf)
    conf.set_override('connection_url', url, group=options.GROUP)
    conf.set_override('connection_password', password, group=options.GROUP)
    conf.set_override('connection_timeout', 5.0, group=options.GROUP)
    for key, value in overrides.items():
        conf.set_override(key, value, group=options.GROUP)
    return driver


def make_instance(**flavor):
    instance_uuid = str(uuid.uuid4())
    values = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}
    values.update(flavor)
    return objects.Instance(uuid=instance_uuid, display_name='vm', user_id='u',
                            project_id='p', flavor=values)


@pytest.fixture
def driver(xapi):
    drv = make_driver(xapi.url)
    drv.init_host('compute1')
    yield drv
    drv.cleanup_host('compute1')


def spawn(driver, instance=None):
    instance = instance or make_instance()
    driver.spawn(None, instance, {}, [], None, network_info=[])
    return instance


# -- the conformance kit -----------------------------------------------------------------

class TestXenAPIDriverConformance(testing.DriverConformance):
    """The whole ComputeDriver contract, over the wire."""

    @pytest.fixture(autouse=True)
    def _xapi(self, xapi):
        self.xapi = xapi

    def make_driver(self):
        return make_driver(self.xapi.url)

    def inject_spawn_failure(self, driver):
        self.xapi.refuse('VM.start', 'INTERNAL_ERROR', 'xenopsd: domain build failed',
                         times=1)
        return True

    def reset_peer(self):
        assert self.xapi.vms() == {}, 'the kit left VMs behind'
        assert self.xapi.records('VDI') == {}, 'the kit left disks behind'


# -- what goes over the wire ---------------------------------------------------------------

def test_spawn_builds_a_vm_from_the_template(driver, xapi):
    instance = spawn(driver, make_instance(memory_mb=1024, vcpus=2, root_gb=2, ephemeral_gb=1))
    [(ref, vm)] = xapi.vms().items()
    assert vm['name_label'] == 'instance-%s' % instance.uuid
    assert vm['other_config']['nova_uuid'] == instance.uuid
    assert vm['power_state'] == 'Running' and not vm['is_a_template']
    assert vm['memory_dynamic_max'] == str(1024 << 20) and vm['VCPUs_max'] == '2'
    assert len(vm['VBDs']) == 2 and len(vm['VIFs']) == 1
    sizes = sorted(int(v['virtual_size']) >> 30 for v in xapi.records('VDI').values())
    assert sizes == [1, 2]
    assert 'VM.clone' in xapi.calls and 'VM.create' not in xapi.calls
    info = driver.get_info(instance)
    assert (info.state, info.num_cpu, info.max_mem_kb) == (states.RUNNING, 2, 1024 * 1024)


def test_spawn_with_vm_create_when_no_template(xapi):
    drv = make_driver(xapi.url, template_name_label='', network_name_label='')
    drv.init_host('compute1')
    try:
        spawn(drv)
        [vm] = xapi.vms().values()
        assert 'VM.create' in xapi.calls and 'VM.clone' not in xapi.calls
        assert vm['HVM_boot_policy'] == 'BIOS order' and vm['VIFs'] == []
    finally:
        drv.cleanup_host('compute1')


def test_templates_and_dom0_are_not_instances(driver, xapi):
    assert driver.list_instance_uuids() == []
    instance = spawn(driver)
    assert driver.list_instance_uuids() == [instance.uuid]


def test_destroy_removes_vm_disks_and_nics(driver, xapi):
    node = driver.get_available_nodes()[0]
    before = driver.get_available_resource(node)
    instance = spawn(driver, make_instance(root_gb=3))
    assert driver.get_available_resource(node)['local_gb_used'] == before['local_gb_used'] + 3
    driver.destroy(None, instance)
    assert xapi.vms() == {} and xapi.records('VDI') == {} and xapi.records('VBD') == {}
    assert xapi.records('VIF') == {}
    assert driver.get_available_resource(node) == before


def test_resources_come_from_host_metrics_and_the_sr(driver):
    [node] = driver.get_available_nodes()
    assert node == 'xenhost1'
    res = driver.get_available_resource(node)
    assert (res['vcpus'], res['memory_mb'], res['local_gb']) == (8, 16384, 500)
    assert res['memory_mb_used'] == 1024          # dom0
    assert res['hypervisor_type'] == 'xen' and res['hypervisor_version'] == 3002001
    assert res['host_ip'] == '127.0.0.1'


def test_console_output_and_vnc_console(driver):
    instance = spawn(driver)
    assert 'Booting instance-%s' % instance.uuid in driver.get_console_output(None, instance)
    console = driver.get_vnc_console(None, instance)
    assert (console.host, console.port) == ('127.0.0.1', 443)
    assert console.internal_access_path.startswith('/console?uuid=')
    driver.power_off(instance)
    assert driver.get_console_output(None, instance) == ''


def test_vnc_proxyclient_address_overrides_the_console_host(xapi):
    drv = make_driver(xapi.url, vnc_proxyclient_address='10.0.0.5')
    drv.init_host('compute1')
    try:
        assert drv.get_vnc_console(None, spawn(drv)).host == '10.0.0.5'
    finally:
        drv.cleanup_host('compute1')


def test_clean_shutdown_and_soft_reboot_fall_back_to_hard(driver, xapi):
    """A guest without PV drivers refuses ACPI requests (VM_LACKS_FEATURE_SHUTDOWN)."""
    instance = spawn(driver)
    xapi.ignore_acpi = True
    driver.reboot(None, instance, [], 'SOFT')
    assert driver.get_info(instance).state == states.RUNNING
    assert xapi.calls.count('VM.hard_reboot') == 1
    driver.power_off(instance, timeout=5)
    assert driver.get_info(instance).state == states.SHUTDOWN
    assert xapi.calls.count('VM.hard_shutdown') == 1
    xapi.ignore_acpi = False
    driver.power_on(None, instance, [])
    driver.power_off(instance, timeout=5)
    assert xapi.calls.count('VM.clean_shutdown') == 2
    assert xapi.calls.count('VM.hard_shutdown') == 1


def test_expired_session_logs_in_again(driver, xapi):
    instance = spawn(driver)
    xapi.expire_sessions()
    assert driver.list_instance_uuids() == [instance.uuid]
    assert xapi.calls.count('session.login_with_password') == 2


def test_full_host_is_compute_resources_unavailable(xapi):
    drv = make_driver(xapi.url)
    drv.init_host('compute1')
    try:
        with pytest.raises(exception.ComputeResourcesUnavailable,
                           match='HOST_NOT_ENOUGH_FREE_MEMORY'):
            spawn(drv, make_instance(memory_mb=64 * 1024))
        assert xapi.vms() == {} and xapi.records('VDI') == {}
    finally:
        drv.cleanup_host('compute1')


# -- errors ------------------------------------------------------------------------------

def test_login_failure_is_a_clear_error(xapi):
    drv = make_driver(xapi.url, password='wrong-password')
    with pytest.raises(errors.AuthenticationFailed) as info:
        drv.init_host('compute1')
    assert xapi.url in info.value.message
    assert 'connection_password' in info.value.message
    assert 'wrong-password' not in str(info.value)
    assert isinstance(info.value, exception.HypervisorError)


def test_unreachable_host_is_a_clear_error():
    url = 'http://127.0.0.1:%d' % nltest.free_port()    # nothing listens there
    drv = make_driver(url)
    with pytest.raises(errors.HypervisorUnreachable) as info:
        drv.init_host('compute1')
    assert url in info.value.message and 'ConnectionRefusedError' in info.value.message


def test_missing_connection_url_is_a_config_error():
    drv = make_driver(None)
    with pytest.raises(exception.ConfigError, match='connection_url'):
        drv.init_host('compute1')


def test_hypervisor_going_away_after_start(xapi):
    drv = make_driver(xapi.url)
    drv.init_host('compute1')
    xapi.stop()
    with pytest.raises(errors.HypervisorUnreachable):
        drv.list_instance_uuids()
    drv.cleanup_host('compute1')         # must not raise either


def test_handle_invalid_maps_to_instance_not_found(driver):
    bogus = 'OpaqueRef:%s' % uuid.uuid4()
    with pytest.raises(exception.InstanceNotFound, match='abc'):
        driver.session.call('VM.get_record', bogus, instance_uuid='abc')
    with pytest.raises(exception.HypervisorError, match='HANDLE_INVALID VM %s' % bogus):
        driver.session.call('VM.get_record', bogus)


def test_vm_bad_power_state_maps_to_invalid_state(driver, xapi):
    instance = spawn(driver)
    [ref] = xapi.vms()
    with pytest.raises(exception.InstanceInvalidState) as info:
        driver.session.call('VM.unpause', ref, instance_uuid=instance.uuid)
    assert 'running (expected paused)' in info.value.message
    assert instance.uuid in info.value.message


def test_a_refused_call_is_a_hypervisor_error(driver, xapi):
    instance = spawn(driver)
    xapi.refuse('VM.pause', 'OPERATION_NOT_ALLOWED', 'pause is blocked')
    with pytest.raises(exception.HypervisorError, match='VM.pause failed: OPERATION_NOT_ALLOWED'):
        driver.pause(instance)


def test_safe_url_drops_credentials():
    assert (xen_session.safe_url('https://root:pw@xen1:8443/path?x=1')
            == 'https://xen1:8443/path')


def test_credentials_never_logged(xapi, caplog):
    caplog.set_level(logging.DEBUG)
    with_userinfo = xapi.url.replace('http://', 'http://root:%s@' % PASSWORD)
    drv = make_driver(with_userinfo)
    drv.init_host('compute1')
    instance = spawn(drv)
    xapi.expire_sessions()
    xapi.ignore_acpi = True
    drv.reboot(None, instance, [], 'SOFT')
    drv.destroy(None, instance)
    drv.cleanup_host('compute1')
    messages = []
    for bad in (make_driver(xapi.url, password=PASSWORD + 'x'),
                make_driver(with_userinfo.replace(str(xapi._server.server_address[1]),
                                                  str(nltest.free_port())))):
        with pytest.raises(exception.HypervisorError) as info:
            bad.init_host('compute1')
        messages.append(str(info.value))
        logging.getLogger('test').exception('init_host failed: %s', info.value)
    assert 'Connected to XenAPI' in caplog.text     # the log was captured at all
    for text in [caplog.text] + messages:
        assert PASSWORD not in text


def test_options_are_listed_and_the_password_is_secret():
    [(group, opts)] = options.list_opts()
    by_name = {o.name: o for o in opts}
    assert group == 'xenserver'
    assert {'connection_url', 'connection_username', 'connection_password',
            'connection_timeout', 'template_name_label', 'sr_name_label',
            'network_name_label', 'vnc_proxyclient_address'} <= set(by_name)
    assert by_name['connection_password'].secret
