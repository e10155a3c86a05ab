"""A compute service with the libvirt driver on libvirt's test driver (test:///default), in process.

Real conductor, scheduler and compute services over the in-process transport;
the driver talks to libvirt's in-process test driver through libvirt-python.
"""

import os
import types
import uuid

import pytest

try:
    import libvirt
except ImportError:
    if os.environ.get('CI') == 'true':
        raise   # CI installs libvirt-python: its absence is a failure there
    pytest.skip('libvirt-python is not installed (apt-get install libvirt-dev pkg-config; '
                'pip install libvirt-python)', allow_module_level=True)

import nltest
from novalite import plugin
from novalite.compute import api as compute_api
from novalite.compute import states
from novalite_plugins.virt.libvirt import driver as lv_driver
from novalite_plugins.virt.libvirt import options

HOST = 'libvirt-compute1'


@pytest.fixture(scope='module')
def peer():
    """A connection of the test's own: it sees the domains the driver makes."""
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open('test:///default')
    yield conn
    conn.close()


# One cloud for the module: starting and stopping a cloud costs seconds.
@pytest.fixture(scope='module')
def cloud(tmp_path_factory, peer):
    tmp_path = tmp_path_factory.mktemp('libvirt-flow')
    driver = plugin.instantiate(lv_driver.LibvirtDriver, nltest.make_conf(tmp_path / 'lv'))
    for name, value in (('virt_type', 'test'), ('storage_pool', 'default-pool'),
                        ('instances_path', str(tmp_path / 'instances'))):
        driver.conf.set_override(name, value, group=options.GROUP)
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=(HOST,),
                         drivers={HOST: driver}).start()
    yield cloud
    cloud.stop()


def _instance_domains(peer):
    return sorted(d.name() for d in peer.listAllDomains(0) if d.name() != 'test')


def _assert_cleaned_up(cloud, peer):
    """No domain of an instance, no instance folder, and the claim was given back."""
    assert [n for n in _instance_domains(peer) if n.startswith('instance-')] == []
    driver = cloud.drivers[HOST]
    assert os.listdir(driver.instances_path) == []
    assert cloud.services[-1].manager.tracker.tracked == {}


def test_boot_to_active_then_delete(cloud, peer):
    nltest.wait_for(lambda: [n for n in cloud.db.compute_node_get_all() if n.host == HOST],
                    what='the libvirt host reported')
    [node] = [n for n in cloud.db.compute_node_get_all() if n.host == HOST]
    assert node.hypervisor_type == 'TEST' and node.hypervisor_hostname == peer.getHostname()
    instance = cloud.boot()[0]
    active = cloud.wait_state(instance.uuid, states.ACTIVE)
    assert active.power_state == states.RUNNING and active.node == peer.getHostname()
    dom = peer.lookupByUUIDString(instance.uuid)
    assert dom.name() == 'instance-%s' % instance.uuid
    assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING

    cloud.api.delete(cloud.ctx, active)
    cloud.wait_deleted(instance.uuid)
    _assert_cleaned_up(cloud, peer)


@pytest.fixture
def clashing_domain(peer, monkeypatch):
    """The next server gets a known uuid, and libvirt already has a domain with its name.

    The test driver accepts any domain XML, so this is how it can be made to
    refuse a spawn for real: defineXML fails with "domain 'instance-<uuid>'
    already exists with uuid ...".
    """
    fixed = uuid.uuid4()
    monkeypatch.setattr(compute_api, 'uuidlib', types.SimpleNamespace(uuid4=lambda: fixed))
    foreign = peer.defineXML(
        "<domain type='test'><name>instance-%s</name><uuid>%s</uuid>"
        "<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>"
        % (fixed, uuid.uuid4()))
    yield str(fixed)
    assert foreign.isPersistent(), 'the driver removed a domain it did not make'
    foreign.undefine()


def test_refused_spawn_without_retries_ends_in_error_with_libvirts_reason(
        cloud, peer, clashing_domain):
    cloud.conf.set_override('max_attempts', 1, group='scheduler')
    try:
        instance = cloud.boot()[0]
        assert instance.uuid == clashing_domain
        cloud.wait_state(instance.uuid, states.ERROR)
    finally:
        cloud.conf.clear_override('max_attempts', group='scheduler')
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert fault['message'].startswith('Hypervisor error: libvirt defineXML failed: '), fault
    assert 'already exists' in fault['message'], fault
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
    cloud.wait_deleted(instance.uuid)
    assert _instance_domains(peer) == ['instance-%s' % clashing_domain]  # only the foreign one
    assert os.listdir(cloud.drivers[HOST].instances_path) == []


def test_refused_spawn_is_rescheduled_then_ends_in_error(cloud, peer, clashing_domain):
    """As Nova: a spawn error reschedules; with one host RetryFilter leaves nothing."""
    instance = cloud.boot()[0]
    cloud.wait_state(instance.uuid, states.ERROR)
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert 'RetryFilter' in fault['message'] and HOST in fault['message'], fault
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
    cloud.wait_deleted(instance.uuid)
    assert os.listdir(cloud.drivers[HOST].instances_path) == []
