"""Nova's weigher catalogue: raw values, multipliers (map, Nova options, defaults), the engine's maths."""

import collections
import random

import pytest
from oslo_config import cfg

from novalite import exception
from novalite import plugin
from novalite.conf import default as default_conf
from novalite.conf import scheduler as scheduler_conf
from novalite.objects import RequestSpec
from novalite.scheduler import engine
from novalite.scheduler import interfaces
from novalite.scheduler import multipliers
from novalite.scheduler.host_arrays import HostArrays
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.weighers import affinity
from novalite_plugins.scheduler.weighers import build_failure
from novalite_plugins.scheduler.weighers import cpu
from novalite_plugins.scheduler.weighers import disk
from novalite_plugins.scheduler.weighers import io_ops
from novalite_plugins.scheduler.weighers import num_instances
from novalite_plugins.scheduler.weighers import ram

SPEC = RequestSpec(flavor={'memory_mb': 0, 'vcpus': 0})


def group_spec(policy, members):
    return RequestSpec(flavor={'memory_mb': 0, 'vcpus': 0},
                       instance_group={'uuid': 'g', 'name': 'g', 'policy': policy, 'rules': {},
                                       'members': list(members), 'hosts': []})


def hosts():
    """Three hosts differing in every weighed field."""
    return [
        HostState('h1', 'n1', free_ram_mb=1024, free_disk_mb=10240, vcpus_total=4,
                  vcpus_used=2, cpu_allocation_ratio=None, num_instances=3, num_io_ops=0,
                  failed_builds=0, instances={'a', 'b', 'x'}),
        HostState('h2', 'n2', free_ram_mb=4096, free_disk_mb=512, vcpus_total=8,
                  vcpus_used=20, cpu_allocation_ratio=2.0, num_instances=0, num_io_ops=4,
                  failed_builds=3, instances=set()),
        HostState('h3', 'n3', free_ram_mb=2048, free_disk_mb=0, vcpus_total=2,
                  vcpus_used=0, cpu_allocation_ratio=1.5, num_instances=7, num_io_ops=1,
                  failed_builds=1, instances={'c'}),
    ]


# weigher class, spec, raw values of hosts(), Nova option, its default, vectorised?
CATALOGUE = [
    (ram.RAMWeigher, SPEC, [1024, 4096, 2048], 'ram_weight_multiplier', 1.0, True),
    # h1: 4 * 16.0 (the option, node ratio None) - 2; h2: 8 * 2.0 - 20; h3: 2 * 1.5 - 0
    (cpu.CPUWeigher, SPEC, [62.0, -4.0, 3.0], 'cpu_weight_multiplier', 1.0, True),
    (disk.DiskWeigher, SPEC, [10240, 512, 0], 'disk_weight_multiplier', 1.0, True),
    (io_ops.IoOpsWeigher, SPEC, [0, 4, 1], 'io_ops_weight_multiplier', -1.0, True),
    (num_instances.NumInstancesWeigher, SPEC, [3, 0, 7], 'num_instances_weight_multiplier',
     0.0, True),
    (build_failure.BuildFailureWeigher, SPEC, [0, -3, -1], 'build_failure_weight_multiplier',
     1e6, False),
    (affinity.ServerGroupSoftAffinityWeigher, group_spec('soft-affinity', 'abc'), [2, 0, 1],
     'soft_affinity_weight_multiplier', 1.0, False),
    (affinity.ServerGroupSoftAffinityWeigher, group_spec('soft-anti-affinity', 'abc'),
     [0, 0, 0], 'soft_affinity_weight_multiplier', 1.0, False),
    (affinity.ServerGroupSoftAffinityWeigher, SPEC, [0, 0, 0],
     'soft_affinity_weight_multiplier', 1.0, False),
    (affinity.ServerGroupSoftAntiAffinityWeigher, group_spec('soft-anti-affinity', 'abc'),
     [-2, 0, -1], 'soft_anti_affinity_weight_multiplier', 1.0, False),
    (affinity.ServerGroupSoftAntiAffinityWeigher, group_spec('anti-affinity', 'abc'),
     [0, 0, 0], 'soft_anti_affinity_weight_multiplier', 1.0, False),
]
IDS = ['%s-%d' % (row[0].__name__, i) for i, row in enumerate(CATALOGUE)]


