"""The vmwareapi driver: real pyvmomi against govmomi's vcsim on loopback (tests/vcsim.py)."""

import json
import logging
import uuid

import pytest
from oslo_config import cfg

import nltest
import vcsim
from novalite import exception
from novalite import objects
from novalite import plugin
from novalite.compute import states
from novalite.virt import testing
from novalite_plugins.virt.vmwareapi import driver as vmware_driver
from novalite_plugins.virt.vmwareapi import errors
from novalite_plugins.virt.vmwareapi import options
from novalite_plugins.virt.vmwareapi import vm_util

pytest.importorskip('pyVmomi')

PASSWORD = 'vmware-secret-Pa55'


# One vcsim for the module: it starts in well under a second, but the build is cached anyway.
@pytest.fixture(scope='module')
def sim():
    server = vcsim.Vcsim(password=PASSWORD, vms=1).start()
    yield server
    server.stop()


def make_driver(sim, password=PASSWORD, **overrides):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    driver = plugin.instantiate(vmware_driver.VMwareVCDriver, conf)
    values = {'host_ip': sim.host, 'host_port': sim.port, 'host_username': sim.username,
              'host_password': password, 'insecure': True, 'api_retry_count': 2,
              'task_poll_interval': 0.05, 'integration_bridge': 'VM Network'}
    values.update(overrides)
    for key, value in values.items():
        conf.set_override(key, value, group=options.GROUP)
    return driver


def make_instance(**flavor):
    values = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}
    values.update(flavor)
    return objects.Instance(uuid=str(uuid.uuid4()), display_name='vm', user_id='u',
                            project_id='p', flavor=values)


def destroy_all(driver):
    """Destroy every instance VM the driver lists (teardown)."""
    for instance_uuid in driver.list_instance_uuids():
        driver.destroy(None, objects.Instance(uuid=instance_uuid, display_name='vm',
                                              user_id='u', project_id='p', flavor={}))


def vif(bridge, index=1):
    return {'id': str(uuid.UUID(int=index)), 'address': 'fa:16:3e:00:00:%02x' % index,
            'network': {'id': str(uuid.UUID(int=100 + index)), 'bridge': bridge}}


@pytest.fixture(scope='module')
def peer(sim):
    """A pyvmomi ServiceInstance of the test's own, to look at vcsim's inventory."""
    from pyVim import connect
    si = sim.connect()
    yield si
    connect.Disconnect(si)


def vim_vms(si):
    """{name: VirtualMachine} as the simulator has them."""
    from pyVmomi import vim
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return {vm.name: vm for vm in view.view}
    finally:
        view.Destroy()


@pytest.fixture
def driver(sim):
    drv = make_driver(sim)
    drv.init_host('compute1')
    yield drv
    destroy_all(drv)
    drv.cleanup_host('compute1')
    sim.reset()


def spawn(driver, instance=None, network_info=()):
    instance = instance or make_instance()
    driver.spawn(None, instance, {}, [], None, network_info=list(network_info))
    return instance


# -- the conformance kit -----------------------------------------------------------------

class TestVMwareDriverConformance(testing.DriverConformance):
    """The whole ComputeDriver contract, over SOAP against vcsim."""

    @pytest.fixture(autouse=True)
    def _sim(self, sim):
        self.sim = sim

    def make_driver(self):
        return make_driver(self.sim)

    def inject_spawn_failure(self, driver):
        self.sim.refuse('VirtualMachine.powerOn', reason='no compatible host for this VM')
        return True

    def reset_peer(self):
        from pyVim import connect
        self.sim.reset()
        si = self.sim.connect()
        try:
            ours = [name for name in vim_vms(si) if not name.startswith('DC0_')]
        finally:
            connect.Disconnect(si)
        assert ours == [], 'the kit left VMs behind: %s' % ours


# -- what goes over the wire ---------------------------------------------------------------

