"""A compute service with the vmwareapi driver, in process, against govmomi's vcsim.

Real conductor, scheduler and compute services over the in-process transport;
the driver talks SOAP to vcsim on loopback with the real pyvmomi client.
"""

import pytest

import nltest
import vcsim
from novalite import plugin
from novalite.compute import states
from novalite_plugins.virt.vmwareapi import driver as vmware_driver
from novalite_plugins.virt.vmwareapi import options

pytest.importorskip('pyVmomi')

HOST = 'vmware-compute1'
NODE = 'DC0_C0'         # vcsim's cluster: the driver's node


# One vcsim and one cloud for the module: starting and stopping a cloud costs seconds.
@pytest.fixture(scope='module')
def sim():
    server = vcsim.Vcsim(vms=1).start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, sim):
    tmp_path = tmp_path_factory.mktemp('vmwareapi-flow')
    driver = plugin.instantiate(vmware_driver.VMwareVCDriver, nltest.make_conf(tmp_path / 'vmw'))
    for name, value in (('host_ip', sim.host), ('host_port', sim.port),
                        ('host_username', sim.username), ('host_password', sim.password),
                        ('insecure', True), ('api_retry_count', 2),
                        ('task_poll_interval', 0.05), ('integration_bridge', 'VM Network')):
        driver.conf.set_override(name, value, group=options.GROUP)
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=(HOST,),
                         drivers={HOST: driver}).start()
    yield cloud
    cloud.stop()


def _instance_vms(sim):
    """Names of the VMs in vcsim that are not part of its own inventory (DC0_...)."""
    from pyVim import connect
    from pyVmomi import vim
    si = sim.connect()
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.VirtualMachine], True)
        return {vm.name: vm.runtime.powerState for vm in view.view
                if not vm.name.startswith('DC0_')}
    finally:
        connect.Disconnect(si)


def _assert_cleaned_up(cloud, sim):
    """The half-built VM is gone, and the claim was given back."""
    assert _instance_vms(sim) == {}
    compute = cloud.services[-1].manager
    assert compute.tracker.tracked == {}


def test_boot_to_active_then_delete(cloud, sim):
    node = nltest.wait_for(
        lambda: [n for n in cloud.db.compute_node_get_all() if n.host == HOST],
        what='the vmware cluster reported')[0]
    assert node.hypervisor_type == 'VMware vCenter Server'
    assert node.hypervisor_hostname == NODE
    instance = cloud.boot()[0]
    active = cloud.wait_state(instance.uuid, states.ACTIVE)
    assert active.power_state == states.RUNNING
    assert (active.host, active.node) == (HOST, NODE)
    assert _instance_vms(sim) == {instance.uuid: 'poweredOn'}

    cloud.api.delete(cloud.ctx, active)
    cloud.wait_deleted(instance.uuid)
    assert _instance_vms(sim) == {}


def test_refused_power_on_is_rescheduled_then_ends_in_error(cloud, sim):
    """As Nova: a spawn error reschedules; with one host RetryFilter leaves nothing."""
    sim.refuse('VirtualMachine.powerOn', reason='no host can run this VM')
    instance = cloud.boot()[0]
    cloud.wait_state(instance.uuid, states.ERROR)
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert 'RetryFilter' in fault['message'] and HOST in fault['message'], fault
    _assert_cleaned_up(cloud, sim)


def test_refused_power_on_without_retries_names_the_vsphere_fault(cloud, sim):
    """With rescheduling off the fault is the driver's error, vSphere fault and all."""
    cloud.conf.set_override('max_attempts', 1, group='scheduler')
    try:
        sim.refuse('VirtualMachine.powerOn', reason='no host can run this VM')
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
    finally:
        cloud.conf.clear_override('max_attempts', group='scheduler')
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert fault['message'] == ('Hypervisor error: vSphere PowerOnVM_Task failed: '
                                'GenericVmConfigFault: no host can run this VM'), fault
    _assert_cleaned_up(cloud, sim)
