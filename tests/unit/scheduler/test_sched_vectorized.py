"""Vectorised and per-host paths of the built-in plugins agree, alone and in the engine."""

import copy
import random

import numpy as np
import pytest

from novalite import exception
from novalite.objects import RequestSpec
from novalite.scheduler import engine as sched_engine
from novalite.scheduler import interfaces
from novalite.scheduler.host_arrays import HostArrays
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.filters import all_hosts
from novalite_plugins.scheduler.filters import availability_zone
from novalite_plugins.scheduler.filters import compute
from novalite_plugins.scheduler.filters import core
from novalite_plugins.scheduler.filters import disk
from novalite_plugins.scheduler.filters import ram
from novalite_plugins.scheduler.filters import retry
from novalite_plugins.scheduler.weighers import ram as ram_weigher


def hosts():
    """Edge cases of every filter: ratios None/own, zero vCPUs, service states, full hosts."""
    rows = [
        dict(),
        dict(total_usable_ram_mb=4096, free_ram_mb=4096, vcpus_total=4, vcpus_used=0,
             total_usable_disk_gb=40, free_disk_mb=40 * 1024),
        dict(total_usable_ram_mb=4096, free_ram_mb=512, ram_allocation_ratio=1.5,
             vcpus_total=2, vcpus_used=7, cpu_allocation_ratio=4.0,
             total_usable_disk_gb=10, free_disk_mb=1024, disk_allocation_ratio=2.0),
        dict(total_usable_ram_mb=8192, free_ram_mb=8192, vcpus_total=0,
             total_usable_disk_gb=100, free_disk_mb=0, disk_allocation_ratio=1.0),
        dict(total_usable_ram_mb=16384, free_ram_mb=1000, ram_allocation_ratio=1.0,
             vcpus_total=8, vcpus_used=8, cpu_allocation_ratio=0.0,
             total_usable_disk_gb=20, free_disk_mb=20 * 1024),
        dict(total_usable_ram_mb=2048, free_ram_mb=-100, vcpus_total=16, vcpus_used=1,
             total_usable_disk_gb=1, free_disk_mb=512, service={'disabled': True, 'is_up': True,
                                                                 'disabled_reason': 'maint'}),
        dict(total_usable_ram_mb=32768, free_ram_mb=30000, vcpus_total=1, vcpus_used=0,
             total_usable_disk_gb=500, free_disk_mb=400 * 1024,
             service={'disabled': False, 'forced_down': True, 'is_up': False}),
        dict(total_usable_ram_mb=32768, free_ram_mb=30000, vcpus_total=64, vcpus_used=3,
             total_usable_disk_gb=500, free_disk_mb=400 * 1024, service={'is_up': False}),
    ]
    return [HostState('h%d' % i, 'n%d' % i, **row) for i, row in enumerate(rows)]


def spec(memory_mb=1024, vcpus=1, root_gb=10, ephemeral_gb=0, swap=0, **kwargs):
    flavor = {'memory_mb': memory_mb, 'vcpus': vcpus, 'root_gb': root_gb,
              'ephemeral_gb': ephemeral_gb, 'swap': swap}
    return RequestSpec(flavor=flavor, **kwargs)


SPECS = [spec(), spec(memory_mb=4096, vcpus=2, root_gb=40), spec(memory_mb=1, vcpus=8, root_gb=0),
         spec(memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=1, swap=512),
         spec(retry={'num_attempts': 2, 'hosts': [['h1', 'n1'], ['h3', 'n3']]})]

FILTERS = [all_hosts.AllHostsFilter, compute.ComputeFilter, core.CoreFilter,
           disk.DiskFilter, ram.RamFilter, retry.RetryFilter]


@pytest.mark.parametrize('request_spec', SPECS)
@pytest.mark.parametrize('filter_cls', FILTERS)
def test_filter_vec_equals_host_passes(conf, filter_cls, request_spec):
    filt = filter_cls(conf)
    cycle = interfaces.CycleState()
    filt.prepare(request_spec, cycle)
    states = hosts()
    view = HostArrays.from_states(states).view()
    vec = filt.filter_vec(view, request_spec, cycle).tolist()
    assert vec == [filt.host_passes(h, request_spec, cycle) for h in states]


