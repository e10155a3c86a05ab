"""The pure scheduling engine: filtering, weighing, choosing, consuming, explaining."""

import collections
import logging
import random

import pytest
from stevedore import extension
from stevedore import named

from novalite import exception
from novalite import plugin
from novalite.conf import scheduler as scheduler_conf
from novalite.objects import RequestSpec
from novalite.scheduler import engine
from novalite.scheduler import interfaces
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.filters.compute import ComputeFilter
from novalite_plugins.scheduler.filters.core import CoreFilter
from novalite_plugins.scheduler.filters.ram import RamFilter
from novalite_plugins.scheduler.filters.retry import RetryFilter
from novalite_plugins.scheduler.weighers.ram import RAMWeigher


def make_plugins(namespace, conf, classes):
    """Plugins through stevedore's test manager: independent of what is installed."""
    exts = [extension.Extension(cls.__name__, None, cls, cls(conf)) for cls in classes]
    mgr = named.NamedExtensionManager.make_test_instance(exts, namespace=namespace)
    return [ext.obj for ext in mgr]


def make_engine(conf, filters=(RamFilter, CoreFilter), weighers=(RAMWeigher,), **kwargs):
    return engine.Engine(make_plugins(plugin.FILTERS, conf, filters),
                         make_plugins(plugin.WEIGHERS, conf, weighers), **kwargs)


def hosts(*free_ram, ratio=1.0, vcpus=8):
    """host1..hostN with the given free RAM (MB) and total = free."""
    return [HostState('host%d' % i, 'node%d' % i, total_usable_ram_mb=ram, free_ram_mb=ram,
                      ram_allocation_ratio=ratio, vcpus_total=vcpus, cpu_allocation_ratio=1.0,
                      total_usable_disk_gb=100, free_disk_mb=100 * 1024)
            for i, ram in enumerate(free_ram, 1)]


def spec(memory_mb=1024, vcpus=1, num_instances=1, **kwargs):
    return RequestSpec(flavor={'memory_mb': memory_mb, 'vcpus': vcpus, 'root_gb': 1},
                       num_instances=num_instances, **kwargs)


class Spy(interfaces.BaseFilter):
    """Passes everything and counts its calls."""

    def __init__(self, conf):
        super().__init__(conf)
        self.calls = collections.Counter()

    def prepare(self, spec, cycle_state):
        self.calls['prepare'] += 1
        cycle_state['Spy'] = 'prepared'

    def host_passes(self, host_state, spec, cycle_state):
        assert cycle_state['Spy'] == 'prepared'
        self.calls['host_passes'] += 1
        return True


class Nothing(interfaces.BaseFilter):
    """Rejects every host."""

    def host_passes(self, host_state, spec, cycle_state):
        return False


class NumInstancesWeigher(interfaces.BaseWeigher):
    """Prefers busy hosts; packs by default (a default multiplier not in any map)."""

    default_multiplier = 2.0

    def weigh(self, host_state, spec, cycle_state):
        return host_state.num_instances


# --- choosing -----------------------------------------------------------------

def test_spreads_to_most_free_ram(conf):
    eng = make_engine(conf)
    [sel] = eng.select_destinations(hosts(2048, 8192, 4096), spec())
    assert (sel.host, sel.nodename) == ('host2', 'node2')
    assert sel.weight == 1.0
    assert sel.limits == {'memory_mb': 8192.0, 'vcpu': 8.0}


def test_negative_multiplier_packs(conf):
    eng = make_engine(conf, multipliers={'RAMWeigher': -1.0})
    [sel] = eng.select_destinations(hosts(2048, 8192, 4096), spec())
    assert sel.host == 'host1'


def test_default_multiplier_used_when_not_in_map(conf):
    states = hosts(4096, 1024, 2048)
    states[2].num_instances = 5
    eng = make_engine(conf, weighers=(RAMWeigher, NumInstancesWeigher),
                      multipliers={'RAMWeigher': 1.0})
    assert eng.multipliers == [1.0, 2.0]
    [sel] = eng.select_destinations(states, spec())
    # host3: RAM 1/3, instances 1.0 * 2 -> 2.33; host1: RAM 1.0 + 0 -> 1.0
    assert sel.host == 'host3'
    assert sel.explanation.weights == {'RAMWeigher': pytest.approx(1 / 3),
                                       'NumInstancesWeigher': 1.0}
    assert sel.weight == pytest.approx(1 / 3 + 2.0)


def test_ties_go_to_first_host(conf):
    [sel] = make_engine(conf).select_destinations(hosts(4096, 4096, 4096), spec())
    assert sel.host == 'host1'
    assert sel.weight == 0.0


def test_host_subset_size_random_with_seeded_rng(conf):
    def picks(seed):
        eng = make_engine(conf, host_subset_size=3, rng=random.Random(seed))
        out = []
        for _ in range(40):
            # fresh states each time: only the rng decides
            [sel] = eng.select_destinations(hosts(1000, 5000, 4000, 3000, 2000), spec(512))
            out.append(sel.host)
        return out

    first = picks(42)
    assert set(first) == {'host2', 'host3', 'host4'}   # only the 3 best
    assert picks(42) == first                           # reproducible
    assert picks(7) != first


