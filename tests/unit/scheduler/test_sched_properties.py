"""Property tests over every filter and weigher registered in setup.cfg.

On random host states and random request specs:

* ``filter_vec`` agrees with ``host_passes`` host by host, and ``weigh_vec``
  with ``weigh``, for every plugin that has the vectorised entry point;
* the engine chooses the same hosts (limits, weights, consumption, or the
  same NoValidHost) with the plugins as they are and with per-host-only
  copies of them.

The plugins are the names registered in setup.cfg (the source of truth),
loaded by name through ``novalite.plugin``: one that is not installed or does
not import fails the test.  Re-run ``pip install -e .`` after adding an entry point.
"""

import configparser
import copy
import functools
import json
import pathlib
import random

import numpy as np
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from novalite import conf as nl_conf
from novalite import exception
from novalite import plugin
from novalite.objects import RequestSpec
from novalite.scheduler import engine as sched_engine
from novalite.scheduler import interfaces
from novalite.scheduler.host_arrays import HostArrays
from novalite.scheduler.host_state import HostState

SETUP_CFG = pathlib.Path(__file__).resolve().parents[3] / 'setup.cfg'

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@functools.lru_cache(maxsize=None)
def registered(namespace):
    """Entry-point names of ``namespace`` in setup.cfg, in file order (read once)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(SETUP_CFG)
    lines = parser['options.entry_points'][namespace].strip().splitlines()
    return tuple(line.split('=', 1)[0].strip() for line in lines if line.strip())


@functools.lru_cache(maxsize=None)
def conf():
    return nl_conf.make_conf([])


@functools.lru_cache(maxsize=None)
def plugins(namespace):
    """{name: plugin instance} for every name setup.cfg registers in ``namespace``."""
    names = registered(namespace)
    loaded = plugin.load_all(namespace, names, conf())
    for name, obj in zip(names, loaded):
        obj.name = name
    return dict(zip(names, loaded))


def per_host_only(obj):
    """The same plugin without its vectorised entry point (as a third-party one would be)."""
    obj = copy.copy(obj)
    obj.filter_vec = None
    obj.weigh_vec = None
    return obj


def test_every_registered_plugin_loads():
    for namespace, base in ((plugin.FILTERS, interfaces.BaseFilter),
                            (plugin.WEIGHERS, interfaces.BaseWeigher)):
        loaded = plugins(namespace)
        assert loaded, namespace
        assert all(isinstance(p, base) for p in loaded.values())


# --- strategies -----------------------------------------------------------------------

UUIDS = ['u%d' % i for i in range(6)]
RATIO = st.one_of(st.none(), st.sampled_from([0.5, 1.0, 1.5, 2.0, 16.0]))
NUMBER_TEXT = st.sampled_from(['0', '1', '2', '3', '8', '1.5', '2.0', 'x', ''])
AGG_VALUES = {
    'ram_allocation_ratio': NUMBER_TEXT,
    'cpu_allocation_ratio': NUMBER_TEXT,
    'disk_allocation_ratio': NUMBER_TEXT,
    'max_io_ops_per_host': NUMBER_TEXT,
    'max_instances_per_host': NUMBER_TEXT,
    'availability_zone': st.sampled_from(['nova', 'az1']),
    'filter_tenant_id': st.sampled_from(['project-a', 'project-b', 'project-a,project-c']),
    'instance_type': st.sampled_from(['m1.small', 'm1.tiny,m1.small', 'big']),
    'ssd': st.sampled_from(['true', 'false']),
    'architecture': st.sampled_from(['x86_64', 'aarch64']),
    'hypervisor_type': st.sampled_from(['qemu', 'xen']),
}
METADATA = st.fixed_dictionaries({}, optional=AGG_VALUES)
AGGREGATES = st.lists(st.builds(lambda i, md: {'name': 'agg%d' % i, 'metadata': md},
                                st.integers(0, 3), METADATA), max_size=3)
SERVICE = st.builds(lambda disabled, forced, up: {
    'disabled': disabled, 'disabled_reason': 'maint' if disabled else None,
    'forced_down': forced, 'is_up': up}, st.booleans(), st.booleans(), st.booleans())
SUPPORTED = st.lists(st.sampled_from([['x86_64', 'qemu', 'hvm'], ['x86_64', 'xen', 'xen'],
                                      ['aarch64', 'qemu', 'hvm'], ['i686', 'kvm', 'hvm']]),
                     max_size=3, unique_by=tuple)
STATS = st.fixed_dictionaries({}, optional={
    'num_instances': st.integers(0, 5).map(str), 'io_workload': st.integers(0, 5).map(str),
    'failed_builds': st.integers(0, 3).map(str), 'ssd': st.sampled_from(['true', 'false']),
    'hypervisor_type': st.sampled_from(['QEMU', 'xen'])})
CPU_INFO = st.fixed_dictionaries({}, optional={
    'arch': st.sampled_from(['x86_64', 'aarch64']), 'vendor': st.sampled_from(['Intel', 'AMD']),
    'features': st.lists(st.sampled_from(['vmx', 'sse4', 'avx']), max_size=3, unique=True)})


@st.composite
def host_rows(draw):
    """Keyword arguments of one HostState (built fresh for each engine)."""
    total_ram = draw(st.sampled_from([0, 1024, 4096, 16384]))
    total_disk = draw(st.sampled_from([0, 10, 100]))
    return dict(
        total_usable_ram_mb=total_ram,
        free_ram_mb=draw(st.integers(-2048, total_ram)),
        total_usable_disk_gb=total_disk,
        free_disk_mb=draw(st.integers(-1024, total_disk * 1024)),
        vcpus_total=draw(st.sampled_from([0, 1, 4, 16])),
        vcpus_used=draw(st.integers(0, 24)),
        num_instances=draw(st.integers(0, 60)),
        num_io_ops=draw(st.integers(0, 10)),
        failed_builds=draw(st.integers(0, 4)),
        ram_allocation_ratio=draw(RATIO),
        cpu_allocation_ratio=draw(RATIO),
        disk_allocation_ratio=draw(RATIO),
        availability_zone=draw(st.sampled_from([None, 'nova', 'az1', 'nova,az1'])),
        aggregates=draw(AGGREGATES),
        service=draw(SERVICE),
        hypervisor_type=draw(st.sampled_from([None, 'QEMU', 'xen', 'fake'])),
        hypervisor_version=draw(st.sampled_from([None, 0, 1000, 2001000, 6000000])),
        host_ip=draw(st.sampled_from([None, '10.0.0.5', '10.0.1.7', '192.168.0.2'])),
        stats=draw(STATS),
        cpu_info=draw(CPU_INFO),
        supported_instances=draw(SUPPORTED),
        instances=set(draw(st.lists(st.sampled_from(UUIDS), max_size=4))),
    )


HOSTS = st.lists(host_rows(), min_size=1, max_size=10)

EXTRA_SPECS = st.fixed_dictionaries({}, optional={
    'capabilities:hypervisor_type': st.sampled_from(['s== QEMU', 'xen', '<in> QE']),
    'hypervisor_type': st.sampled_from(['QEMU', 'fake']),
    'free_ram_mb': st.sampled_from(['>= 1024', '<= 0', '= 2048']),
    'ssd': st.sampled_from(['true', '<or> true <or> false']),
    'aggregate_instance_extra_specs:ssd': st.sampled_from(['true', 's!= true']),
    'capabilities:cpu_info:arch': st.sampled_from(['x86_64', '<in> 86']),
    'vcpus_total': st.sampled_from(['>= 4', '== 16']),
})
IMAGE_PROPS = st.fixed_dictionaries({}, optional={
    'architecture': st.sampled_from(['x86_64', 'aarch64', 'i686']),
    'hypervisor_type': st.sampled_from(['qemu', 'xen', 'kvm']),
    'vm_mode': st.sampled_from(['hvm', 'xen']),
    'hypervisor_version_requires': st.sampled_from(['>=1.0', '<2.0', '>=6.0']),
    'ssd': st.sampled_from(['true', 'false']),
})
QUERIES = st.sampled_from([
    json.dumps(['>=', '$free_ram_mb', 1024]),
    json.dumps(['=', '$vcpus_total', 4]),
    json.dumps(['and', ['>=', '$free_disk_mb', 0], ['<', '$num_instances', 5]]),
    json.dumps(['or', ['not', ['<=', '$vcpus_used', 2]], ['in', '$hypervisor_type', 'QEMU']]),
    json.dumps(['>', '$stats.ssd', 'f']),
])
HINTS = st.fixed_dictionaries({}, optional={
    'same_host': st.lists(st.sampled_from(UUIDS), min_size=1, max_size=2),
    'different_host': st.lists(st.sampled_from(UUIDS), min_size=1, max_size=2),
    'query': QUERIES,
    'build_near_host_ip': st.sampled_from(['10.0.0.1', '10.0.1.1']),
    'cidr': st.sampled_from(['/24', '/16']),
})


@st.composite
def specs(draw, hosts):
    num = draw(st.integers(1, 3))
    own = ['new%d' % i for i in range(num)]
    group = None
    if draw(st.booleans()):
        group = {'uuid': 'g1', 'name': 'group',
                 'policy': draw(st.sampled_from(['affinity', 'anti-affinity', 'soft-affinity',
                                                 'soft-anti-affinity'])),
                 'rules': draw(st.sampled_from([{}, {'max_server_per_host': 2}])),
                 'members': draw(st.lists(st.sampled_from(UUIDS), max_size=4, unique=True)) + own,
                 'hosts': draw(st.lists(st.sampled_from(['h%d' % i for i in range(hosts)]),
                                        max_size=3, unique=True))}
    retry = None
    if draw(st.booleans()):
        tried = draw(st.lists(st.integers(0, hosts - 1), max_size=2, unique=True))
        retry = {'num_attempts': len(tried) + 1, 'hosts': [['h%d' % i, 'n%d' % i] for i in tried]}
    flavor = {'memory_mb': draw(st.sampled_from([0, 512, 2048, 8192])),
              'vcpus': draw(st.sampled_from([1, 2, 4])),
              'root_gb': draw(st.sampled_from([0, 1, 20])),
              'ephemeral_gb': draw(st.sampled_from([0, 5])),
              'swap': draw(st.sampled_from([0, 512])),
              'name': draw(st.sampled_from(['m1.tiny', 'm1.small', 'big'])),
              'flavorid': draw(st.sampled_from(['1', '2', '6'])),
              'extra_specs': draw(EXTRA_SPECS)}
    image = {'id': draw(st.sampled_from(['img-1', 'img-2'])), 'properties': draw(IMAGE_PROPS)}
    return RequestSpec(flavor=flavor, project_id=draw(st.sampled_from(['project-a', 'project-b'])),
                       num_instances=num, instance_uuids=own, image=image,
                       availability_zone=draw(st.sampled_from([None, 'nova', 'az1'])),
                       scheduler_hints=draw(HINTS), retry=retry, instance_group=group)


@st.composite
def scenarios(draw):
    rows = draw(HOSTS)
    return rows, draw(specs(len(rows)))


def build(rows):
    return [HostState('h%d' % i, 'n%d' % i, **copy.deepcopy(row)) for i, row in enumerate(rows)]


# --- vectorised entry points agree with the per-host ones -----------------------------

@SETTINGS
@given(scenarios())
def test_vectorised_entry_points_agree_with_per_host(scenario):
    rows, spec = scenario
    states = build(rows)
    view = HostArrays.from_states(states).view()
    for name, filt in plugins(plugin.FILTERS).items():
        if filt.filter_vec is None:
            continue
        cycle = interfaces.CycleState()
        filt.prepare(spec, cycle)
        vec = np.asarray(filt.filter_vec(view, spec, cycle), dtype=bool).tolist()
        assert vec == [bool(filt.host_passes(h, spec, cycle)) for h in states], name
    for name, weigher in plugins(plugin.WEIGHERS).items():
        if weigher.weigh_vec is None:
            continue
        cycle = interfaces.CycleState()
        weigher.prepare(spec, cycle)
        vec = np.asarray(weigher.weigh_vec(view, spec, cycle), dtype=np.float64).tolist()
        assert vec == [float(weigher.weigh(h, spec, cycle)) for h in states], name


# --- the engine chooses the same either way -------------------------------------------

def outcome(engine, states, spec):
    try:
        sels = engine.select_destinations(states, spec)
    except exception.NoValidHost as exc:
        return ('NoValidHost', str(exc))
    return ([(s.host, s.nodename, s.limits, s.weight) for s in sels],
            [(h.free_ram_mb, h.free_disk_mb, h.vcpus_used, h.num_instances, h.num_io_ops,
              sorted(h.instances)) for h in states])


@st.composite
def engine_setups(draw):
    filter_names = registered(plugin.FILTERS)
    weigher_names = registered(plugin.WEIGHERS)
    filters = draw(st.lists(st.sampled_from(filter_names), max_size=6, unique=True))
    weighers = draw(st.lists(st.sampled_from(weigher_names), max_size=4, unique=True))
    mults = {name: draw(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 1e6]))
             for name in weighers if draw(st.booleans())}
    return filters, weighers, mults, draw(st.integers(1, 3)), draw(st.integers(0, 2 ** 32))


@SETTINGS
@given(scenarios(), engine_setups())
def test_engine_same_choice_vectorised_or_per_host(scenario, setup):
    rows, spec = scenario
    filter_names, weigher_names, mults, subset, seed = setup
    filters = [plugins(plugin.FILTERS)[n] for n in filter_names]
    weighers = [plugins(plugin.WEIGHERS)[n] for n in weigher_names]
    fast = sched_engine.Engine(filters, weighers, mults, host_subset_size=subset,
                               rng=random.Random(seed))
    slow = sched_engine.Engine([per_host_only(f) for f in filters],
                               [per_host_only(w) for w in weighers], mults,
                               host_subset_size=subset, rng=random.Random(seed))
    spec_fast = RequestSpec.from_dict(copy.deepcopy(spec.to_dict()))
    spec_slow = RequestSpec.from_dict(copy.deepcopy(spec.to_dict()))
    assert outcome(fast, build(rows), spec_fast) == outcome(slow, build(rows), spec_slow)
    assert spec_fast.instance_group == spec_slow.instance_group