@pytest.mark.parametrize('ratio', [1.0, 16.0, 0.5])
def test_filter_vec_uses_default_ratio_for_none(conf, ratio):
    for name in ('ram_allocation_ratio', 'cpu_allocation_ratio', 'disk_allocation_ratio'):
        conf.set_override(name, ratio)
    for filter_cls in (core.CoreFilter, disk.DiskFilter, ram.RamFilter):
        filt = filter_cls(conf)
        for request_spec in SPECS:
            states = hosts()
            vec = filt.filter_vec(HostArrays.from_states(states).view(), request_spec, {})
            assert vec.tolist() == [filt.host_passes(h, request_spec, {}) for h in states]


def test_weigh_vec_equals_weigh(conf):
    weigher = ram_weigher.RAMWeigher(conf)
    states = hosts()
    raw = weigher.weigh_vec(HostArrays.from_states(states).view(), spec(), {})
    assert raw.tolist() == [weigher.weigh(h, spec(), {}) for h in states]


# --- the engine, both ways ------------------------------------------------

def per_host_only(plugin):
    """The same plugin without its vectorised entry point (as a third-party one would be)."""
    plugin = copy.copy(plugin)
    plugin.filter_vec = None
    plugin.weigh_vec = None
    return plugin


class PrefixFilter(interfaces.BaseFilter):
    """A third-party, per-host-only filter: rejects hosts not named h<even>."""

    def host_passes(self, host_state, spec, cycle_state):
        return int(host_state.host[1:]) % 2 == 0

    def reject_reason(self, host_state, spec, cycle_state):
        return 'odd host'