@pytest.mark.parametrize('cls, spec, raw, option, default, vectorised', CATALOGUE, ids=IDS)
def test_raw_values(conf, cls, spec, raw, option, default, vectorised):
    weigher = cls(conf)
    cycle = interfaces.CycleState()
    weigher.prepare(spec, cycle)
    states = hosts()
    assert [weigher.weigh(h, spec, cycle) for h in states] == raw
    assert list(weigher.weigh_all(states, spec, cycle)) == raw
    assert (weigher.weigh_vec is not None) == vectorised
    if vectorised:
        assert weigher.weigh_vec(HostArrays.from_states(states).view(), spec, cycle).tolist() == raw


@pytest.mark.parametrize('cls, spec, raw, option, default, vectorised', CATALOGUE, ids=IDS)
def test_multiplier_option_and_default(conf, cls, spec, raw, option, default, vectorised):
    weigher = cls(conf)
    assert weigher.multiplier_option == option
    assert weigher.default_multiplier == default
    # Nova's option with Nova's default
    assert getattr(conf.filter_scheduler, option) == default
    assert multipliers.resolve(conf, [weigher]) == [default]
    # the Nova option is read...
    conf.set_override(option, 2.5, group='filter_scheduler')
    assert multipliers.resolve(conf, [weigher]) == [2.5]
    # ...and the novalite map wins over it
    conf.set_override('weight_multipliers', {cls.__name__: -3.0}, group='filter_scheduler')
    assert multipliers.resolve(conf, [weigher]) == [-3.0]


def test_every_entry_point_is_in_the_catalogue(conf):
    names = plugin.available(plugin.WEIGHERS)
    weighers = plugin.load_all(plugin.WEIGHERS, names, conf)
    assert {type(w).__name__ for w in weighers} <= {row[0].__name__ for row in CATALOGUE}
    for w in weighers:
        assert type(w).__doc__ and 'multiplier' in type(w).__doc__


# --- resolving multipliers --------------------------------------------------------------

def parse(tmp_path, text):
    path = tmp_path / 'nova.conf'
    path.write_text(text)
    c = cfg.ConfigOpts()
    default_conf.register_opts(c)
    scheduler_conf.register_opts(c)
    c(['--config-file', str(path)], default_config_files=[])
    return c


def named(conf, *classes):
    out = []
    for cls in classes:
        w = cls(conf)
        w.name = cls.__name__
        out.append(w)
    return out


def test_defaults_are_novas(conf):
    assert conf.filter_scheduler.weight_multipliers == {}
    ws = named(conf, ram.RAMWeigher, cpu.CPUWeigher, disk.DiskWeigher, io_ops.IoOpsWeigher,
               num_instances.NumInstancesWeigher, affinity.ServerGroupSoftAffinityWeigher,
               affinity.ServerGroupSoftAntiAffinityWeigher, build_failure.BuildFailureWeigher)
    assert multipliers.resolve(conf, ws) == [1.0, 1.0, 1.0, -1.0, 0.0, 1.0, 1.0, 1e6]


def test_kilo_nova_conf_deprecated_names(tmp_path):
    conf = parse(tmp_path, '[DEFAULT]\n'
                           'scheduler_weight_classes = RAMWeigher,IoOpsWeigher\n'
                           'ram_weight_multiplier = -1.0\n'
                           'io_ops_weight_multiplier = -4.5\n')
    ws = named(conf, ram.RAMWeigher, io_ops.IoOpsWeigher, cpu.CPUWeigher)
    assert multipliers.resolve(conf, ws) == [-1.0, -4.5, 1.0]


def test_nova_conf_current_names_and_map(tmp_path):
    conf = parse(tmp_path, '[filter_scheduler]\n'
                           'cpu_weight_multiplier = -2\n'
                           'disk_weight_multiplier = 0.5\n'
                           'build_failure_weight_multiplier = 100\n'
                           'soft_anti_affinity_weight_multiplier = 3\n'
                           'weight_multipliers = DiskWeigher:7\n')
    ws = named(conf, cpu.CPUWeigher, disk.DiskWeigher, build_failure.BuildFailureWeigher,
               affinity.ServerGroupSoftAntiAffinityWeigher)
    assert multipliers.resolve(conf, ws) == [-2.0, 7.0, 100.0, 3.0]


def test_soft_affinity_multipliers_may_not_be_negative(tmp_path):
    conf = parse(tmp_path, '[filter_scheduler]\nsoft_affinity_weight_multiplier = -1\n')
    with pytest.raises(cfg.ConfigFileValueError):
        _ = conf.filter_scheduler.soft_affinity_weight_multiplier