def test_spawn_builds_the_vm_from_the_flavor(driver, sim, peer):
    instance = spawn(driver, make_instance(memory_mb=1024, vcpus=2, root_gb=2, ephemeral_gb=1),
                     network_info=[vif('DC0_DVPG0')])
    vm = vim_vms(peer)[instance.uuid]
    config = vm.config
    assert config.instanceUuid == instance.uuid and vm.runtime.powerState == 'poweredOn'
    assert (config.hardware.numCPU, config.hardware.memoryMB) == (2, 1024)
    assert config.managedBy.extensionKey == 'org.openstack.compute'
    extra = {o.key: o.value for o in config.extraConfig}
    assert extra['nvp.vm-uuid'] == instance.uuid
    assert extra['RemoteDisplay.vnc.enabled'] == 'true'
    disks = sorted((d.capacityInKB >> 20, d.backing.fileName) for d in config.hardware.device
                   if type(d).__name__ == 'vim.vm.device.VirtualDisk')
    assert disks == [(1, '[LocalDS_0] %s/%s-ephemeral.vmdk' % (instance.uuid, instance.uuid)),
                     (2, '[LocalDS_0] %s/%s.vmdk' % (instance.uuid, instance.uuid))]
    [nic] = [d for d in config.hardware.device if hasattr(d, 'macAddress')]
    assert type(nic).__name__ == 'vim.vm.device.VirtualVmxnet3'
    assert nic.macAddress == 'fa:16:3e:00:00:01'
    assert nic.backing.port.portgroupKey == [n for n in vm.network
                                             if n.name == 'DC0_DVPG0'][0].key
    info = driver.get_info(instance)
    assert (info.state, info.num_cpu, info.max_mem_kb) == (states.RUNNING, 2, 1024 * 1024)


def test_nic_falls_back_to_the_integration_bridge(driver, sim, peer):
    instance = spawn(driver, network_info=[vif('br100')])      # no such port group in vcsim
    vm = vim_vms(peer)[instance.uuid]
    [nic] = [d for d in vm.config.hardware.device if hasattr(d, 'macAddress')]
    assert nic.backing.deviceName == 'VM Network'


def test_e1000_and_no_nic_without_network_info_or_bridge(sim, peer):
    drv = make_driver(sim, integration_bridge=None, vif_model='e1000')
    drv.init_host('compute1')
    try:
        plain = spawn(drv)
        with_nic = spawn(drv, network_info=[vif('VM Network')])
        vms = vim_vms(peer)
        assert not [d for d in vms[plain.uuid].config.hardware.device
                    if hasattr(d, 'macAddress')]
        [nic] = [d for d in vms[with_nic.uuid].config.hardware.device
                 if hasattr(d, 'macAddress')]
        assert type(nic).__name__ == 'vim.vm.device.VirtualE1000'
    finally:
        destroy_all(drv)
        drv.cleanup_host('compute1')


def test_foreign_vms_are_not_instances(driver, sim, peer):
    assert 'DC0_C0_RP0_VM0' in vim_vms(peer)
    assert driver.list_instance_uuids() == []
    instance = spawn(driver)
    assert driver.list_instance_uuids() == [instance.uuid]


def test_destroy_removes_the_vm_and_its_disk(driver, sim, peer):
    node = driver.get_available_nodes()[0]
    before = driver.get_available_resource(node)
    instance = spawn(driver, make_instance(root_gb=3, vcpus=2, memory_mb=256))
    during = driver.get_available_resource(node)
    assert during['local_gb_used'] - before['local_gb_used'] in (2, 3, 4)   # GiB rounding
    assert during['vcpus_used'] == before['vcpus_used'] + 2
    assert during['memory_mb_used'] == before['memory_mb_used'] + 256
    driver.destroy(None, instance)
    assert instance.uuid not in vim_vms(peer)
    assert driver.get_available_resource(node) == before


def test_resources_match_the_simulator_inventory(driver, sim):
    from pyVim import connect
    from pyVmomi import vim
    [node] = driver.get_available_nodes()
    assert node == 'DC0_C0'
    res = driver.get_available_resource(node)
    si = sim.connect()
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.ClusterComputeResource], True)
        [cluster] = view.view
        hardware = [h.summary.hardware for h in cluster.host]
        datastores = [d.summary for d in cluster.datastore]
        running = [vm for vm in cluster.resourcePool.vm if vm.runtime.powerState == 'poweredOn']
        assert res['vcpus'] == sum(h.numCpuThreads for h in hardware)
        assert res['memory_mb'] == sum(h.memorySize for h in hardware) >> 20
        assert res['local_gb'] == sum(d.capacity for d in datastores) >> 30
        assert res['disk_available_least'] == sum(d.freeSpace for d in datastores) >> 30
        assert res['vcpus_used'] == sum(vm.summary.config.numCpu for vm in running)
        assert res['memory_mb_used'] == sum(vm.summary.config.memorySizeMB for vm in running)
        assert res['hypervisor_type'] == content.about.name == 'VMware vCenter Server'
        assert res['hypervisor_version'] == 6005000
    finally:
        connect.Disconnect(si)
    assert res['host_ip'] == '127.0.0.1' and res['hypervisor_hostname'] == 'DC0_C0'
    assert json.loads(res['cpu_info'])['vendor'] == hardware[0].vendor
    assert driver.get_available_resource('DC0_C1') == {}