def many_hosts(n=60, seed=3):
    rng = random.Random(seed)
    states = []
    for i in range(n):
        total = rng.choice([2048, 4096, 8192])
        states.append(HostState(
            'h%d' % i, 'n%d' % i, total_usable_ram_mb=total,
            free_ram_mb=rng.choice([total, total // 2, 0, 100]),
            ram_allocation_ratio=rng.choice([None, 1.0, 1.5]),
            vcpus_total=rng.choice([0, 2, 4]), vcpus_used=rng.randint(0, 6),
            cpu_allocation_ratio=rng.choice([None, 2.0]),
            total_usable_disk_gb=rng.choice([10, 100]), free_disk_mb=rng.choice([0, 5120, 51200]),
            service={'disabled': rng.random() < 0.1, 'is_up': rng.random() > 0.1},
            availability_zone=rng.choice(['nova', 'az2'])))
    return states


def outcome(engine, states, request_spec):
    try:
        sels = engine.select_destinations(states, request_spec)
    except exception.NoValidHost as exc:
        return ('NoValidHost', str(exc), str(exc.explanation))
    return [(s.host, s.nodename, s.limits, s.weight, str(s.explanation)) for s in sels] + [
        [(h.free_ram_mb, h.vcpus_used, h.free_disk_mb) for h in states]]


def engines(conf, subset):
    filters = [retry.RetryFilter(conf), compute.ComputeFilter(conf), PrefixFilter(conf),
               availability_zone.AvailabilityZoneFilter(conf), ram.RamFilter(conf),
               core.CoreFilter(conf), disk.DiskFilter(conf), all_hosts.AllHostsFilter(conf)]
    weighers = [ram_weigher.RAMWeigher(conf)]
    mixed = sched_engine.Engine(filters, weighers, {'RAMWeigher': -1.5}, host_subset_size=subset,
                                rng=random.Random(7))
    slow = sched_engine.Engine([per_host_only(f) for f in filters],
                               [per_host_only(w) for w in weighers], {'RAMWeigher': -1.5},
                               host_subset_size=subset, rng=random.Random(7))
    return mixed, slow


@pytest.mark.parametrize('subset', [1, 3])
@pytest.mark.parametrize('request_spec', SPECS + [
    spec(num_instances=3, availability_zone='nova', instance_uuids=['u1', 'u2', 'u3']),
    spec(memory_mb=8000, vcpus=4, num_instances=2),
    spec(memory_mb=10 ** 6),
    spec(ignore_hosts=['h0', 'h2']),
    spec(force_hosts=['h4']),
])
def test_engine_mixed_equals_per_host(conf, subset, request_spec):
    mixed, slow = engines(conf, subset)
    for _ in range(3):  # a sequence: consumption must be seen by the next request
        a = outcome(mixed, many_hosts(), copy.deepcopy(request_spec))
        b = outcome(slow, many_hosts(), copy.deepcopy(request_spec))
        assert a == b


def test_engine_with_host_manager_arrays_stays_in_sync(conf):
    from novalite.objects import ComputeNode
    from novalite.scheduler import host_manager

    hm = host_manager.HostManager(conf)
    nodes = [ComputeNode(host='h%d' % i, hypervisor_hostname='n%d' % i, vcpus=4,
                         memory_mb=4096 * (i + 1), free_ram_mb=4096 * (i + 1), local_gb=100,
                         free_disk_gb=100) for i in range(5)]
    services = {'h%d' % i: {'disabled': i == 4, 'is_up': True} for i in range(5)}
    hm.update_nodes(nodes, services)
    mixed, slow = engines(conf, 1)
    twins = [copy.copy(h) for h in hm.get_all_host_states()]
    for h in twins:
        h._arrays = h._slot = None
        h.limits = {}
    for _ in range(6):
        a = outcome(mixed, hm.get_all_host_states(), spec(memory_mb=2048))
        b = outcome(slow, twins, spec(memory_mb=2048))
        assert a == b
    arrays = hm.arrays
    assert arrays.free_ram_mb.tolist() == [h.free_ram_mb for h in hm.get_all_host_states()]
    hm.update_nodes(nodes[1:], services)  # h0 removed: rows compact, order kept
    assert [h.host for h in arrays.states] == ['h1', 'h2', 'h3', 'h4']
    assert arrays.free_ram_mb.tolist() == [h.free_ram_mb for h in arrays.states]


@pytest.mark.parametrize('multiplier', [1.0, 2.5, -1.0])
def test_fast_choice_and_derived_columns_match_general_path(conf, monkeypatch, multiplier):
    """The ranking shortcut (one weigher, small-integer column) and the
    incrementally kept derived columns give what the general path and a
    fresh computation give, over a sequence of placements."""
    from novalite.objects import ComputeNode
    from novalite.scheduler import host_manager

    rng = random.Random(11)
    nodes = [ComputeNode(host='h%d' % i, hypervisor_hostname='n%d' % i,
                         vcpus=rng.choice([0, 4, 8]), memory_mb=8192,
                         free_ram_mb=rng.choice([8192, 4096, 4096, 100]), local_gb=100,
                         free_disk_gb=rng.choice([0, 50, 100]),
                         ram_allocation_ratio=rng.choice([None, 1.0, 1.5]))
             for i in range(40)]
    services = {'h%d' % i: {'disabled': rng.random() < 0.2, 'is_up': True} for i in range(40)}
    results = []
    for fast in (True, False):
        hm = host_manager.HostManager(conf)
        hm.update_nodes(nodes, services)
        filters = [compute.ComputeFilter(conf), ram.RamFilter(conf), core.CoreFilter(conf),
                   disk.DiskFilter(conf)]
        engine = sched_engine.Engine(filters, [ram_weigher.RAMWeigher(conf)],
                                     {'RAMWeigher': multiplier})
        if not fast:
            monkeypatch.setattr(engine, '_best_fast', lambda *args: None)
        out = [outcome(engine, hm.get_all_host_states(), spec(memory_mb=m, vcpus=1, root_gb=5))
               for m in [512, 1024, 2048, 512, 4096] * 6]
        results.append(out)
        arrays = hm.arrays
        for key, (column, vec_fn, _row_fn) in list(arrays._derived.items()):
            assert column[:arrays.n].tolist() == np.asarray(vec_fn(arrays)).tolist(), key
    assert results[0] == results[1]