def test_map_key_naming_no_loaded_weigher(conf):
    conf.set_override('weight_multipliers', {'RAMWeigher': 1.0, 'RamWeigher': 2.0},
                      group='filter_scheduler')
    with pytest.raises(exception.ConfigError) as info:
        multipliers.resolve(conf, named(conf, ram.RAMWeigher, cpu.CPUWeigher))
    assert 'RamWeigher' in str(info.value)
    assert 'loaded weighers (weight_classes): RAMWeigher, CPUWeigher' in str(info.value)


@pytest.mark.parametrize('value', [float('inf'), float('-inf'), float('nan')])
def test_non_finite_multiplier(conf, value):
    conf.set_override('weight_multipliers', {'RAMWeigher': value}, group='filter_scheduler')
    with pytest.raises(exception.ConfigError, match='RAMWeigher'):
        multipliers.resolve(conf, named(conf, ram.RAMWeigher))
    conf.clear_override('weight_multipliers', group='filter_scheduler')
    conf.set_override('cpu_weight_multiplier', value, group='filter_scheduler')
    with pytest.raises(exception.ConfigError, match='cpu_weight_multiplier'):
        multipliers.resolve(conf, named(conf, cpu.CPUWeigher))


class Plain(interfaces.BaseWeigher):
    """A third-party weigher without a Nova option: its default_multiplier applies."""

    default_multiplier = 4.0

    def weigh(self, host_state, spec, cycle_state):
        return 0


class OwnOption(Plain):
    multiplier_option = 'not_an_option'


def test_weigher_without_option_uses_its_default(conf):
    assert multipliers.resolve(conf, named(conf, Plain)) == [4.0]
    conf.set_override('weight_multipliers', {'Plain': 0.5}, group='filter_scheduler')
    assert multipliers.resolve(conf, named(conf, Plain)) == [0.5]


def test_unregistered_multiplier_option(conf):
    with pytest.raises(exception.ConfigError, match='not_an_option'):
        multipliers.resolve(conf, named(conf, OwnOption))


def test_no_weighers(conf):
    assert multipliers.resolve(conf, []) == []


# --- the engine ------------------------------------------------------------------------

class Table(interfaces.BaseWeigher):
    """Scores from a table (per host only)."""

    def __init__(self, conf, scores, name='Table'):
        super().__init__(conf)
        self.scores, self.name = scores, name

    def weigh(self, host_state, spec, cycle_state):
        return self.scores[host_state.host]


def ram_hosts(*free):
    return [HostState('h%d' % i, 'n%d' % i, free_ram_mb=r, free_disk_mb=0)
            for i, r in enumerate(free, 1)]


def select(weighers, states, mults=None, **kwargs):
    eng = engine.Engine([], weighers, multipliers=mults, **kwargs)
    [sel] = eng.select_destinations(states, SPEC)
    return sel


@pytest.mark.parametrize('free, expected', [
    ((1000, 3000, 2000), {'h1': 0.0, 'h2': 1.0, 'h3': 0.5}),
    ((5, 5, 5), {'h1': 0.0, 'h2': 0.0, 'h3': 0.0}),      # all equal -> 0
    ((-100, 100), {'h1': 0.0, 'h2': 1.0}),
])
def test_min_max_normalisation(conf, free, expected):
    states = ram_hosts(*free)
    for host, score in expected.items():
        one = [s for s in states if s.host == host]
        # The chosen host's normalised score, computed over all candidates.
        table = Table(conf, {s.host: (0 if s.host == host else -1) for s in states}, 'Pick')
        sel = select([ram.RAMWeigher(conf), table], states, {'RAMWeigher': 1.0, 'Pick': 100.0})
        assert sel.host == one[0].host
        assert sel.explanation.weights['RAMWeigher'] == pytest.approx(score)


@pytest.mark.parametrize('multiplier, host', [(1.0, 'h2'), (2.0, 'h2'), (-1.0, 'h1'),
                                              (-0.5, 'h1'), (0.0, 'h1')])
def test_spread_and_pack(conf, multiplier, host):
    sel = select([ram.RAMWeigher(conf)], ram_hosts(1000, 3000, 2000),
                 {'RAMWeigher': multiplier})
    assert sel.host == host


def test_pack_fills_one_host_spread_uses_all(conf):
    spec = RequestSpec(flavor={'memory_mb': 100, 'vcpus': 0}, num_instances=4)
    for mult, expected in ((1.0, {'h1', 'h2', 'h3'}), (-1.0, {'h1'})):
        sels = engine.Engine([], [ram.RAMWeigher(conf)], {'RAMWeigher': mult}) \
            .select_destinations(ram_hosts(1000, 1100, 1050), spec)
        assert {s.host for s in sels} == expected