def test_unknown_cluster_name_is_a_clear_error(sim):
    drv = make_driver(sim, cluster_name='nope')
    with pytest.raises(exception.HypervisorError, match="no cluster named 'nope'"):
        drv.init_host('compute1')


def test_datastore_regex_that_matches_nothing(sim):
    drv = make_driver(sim, datastore_regex='^SAN-')
    drv.init_host('compute1')
    try:
        with pytest.raises(exception.HypervisorError, match='datastore_regex'):
            spawn(drv)
        assert drv.list_instance_uuids() == []
    finally:
        drv.cleanup_host('compute1')


def test_vnc_ports_are_distinct_and_in_range(sim):
    drv = make_driver(sim, vnc_port=6100, vnc_port_total=2)
    drv.init_host('compute1')
    try:
        first, second = spawn(drv), spawn(drv)
        consoles = [drv.get_vnc_console(None, i) for i in (first, second)]
        assert sorted(c.port for c in consoles) == [6100, 6101]
        assert {c.host for c in consoles} == {'127.0.0.1'}     # the ESX host's vnic address
        with pytest.raises(exception.ComputeResourcesUnavailable, match='VNC port'):
            spawn(drv)
        drv.destroy(None, first)
        assert drv.get_vnc_console(None, spawn(drv)).port == consoles[0].port
    finally:
        destroy_all(drv)
        drv.cleanup_host('compute1')


def test_clean_power_off_uses_shutdown_guest(driver, sim, caplog):
    instance = spawn(driver)
    caplog.set_level(logging.WARNING)
    driver.power_off(instance, timeout=5, retry_interval=0.05)
    assert driver.get_info(instance).state == states.SHUTDOWN
    assert 'falling back' not in caplog.text        # vcsim implements ShutdownGuest


def test_soft_reboot_falls_back_to_reset(driver, caplog):
    """vcsim has no RebootGuest (MethodNotFound), as a guest without VMware Tools refuses it."""
    instance = spawn(driver)
    caplog.set_level(logging.WARNING)
    driver.reboot(None, instance, [], 'SOFT')
    assert driver.get_info(instance).state == states.RUNNING
    assert 'RebootGuest of %s refused' % instance.uuid in caplog.text
    assert 'MethodNotFound' in caplog.text


def test_pause_is_not_supported(driver):
    instance = spawn(driver)
    assert not driver.has_capability('supports_pause')
    with pytest.raises(exception.NotSupportedByDriver, match='pause'):
        driver.pause(instance)
    with pytest.raises(exception.InstanceNotFound):
        driver.pause(make_instance())


def test_suspend_of_a_stopped_vm_is_refused(driver):
    instance = spawn(driver)
    driver.power_off(instance)
    with pytest.raises(exception.HypervisorOperationRefused, match='poweredOff'):
        driver.suspend(None, instance)
    with pytest.raises(exception.HypervisorOperationRefused, match='not suspended'):
        driver.resume(None, instance, [])


def test_expired_session_logs_in_again(driver, sim):
    instance = spawn(driver)
    driver.session.si.content.sessionManager.Logout()
    assert driver.list_instance_uuids() == [instance.uuid]
    assert driver.get_info(instance).state == states.RUNNING


# -- errors ------------------------------------------------------------------------------

def test_invalid_power_state_maps_to_operation_refused(driver):
    instance = spawn(driver)
    vm = driver.inventory.find_vm(instance.uuid)
    with pytest.raises(exception.HypervisorOperationRefused) as info:
        driver.session.run_task('PowerOnVM_Task', vm.PowerOnVM_Task,
                                instance_uuid=instance.uuid)
    assert 'is poweredOn, not poweredOn' in info.value.message
    assert instance.uuid in info.value.message


def test_managed_object_not_found_maps_to_instance_not_found(driver):
    instance = spawn(driver)
    vm = driver.inventory.find_vm(instance.uuid)
    driver.destroy(None, instance)
    with pytest.raises(exception.InstanceNotFound, match=instance.uuid):
        driver.session.call('VirtualMachine.summary', lambda: vm.summary,
                            instance_uuid=instance.uuid)


