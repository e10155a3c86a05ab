"""Built-in filters, table-driven: one row per case."""

import pytest

from novalite.objects import RequestSpec
from novalite.scheduler import interfaces
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.filters import all_hosts
from novalite_plugins.scheduler.filters import availability_zone
from novalite_plugins.scheduler.filters import compute
from novalite_plugins.scheduler.filters import core
from novalite_plugins.scheduler.filters import disk
from novalite_plugins.scheduler.filters import ram
from novalite_plugins.scheduler.filters import retry


def host(**attrs):
    return HostState('host1', 'node1', **attrs)


def spec(memory_mb=1024, vcpus=1, root_gb=10, ephemeral_gb=0, swap=0, **kwargs):
    flavor = {'memory_mb': memory_mb, 'vcpus': vcpus, 'root_gb': root_gb,
              'ephemeral_gb': ephemeral_gb, 'swap': swap}
    return RequestSpec(flavor=flavor, **kwargs)


def run(filter_obj, host_state, request):
    cycle = interfaces.CycleState()
    filter_obj.prepare(request, cycle)
    return filter_obj.host_passes(host_state, request, cycle), cycle


def check(filter_obj, host_state, request, passes, limits=None, reason=None):
    result, cycle = run(filter_obj, host_state, request)
    assert result is passes
    # filter_all must agree with host_passes.
    assert filter_obj.filter_all([host_state], request, cycle) == [passes]
    if limits is not None:
        assert host_state.limits == limits
    if reason is not None:
        assert filter_obj.reject_reason(host_state, request, cycle) == reason


# --- AllHostsFilter -------------------------------------------------------

@pytest.mark.parametrize('host_state', [
    host(),
    host(service={'disabled': True, 'is_up': False}),
    host(free_ram_mb=-1000),
])
def test_all_hosts(conf, host_state):
    check(all_hosts.AllHostsFilter(conf), host_state, spec(), True)


# --- ComputeFilter ----------------------------------------------------------

@pytest.mark.parametrize('service, passes, reason', [
    ({'disabled': False, 'is_up': True}, True, None),
    ({'disabled': True, 'disabled_reason': 'maintenance', 'is_up': True}, False,
     'service disabled (maintenance)'),
    ({'disabled': True, 'is_up': True}, False, 'service disabled'),
    ({'disabled': False, 'is_up': False}, False, 'service is down'),
    ({'disabled': False, 'forced_down': True, 'is_up': True}, False, 'service forced down'),
    ({'disabled': False}, False, 'service is down'),  # liveness unknown: not up
])
def test_compute(conf, service, passes, reason):
    check(compute.ComputeFilter(conf), host(service=service), spec(), passes, reason=reason)


# --- RamFilter --------------------------------------------------------------

@pytest.mark.parametrize('hs, memory_mb, passes, limits, reason', [
    # default ratio 1.5: limit 3072, used 0
    (dict(total_usable_ram_mb=2048, free_ram_mb=2048), 3072, True,
     {'memory_mb': 3072.0}, None),
    (dict(total_usable_ram_mb=2048, free_ram_mb=2048), 3073, False, {},
     '3072 MB usable RAM < 3073 MB requested'),
    # used 1536 of limit 3072
    (dict(total_usable_ram_mb=2048, free_ram_mb=512), 1536, True,
     {'memory_mb': 3072.0}, None),
    (dict(total_usable_ram_mb=2048, free_ram_mb=512), 1537, False, {}, None),
    # the node's own ratio wins over the configured default
    (dict(total_usable_ram_mb=512, free_ram_mb=512, ram_allocation_ratio=1.0), 2048,
     False, {}, '512 MB usable RAM < 2048 MB requested'),
    (dict(total_usable_ram_mb=1024, free_ram_mb=1024, ram_allocation_ratio=4.0), 4096,
     True, {'memory_mb': 4096.0}, None),
    # already oversubscribed past the limit
    (dict(total_usable_ram_mb=1024, free_ram_mb=-1000), 1, False, {}, None),
])
def test_ram(conf, hs, memory_mb, passes, limits, reason):
    check(ram.RamFilter(conf), host(**hs), spec(memory_mb=memory_mb), passes, limits, reason)


def test_ram_configured_ratio(conf):
    conf.set_override('ram_allocation_ratio', 1.0)
    check(ram.RamFilter(conf), host(total_usable_ram_mb=2048, free_ram_mb=2048),
          spec(memory_mb=3072), False)


# --- CoreFilter -------------------------------------------------------------