def test_io_ops_default_prefers_idle_and_build_failures_dominate(conf):
    states = ram_hosts(1000, 9000, 5000)
    states[1].failed_builds = 1
    for s, io in zip(states, (5, 0, 0)):
        s.num_io_ops = io
    ws = named(conf, ram.RAMWeigher, io_ops.IoOpsWeigher, build_failure.BuildFailureWeigher)
    mults = dict(zip(['RAMWeigher', 'IoOpsWeigher', 'BuildFailureWeigher'],
                     multipliers.resolve(conf, ws)))
    # h2 has the most RAM and no I/O, but one failed build: h3 wins.
    assert select(ws, states, mults).host == 'h3'


def test_sums_normalised_weights_times_multipliers(conf):
    states = ram_hosts(0, 500, 1000)
    other = Table(conf, {'h1': 10, 'h2': 0, 'h3': 5}, 'Other')
    sel = select([ram.RAMWeigher(conf), other], states, {'RAMWeigher': 1.0, 'Other': 1.5})
    # h1: 0 + 1.5; h2: 0.5 + 0; h3: 1.0 + 0.75
    assert sel.host == 'h3'
    assert sel.weight == pytest.approx(1.75)


def test_mixing_vectorised_and_per_host_weighers(conf):
    states = ram_hosts(4000, 1000, 3000, 2000)
    for s, n in zip(states, (9, 0, 1, 5)):
        s.num_instances = n
    per_host = Table(conf, {'h1': 0, 'h2': 4, 'h3': 1, 'h4': 3}, 'PerHost')
    vec = num_instances.NumInstancesWeigher(conf)
    vec.name = 'NumInstancesWeigher'
    sel = select([ram.RAMWeigher(conf), per_host, vec], states,
                 {'RAMWeigher': 1.0, 'PerHost': 1.0, 'NumInstancesWeigher': -1.0})
    # h1: 1 + 0 - 1; h2: 0 + 1 - 0; h3: 2/3 + 1/4 - 1/9; h4: 1/3 + 3/4 - 5/9
    assert sel.host == 'h2'
    assert sel.weight == pytest.approx(1.0)


def test_host_subset_size_chooses_among_the_best_only(conf):
    states_free = (100, 900, 500, 800, 700, 200)    # best three: h2, h4, h5
    seen = collections.Counter()
    rng = random.Random(42)
    eng = engine.Engine([], [ram.RAMWeigher(conf)], host_subset_size=3, rng=rng)
    for _ in range(300):
        [sel] = eng.select_destinations(ram_hosts(*states_free), SPEC)
        seen[sel.host] += 1
    assert set(seen) == {'h2', 'h4', 'h5'}
    assert min(seen.values()) > 50


def test_host_subset_size_is_seeded(conf):
    def run(seed):
        eng = engine.Engine([], [ram.RAMWeigher(conf)], host_subset_size=4,
                            rng=random.Random(seed))
        return [eng.select_destinations(ram_hosts(1, 2, 3, 4, 5, 6), SPEC)[0].host
                for _ in range(20)]
    assert run(5) == run(5)
    assert set(run(5)) <= {'h3', 'h4', 'h5', 'h6'}


def test_host_subset_size_larger_than_hosts(conf):
    eng = engine.Engine([], [ram.RAMWeigher(conf)], host_subset_size=10, rng=random.Random(1))
    hosts_seen = {eng.select_destinations(ram_hosts(1, 2), SPEC)[0].host for _ in range(50)}
    assert hosts_seen == {'h1', 'h2'}


def test_soft_affinity_in_a_multi_create(conf):
    """Instances of one request gather (soft-affinity) or spread (soft-anti-affinity)."""
    for policy, cls, distinct in (
            ('soft-affinity', affinity.ServerGroupSoftAffinityWeigher, 1),
            ('soft-anti-affinity', affinity.ServerGroupSoftAntiAffinityWeigher, 3)):
        uuids = ['u1', 'u2', 'u3']
        spec = RequestSpec(flavor={'memory_mb': 10, 'vcpus': 0}, num_instances=3,
                           instance_uuids=uuids,
                           instance_group={'policy': policy, 'members': uuids, 'hosts': []})
        w = cls(conf)
        w.name = cls.__name__
        # RAM alone would pack everything onto h1 (multiplier -1); the group weigher decides.
        eng = engine.Engine([], [ram.RAMWeigher(conf), w],
                            {'RAMWeigher': -0.1 if distinct == 3 else 0.1, cls.__name__: 1.0})
        sels = eng.select_destinations(ram_hosts(1000, 1000, 1000), spec)
        assert len({s.host for s in sels}) == distinct