def test_host_subset_size_below_one_counts_as_one(conf):
    eng = make_engine(conf, host_subset_size=0)
    assert eng.host_subset_size == 1
    [sel] = eng.select_destinations(hosts(1, 5000, 4000), spec(1))
    assert sel.host == 'host2'


# --- multi-create -------------------------------------------------------------

def test_multi_create_consumes_between_instances(conf):
    states = hosts(4096, 3072)
    sels = make_engine(conf).select_destinations(
        states, spec(2048, num_instances=3, instance_uuids=['a', 'b', 'c']))
    # host1 (4096) -> host2 (3072 > 2048 left) -> host1 (2048 >= 1024 left)
    assert [s.host for s in sels] == ['host1', 'host2', 'host1']
    assert [s.explanation.instance_index for s in sels] == [0, 1, 2]
    assert states[0].free_ram_mb == 0
    assert states[1].free_ram_mb == 1024
    assert states[0].num_instances == 2
    assert states[0].vcpus_used == 2
    assert states[0].instances == {'a', 'c'}


def test_multi_create_partial_fit_undoes_everything(conf):
    states = hosts(4096, 2048)
    before = [s.snapshot() for s in states]
    group = {'uuid': 'g1', 'policies': ['anti-affinity'], 'hosts': ['host9']}
    with pytest.raises(exception.NoValidHost) as info:
        make_engine(conf).select_destinations(
            states, spec(2048, num_instances=4, instance_uuids=list('abcd'),
                         instance_group=group))
    assert [s.snapshot() for s in states] == before
    assert all(s.instances == set() for s in states)
    assert group == {'uuid': 'g1', 'policies': ['anti-affinity'], 'hosts': ['host9']}
    assert 'Instance 4 of 4 could not be placed.' in str(info.value)
    assert 'Filter RamFilter returned 0 hosts' in str(info.value)


def test_instance_group_hosts_updated(conf):
    group = {'uuid': 'g1', 'policies': ['anti-affinity']}
    make_engine(conf).select_destinations(
        hosts(4096, 8192), spec(1024, num_instances=3, instance_group=group))
    assert group['hosts'] == ['host2']      # each host once, in placement order
    group2 = {'hosts': []}
    make_engine(conf, multipliers={'RAMWeigher': -1}).select_destinations(
        hosts(1024, 8192), spec(1024, num_instances=2, instance_group=group2))
    assert group2['hosts'] == ['host1', 'host2']
    group3 = {'uuid': 'g3'}
    with pytest.raises(exception.NoValidHost):
        make_engine(conf).select_destinations(
            hosts(1024), spec(1024, num_instances=2, instance_group=group3))
    assert group3 == {'uuid': 'g3'}


# --- NoValidHost and explanations ----------------------------------------------

def test_no_valid_host_names_the_filter(conf):
    states = hosts(512, 1024, 1024, 2047)
    with pytest.raises(exception.NoValidHost) as info:
        make_engine(conf).select_destinations(states, spec(2048))
    assert str(info.value) == (
        'No valid host was found. There are not enough hosts available. '
        'Filter RamFilter returned 0 hosts (removed 4 of 4; '
        'e.g. host1: 512 MB usable RAM < 2048 MB requested).')
    expl = info.value.explanation
    assert expl.failed_step.name == 'RamFilter'
    assert expl.chosen is None
    assert [(s.name, s.hosts_in, s.removed) for s in expl.steps] == [('RamFilter', 4, 4)]


def test_stops_at_first_filter_leaving_no_host(conf):
    eng = make_engine(conf, filters=(Spy, Nothing, Spy))
    with pytest.raises(exception.NoValidHost, match='Filter Nothing returned 0 hosts'):
        eng.select_destinations(hosts(1024, 2048), spec())
    first, _, last = eng.filters
    assert first.calls == {'prepare': 1, 'host_passes': 2}
    assert last.calls == {'prepare': 1}   # prepared, never asked about a host
    # the generic reason
    assert 'e.g. host1: rejected by Nothing' in str(
        pytest.raises(exception.NoValidHost, eng.select_destinations, hosts(1), spec()).value)


def test_explanation_of_a_success(conf):
    states = hosts(512, 4096, 8192, 2048)
    states[2].service = {'disabled': True, 'is_up': True}
    eng = make_engine(conf, filters=(ComputeFilter, RamFilter))
    [sel] = eng.select_destinations(states, spec(1024))
    expl = sel.explanation
    assert sel.host == 'host2'
    assert [(s.name, s.hosts_in, s.removed, s.example_host) for s in expl.steps] == [
        ('ComputeFilter', 4, 1, 'host3'), ('RamFilter', 3, 1, 'host1')]
    assert expl.steps[0].example_reason == 'service disabled'
    assert expl.chosen == ('host2', 'node2')
    assert expl.weights == {'RAMWeigher': 1.0}
    text = str(expl)
    assert 'RamFilter returned 2 hosts (removed 1 of 3; e.g. host1: ' in text
    assert 'chose host2/node2' in text