def test_refused_task_is_a_hypervisor_error(driver, sim):
    instance = spawn(driver)
    sim.refuse('VirtualMachine.suspend', reason='suspend is blocked')
    with pytest.raises(exception.HypervisorError,
                       match='SuspendVM_Task failed: GenericVmConfigFault: suspend is blocked'):
        driver.suspend(None, instance)
    assert driver.get_info(instance).state == states.RUNNING


def test_wrong_password_is_a_clear_error(sim, caplog):
    caplog.set_level(logging.DEBUG)
    drv = make_driver(sim, password='wrong-password')
    with pytest.raises(exception.HypervisorUnavailable) as info:
        drv.init_host('compute1')
    assert isinstance(info.value, errors.AuthenticationFailed)
    assert '127.0.0.1:%d' % sim.port in info.value.message
    assert 'host_username / host_password' in info.value.message
    assert 'wrong-password' not in str(info.value) and 'wrong-password' not in caplog.text


def test_closed_port_is_hypervisor_unavailable():
    port = nltest.free_port()
    drv = make_driver(vcsim.Vcsim(), host_ip='127.0.0.1', host_port=port)
    drv.conf.set_override('host_port', port, group=options.GROUP)
    with pytest.raises(exception.HypervisorUnavailable,
                       match='127.0.0.1:%d: ConnectionRefusedError' % port):
        drv.init_host('compute1')


def test_certificate_is_verified_unless_insecure(sim):
    drv = make_driver(sim, insecure=False)
    with pytest.raises(exception.HypervisorUnavailable, match='SSLCertVerificationError'):
        drv.init_host('compute1')


def test_missing_host_ip_is_a_config_error(sim):
    drv = make_driver(sim, host_ip=None)
    with pytest.raises(exception.ConfigError, match='host_ip'):
        drv.init_host('compute1')


def test_vcsim_stopped_after_start_is_hypervisor_unavailable(caplog):
    own = vcsim.Vcsim(password=PASSWORD).start()
    drv = make_driver(own)
    drv.init_host('compute1')
    instance = spawn(drv)
    own.stop()
    caplog.set_level(logging.WARNING)
    with pytest.raises(exception.HypervisorUnavailable, match='ConnectionRefusedError'):
        drv.get_info(instance)
    with pytest.raises(exception.HypervisorUnavailable):
        drv.list_instance_uuids()
    assert 'try 1 of 2' in caplog.text          # retried api_retry_count times
    drv.cleanup_host('compute1')                # must not raise either


def test_credentials_never_logged(sim, caplog):
    caplog.set_level(logging.DEBUG)
    drv = make_driver(sim)
    drv.init_host('compute1')
    instance = spawn(drv)
    drv.session.si.content.sessionManager.Logout()       # forces a re-login
    drv.reboot(None, instance, [], 'SOFT')
    drv.get_vnc_console(None, instance)
    drv.destroy(None, instance)
    drv.cleanup_host('compute1')
    messages = []
    for bad in (make_driver(sim, password=PASSWORD + 'x'),
                make_driver(sim, host_port=nltest.free_port())):
        with pytest.raises(exception.HypervisorError) as info:
            bad.init_host('compute1')
        messages.append(str(info.value))
        logging.getLogger('test').exception('init_host failed: %s', info.value)
    assert 'Connected to vSphere' in caplog.text     # the log was captured at all
    assert 'expired; logging in again' in caplog.text
    for text in [caplog.text] + messages:
        assert PASSWORD not in text


def test_options_are_listed_and_the_password_is_secret():
    [(group, opts)] = options.list_opts()
    by_name = {o.name: o for o in opts}
    assert group == 'vmware'
    assert {'host_ip', 'host_port', 'host_username', 'host_password', 'insecure', 'ca_file',
            'cluster_name', 'datastore_regex', 'integration_bridge', 'vnc_port',
            'vnc_port_total', 'api_retry_count', 'task_poll_interval'} <= set(by_name)
    assert by_name['host_password'].secret and by_name['host_port'].default == 443


def test_vnc_port_helpers():
    assert vm_util.free_vnc_port(5900, 3, {5900, 5901}) == 5902
    assert vm_util.free_vnc_port(5900, 2, {5900, 5901}) is None
