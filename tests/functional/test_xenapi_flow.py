"""A compute service with the xenapi driver, in process, against tests/fake_xapi.py.

Real conductor, scheduler and compute services over the in-process transport;
the driver talks XML-RPC to the fake xapi on loopback with the real XenAPI client.
"""

import pytest

import fake_xapi
import nltest
from novalite import plugin
from novalite.compute import states
from novalite_plugins.virt.xenapi import driver as xen_driver
from novalite_plugins.virt.xenapi import options

HOST = 'xen-compute1'


# One xapi and one cloud for the module: starting and stopping a cloud costs seconds.
@pytest.fixture(scope='module')
def xapi():
    server = fake_xapi.FakeXapi(hostname=HOST)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, xapi):
    tmp_path = tmp_path_factory.mktemp('xenapi-flow')
    driver = plugin.instantiate(xen_driver.XenAPIDriver, nltest.make_conf(tmp_path / 'xen'))
    for name, value in (('connection_url', xapi.url), ('connection_password', xapi.password),
                        ('connection_timeout', 5.0)):
        driver.conf.set_override(name, value, group=options.GROUP)
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=(HOST,),
                         drivers={HOST: driver}).start()
    yield cloud
    cloud.stop()


def _node(cloud):
    [node] = [n for n in cloud.db.compute_node_get_all() if n.host == HOST]
    return node


def test_boot_to_active_then_delete(cloud, xapi):
    nltest.wait_for(lambda: [n for n in cloud.db.compute_node_get_all() if n.host == HOST],
                    what='the xen host reported')
    assert _node(cloud).hypervisor_type == 'xen'
    instance = cloud.boot()[0]
    active = cloud.wait_state(instance.uuid, states.ACTIVE)
    assert active.power_state == states.RUNNING and active.node == HOST
    [vm] = xapi.vms().values()
    assert vm['other_config']['nova_uuid'] == instance.uuid and vm['power_state'] == 'Running'

    cloud.api.delete(cloud.ctx, active)
    cloud.wait_deleted(instance.uuid)
    assert xapi.vms() == {} and xapi.records('VDI') == {}


def _assert_cleaned_up(cloud, xapi):
    """The half-built VM and its disk are gone, and the claim was given back."""
    assert xapi.vms() == {} and xapi.records('VDI') == {}
    compute = cloud.services[-1].manager
    assert compute.tracker.tracked == {}


def test_refused_start_is_rescheduled_then_ends_in_error(cloud, xapi):
    """As Nova: a spawn error reschedules; with one host RetryFilter leaves nothing."""
    xapi.refuse('VM.start', 'INTERNAL_ERROR', 'xenopsd: domain build failed', times=1)
    starts = xapi.calls.count('VM.start')
    instance = cloud.boot()[0]
    cloud.wait_state(instance.uuid, states.ERROR)
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert 'RetryFilter' in fault['message'] and HOST in fault['message'], fault
    assert xapi.calls.count('VM.start') == starts + 1      # tried once, on the one host
    _assert_cleaned_up(cloud, xapi)


def test_refused_start_without_retries_names_the_xenapi_error(cloud, xapi):
    """With rescheduling off the fault is the driver's error, XenAPI code and all."""
    cloud.conf.set_override('max_attempts', 1, group='scheduler')
    try:
        xapi.refuse('VM.start', 'INTERNAL_ERROR', 'xenopsd: domain build failed', times=1)
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
    finally:
        cloud.conf.clear_override('max_attempts', group='scheduler')
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert fault['message'] == ('Hypervisor error: XenAPI VM.start failed: INTERNAL_ERROR '
                                'xenopsd: domain build failed'), fault
    _assert_cleaned_up(cloud, xapi)


def test_a_compute_whose_hypervisor_is_down_runs_reports_and_connects_later(tmp_path):
    """Issue 5: an unreachable hypervisor does not stop the compute service."""
    port = nltest.free_port()
    host = 'xen-late'
    driver = plugin.instantiate(xen_driver.XenAPIDriver, nltest.make_conf(tmp_path / 'xen'))
    for name, value in (('connection_url', 'http://127.0.0.1:%d' % port),
                        ('connection_password', 'xen-secret'), ('connection_timeout', 2.0)):
        driver.conf.set_override(name, value, group=options.GROUP)
    cloud = nltest.Cloud(nltest.make_conf(tmp_path, periodic_interval=1, report_interval=1),
                         hosts=(host,), drivers={host: driver}).start()
    xapi = fake_xapi.FakeXapi(hostname=host)
    try:
        service = nltest.wait_for(
            lambda: [s for s in cloud.db.service_get_all(binary='novalite-compute')
                     if s.host == host and s.report_count > 0],
            what='the compute heartbeating without its hypervisor')
        assert service
        assert not [n for n in cloud.db.compute_node_get_all() if n.host == host]

        xapi.start(port)
        nltest.wait_for(lambda: [n for n in cloud.db.compute_node_get_all()
                                 if n.host == host], what='the node reported once xapi is up')
        instance = cloud.boot()[0]
        assert cloud.wait_state(instance.uuid, states.ACTIVE).host == host
    finally:
        cloud.stop()
        xapi.stop()