def test_prepare_once_per_request(conf):
    eng = make_engine(conf, filters=(Spy,))
    eng.select_destinations(hosts(4096, 4096), spec(num_instances=3))
    assert eng.filters[0].calls == {'prepare': 1, 'host_passes': 6}


def test_no_hosts_at_all(conf):
    with pytest.raises(exception.NoValidHost, match='No compute hosts are known'):
        make_engine(conf).select_destinations([], spec())


def test_explanation_logged_at_debug(conf, caplog):
    caplog.set_level(logging.DEBUG, logger='novalite.scheduler.engine')
    make_engine(conf).select_destinations(hosts(4096), spec())
    assert 'chose host1/node1' in caplog.text


# --- ignore / force / retry -----------------------------------------------------

def test_ignore_hosts(conf):
    [sel] = make_engine(conf).select_destinations(
        hosts(1024, 8192, 4096), spec(ignore_hosts=['HOST2']))
    assert sel.host == 'host3'
    assert sel.explanation.steps[0].name == 'ignore_hosts'


def test_ignore_all_hosts(conf):
    with pytest.raises(exception.NoValidHost, match=r'ignore_hosts returned 0 hosts'):
        make_engine(conf).select_destinations(hosts(1024), spec(ignore_hosts=['host1']))


def test_force_hosts_skips_filters(conf):
    # host1 fails RamFilter, but forcing a host skips every filter (Nova).
    [sel] = make_engine(conf).select_destinations(
        hosts(512, 8192), spec(2048, force_hosts=['host1']))
    assert sel.host == 'host1'
    assert sel.explanation.forced
    assert [s.name for s in sel.explanation.steps] == ['force_hosts']


def test_force_nodes(conf):
    [sel] = make_engine(conf).select_destinations(
        hosts(512, 8192, 4096), spec(force_nodes=['node3']))
    assert sel.host == 'host3'


def test_force_hosts_unknown(conf):
    with pytest.raises(exception.NoValidHost) as info:
        make_engine(conf).select_destinations(hosts(8192), spec(force_hosts=['nope']))
    assert 'force_hosts returned 0 hosts (removed 1 of 1; e.g. host1: not in force_hosts)' \
        in str(info.value)


def test_ignore_then_force(conf):
    with pytest.raises(exception.NoValidHost, match='force_hosts'):
        make_engine(conf).select_destinations(
            hosts(8192, 8192), spec(ignore_hosts=['host1'], force_hosts=['host1']))


def test_retry_filter_skips_tried_hosts(conf):
    eng = make_engine(conf, filters=(RetryFilter, RamFilter))
    retry = {'num_attempts': 2, 'hosts': [['host2', 'node2']]}
    [sel] = eng.select_destinations(hosts(1024, 8192, 4096), spec(retry=retry))
    assert sel.host == 'host3'
    retry = {'num_attempts': 3, 'hosts': [['host1', 'node1'], ['host2', 'node2']]}
    with pytest.raises(exception.NoValidHost) as info:
        eng.select_destinations(hosts(1024, 8192), spec(retry=retry))
    assert 'Filter RetryFilter returned 0 hosts (removed 2 of 2; ' \
        'e.g. host1: already tried (attempt 3))' in str(info.value)


# --- loading by entry-point name --------------------------------------------------

def test_builtins_load_by_entry_point_name(conf):
    names = ['AllHostsFilter', 'ComputeFilter', 'RamFilter', 'CoreFilter', 'DiskFilter',
             'AvailabilityZoneFilter', 'RetryFilter']
    filters = plugin.load_all(plugin.FILTERS, names, conf)
    assert [type(f).__name__ for f in filters] == names
    assert all(isinstance(f, interfaces.BaseFilter) for f in filters)
    [weigher] = plugin.load_all(plugin.WEIGHERS, ['RAMWeigher'], conf)
    assert isinstance(weigher, interfaces.BaseWeigher)


def test_engine_from_conf(conf):
    conf.set_override('weight_multipliers', {'RAMWeigher': -1.0}, group='filter_scheduler')
    conf.set_override('host_subset_size', 2, group='filter_scheduler')
    eng = engine.Engine.from_conf(conf, rng=random.Random(1))
    assert [f.name for f in eng.filters] == scheduler_conf.DEFAULT_FILTERS
    assert eng.multipliers == [-1.0]
    assert eng.host_subset_size == 2
    states = hosts(4096, 8192)
    for s in states:
        s.availability_zone = 'nova'
    assert len(eng.select_destinations(states, spec(num_instances=2))) == 2


def test_misspelled_filter_name(conf):
    conf.set_override('enabled_filters', ['RamFilter', 'RamFiltr'], group='filter_scheduler')
    with pytest.raises(exception.PluginNotFound) as info:
        engine.Engine.from_conf(conf)
    message = str(info.value)
    assert "'RamFiltr'" in message
    assert 'novalite.scheduler.filters' in message
    assert 'RamFilter' in message and 'ComputeFilter' in message
