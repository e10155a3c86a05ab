"""HostState: refresh from compute reports and virtual consumption."""

import datetime

from novalite.objects import ComputeNode
from novalite.objects import RequestSpec
from novalite.objects import Service
from novalite.scheduler.host_state import HostState

T0 = datetime.datetime(2015, 4, 30, 12, 0, 0)
RATIOS = {'ram': 1.5, 'cpu': 16.0, 'disk': 1.0}


def node(updated_at=T0, **kwargs):
    values = dict(host='host1', hypervisor_hostname='node1', vcpus=8, memory_mb=16384,
                  local_gb=500, vcpus_used=2, memory_mb_used=4096, local_gb_used=100,
                  free_ram_mb=12288, free_disk_gb=400, running_vms=2,
                  stats={'num_instances': 2, 'io_workload': 1}, updated_at=updated_at)
    values.update(kwargs)
    return ComputeNode(**values)


def spec(**flavor):
    values = {'memory_mb': 2048, 'vcpus': 2, 'root_gb': 20, 'ephemeral_gb': 0, 'swap': 0}
    values.update(flavor)
    return RequestSpec(flavor=values)


def test_update_from_compute_node():
    hs = HostState('host1', 'node1')
    assert hs.update_from_compute_node(node(), {'disabled': False, 'is_up': True}, RATIOS)
    assert (hs.total_usable_ram_mb, hs.free_ram_mb) == (16384, 12288)
    assert (hs.total_usable_disk_gb, hs.free_disk_mb, hs.disk_mb_used) == (
        500, 400 * 1024, 100 * 1024)
    assert (hs.vcpus_total, hs.vcpus_used) == (8, 2)
    assert (hs.num_instances, hs.num_io_ops) == (2, 1)
    assert (hs.ram_allocation_ratio, hs.cpu_allocation_ratio,
            hs.disk_allocation_ratio) == (1.5, 16.0, 1.0)
    assert hs.updated == T0
    assert hs.service['is_up'] is True


def test_disk_available_least_caps_free_disk():
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(disk_available_least=50), None, RATIOS)
    assert hs.free_disk_mb == 50 * 1024


def test_node_ratio_wins_and_zero_means_default():
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(ram_allocation_ratio=1.0, cpu_allocation_ratio=0.0),
                                None, RATIOS)
    assert hs.ram_allocation_ratio == 1.0
    assert hs.cpu_allocation_ratio == 16.0
    assert hs.disk_allocation_ratio == 1.0


def test_service_record_accepted():
    hs = HostState('host1', 'node1')
    hs.update_service(Service(host='host1', binary='novalite-compute', topic='compute',
                              disabled=True, disabled_reason='maint'))
    assert hs.service['disabled'] is True
    assert hs.service['disabled_reason'] == 'maint'
    assert hs.service['is_up'] is True


def test_consume_from_request():
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(), None, RATIOS)
    now = T0 + datetime.timedelta(seconds=5)
    hs.consume_from_request(spec(root_gb=20, ephemeral_gb=5), now=now, instance_uuid='u1')
    assert hs.free_ram_mb == 12288 - 2048
    assert hs.free_disk_mb == (400 - 25) * 1024
    assert hs.vcpus_used == 4
    assert (hs.num_instances, hs.num_io_ops) == (3, 2)
    assert hs.updated == now
    assert hs.instances == {'u1'}


def test_consume_defaults_to_utc_now():
    hs = HostState('host1', 'node1')
    hs.consume_from_request(spec())
    assert isinstance(hs.updated, datetime.datetime)
    assert hs.updated.tzinfo is None


def test_older_report_does_not_overwrite_newer_consumption():
    """Nova K: a report older than the scheduler's own placement keeps the consumption."""
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(updated_at=T0), None, RATIOS)
    hs.consume_from_request(spec(), now=T0 + datetime.timedelta(seconds=10))
    # The compute's report from before the placement (or the same row again).
    changed = hs.update_from_compute_node(
        node(updated_at=T0 + datetime.timedelta(seconds=5)),
        {'disabled': True, 'is_up': True}, RATIOS)
    assert changed is False
    assert hs.free_ram_mb == 12288 - 2048
    assert hs.vcpus_used == 4
    # ... but the service still is refreshed.
    assert hs.service['disabled'] is True
    # A newer report (which includes the instance) replaces the estimate.
    changed = hs.update_from_compute_node(
        node(updated_at=T0 + datetime.timedelta(seconds=20), free_ram_mb=10240,
             vcpus_used=4), None, RATIOS)
    assert changed is True
    assert (hs.free_ram_mb, hs.vcpus_used) == (10240, 4)
    assert hs.updated == T0 + datetime.timedelta(seconds=20)


def test_monotonic_float_clock():
    """The simulator may use float timestamps throughout."""
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(updated_at=10.0), None, RATIOS)
    hs.consume_from_request(spec(), now=12.0)
    assert hs.update_from_compute_node(node(updated_at=11.0), None, RATIOS) is False
    assert hs.update_from_compute_node(node(updated_at=13.0), None, RATIOS) is True


def test_report_without_timestamp_uses_now():
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(updated_at=None), None, RATIOS, now=T0)
    assert hs.updated == T0


def test_snapshot_restore():
    hs = HostState('host1', 'node1')
    hs.update_from_compute_node(node(), None, RATIOS)
    before = hs.snapshot()
    hs.consume_from_request(spec(), now=T0 + datetime.timedelta(seconds=1), instance_uuid='u1')
    hs.restore(before, 'u1')
    assert hs.snapshot() == before
    assert hs.instances == set()


def test_slots():
    hs = HostState('host1', 'node1')
    assert not hasattr(hs, '__dict__')
    assert 'host1' in repr(hs)