@pytest.mark.parametrize('hs, vcpus, passes, limits, reason', [
    # default ratio 16: 4 physical -> 64
    (dict(vcpus_total=4, vcpus_used=0), 4, True, {'vcpu': 64.0}, None),
    (dict(vcpus_total=4, vcpus_used=62), 2, True, {'vcpu': 64.0}, None),
    (dict(vcpus_total=4, vcpus_used=63), 2, False, {'vcpu': 64.0},
     '1 usable vCPUs < 2 requested'),
    # never overcommit an instance against itself
    (dict(vcpus_total=2, vcpus_used=0), 4, False, {'vcpu': 32.0},
     '4 vCPUs requested > 2 physical'),
    # a node reporting no vCPUs is not judged on them
    (dict(vcpus_total=0, vcpus_used=0), 8, True, {}, None),
    # the node's own ratio wins
    (dict(vcpus_total=4, vcpus_used=4, cpu_allocation_ratio=1.0), 1, False,
     {'vcpu': 4.0}, '0 usable vCPUs < 1 requested'),
])
def test_core(conf, hs, vcpus, passes, limits, reason):
    check(core.CoreFilter(conf), host(**hs), spec(vcpus=vcpus), passes, limits, reason)


# --- DiskFilter -------------------------------------------------------------

@pytest.mark.parametrize('hs, flavor, passes, limits, reason', [
    (dict(total_usable_disk_gb=100, free_disk_mb=100 * 1024), dict(root_gb=100), True,
     {'disk_gb': 100.0}, None),
    # swap is in MB and counts
    (dict(total_usable_disk_gb=100, free_disk_mb=100 * 1024), dict(root_gb=100, swap=1),
     False, {}, '102400 MB usable disk < 102401 MB requested'),
    (dict(total_usable_disk_gb=100, free_disk_mb=10 * 1024),
     dict(root_gb=5, ephemeral_gb=5), True, {'disk_gb': 100.0}, None),
    (dict(total_usable_disk_gb=100, free_disk_mb=10 * 1024),
     dict(root_gb=5, ephemeral_gb=6), False, {}, None),
    # the node's own ratio wins: 100 GB * 2.0, 90 GB used -> 110 GB usable
    (dict(total_usable_disk_gb=100, free_disk_mb=10 * 1024, disk_allocation_ratio=2.0),
     dict(root_gb=110), True, {'disk_gb': 200.0}, None),
])
def test_disk(conf, hs, flavor, passes, limits, reason):
    check(disk.DiskFilter(conf), host(**hs), spec(**flavor), passes, limits, reason)


# --- AvailabilityZoneFilter -------------------------------------------------

@pytest.mark.parametrize('host_az, wanted, passes', [
    ('nova', None, True),
    ('nova', 'nova', True),
    ('nova', 'az1', False),
    ('az1', 'az1', True),
    ('az1,az2', 'az2', True),
    ('az1,az2', 'az', False),
    (None, 'az1', False),
])
def test_availability_zone(conf, host_az, wanted, passes):
    reason = None if passes else 'in zone %r, %r requested' % (host_az, wanted)
    check(availability_zone.AvailabilityZoneFilter(conf), host(availability_zone=host_az),
          spec(availability_zone=wanted), passes, reason=reason)


# --- RetryFilter ------------------------------------------------------------

@pytest.mark.parametrize('retry_record, passes', [
    (None, True),
    ({'num_attempts': 1, 'hosts': []}, True),
    ({'num_attempts': 2, 'hosts': [['host1', 'node1']]}, False),
    ({'num_attempts': 2, 'hosts': [['host1', 'node2']]}, True),   # other node, same host
    ({'num_attempts': 2, 'hosts': [['host2', 'node1']]}, True),
    ({'num_attempts': 3, 'hosts': [['host2', 'node2'], ['host1', 'node1']]}, False),
])
def test_retry(conf, retry_record, passes):
    reason = None if passes else 'already tried (attempt %d)' % retry_record['num_attempts']
    check(retry.RetryFilter(conf), host(), spec(retry=retry_record), passes, reason=reason)


def test_retry_without_prepare(conf):
    """host_passes still works when a caller skipped prepare."""
    f = retry.RetryFilter(conf)
    request = spec(retry={'num_attempts': 2, 'hosts': [['host1', 'node1']]})
    assert f.host_passes(host(), request, interfaces.CycleState()) is False


def test_filters_write_only_limits(conf):
    """Filters are pure apart from limits: the resource fields stay as they were."""
    hs = host(total_usable_ram_mb=4096, free_ram_mb=4096, vcpus_total=4,
              total_usable_disk_gb=100, free_disk_mb=100 * 1024, availability_zone='nova')
    before = {name: getattr(hs, name) for name in HostState.__slots__ if name != 'limits'}
    for cls in (all_hosts.AllHostsFilter, compute.ComputeFilter, ram.RamFilter,
                core.CoreFilter, disk.DiskFilter, availability_zone.AvailabilityZoneFilter,
                retry.RetryFilter):
        run(cls(conf), hs, spec(availability_zone='nova'))
    assert {name: getattr(hs, name) for name in before} == before
