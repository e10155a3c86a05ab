"""The simulator against hand-worked placements, and against the real services.

The first test's expected placements are worked out in the comments.  The
second boots the same sequence through novalite's services (conductor,
scheduler and computes over the RPC layer, the compute API in front) and
through the simulator, and asserts the same host for every server.
"""

import pathlib
import textwrap

import pytest

import nltest
from novalite.compute import states
from novalite_sim import scenario as scenario_mod
from novalite_sim import simulation

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / 'simulator' / 'scenarios'


def _placements(sim, count):
    """Host of each booted instance in boot order (None: rejected)."""
    names = sim.cloud.names
    return [names[sim.instances[i][0]] if i in sim.instances else None for i in range(count)]


# Hosts: small-00000 (4 vCPU, 4096 MB), big-00000 and big-00001 (8 vCPU, 8192 MB each).
# Requests alternate s1 (1 vCPU, 1024 MB) and m2 (2 vCPU, 2048 MB), ten in all.
#
# spread (most free RAM wins; ties: the host created first), free RAM after each:
#  1 s1 big0 8192->7168   2 m2 big1 8192->6144   3 s1 big0 7168->6144
#  4 m2 big0 (tie with big1) 6144->4096           5 s1 big1 6144->5120
#  6 m2 big1 5120->3072   7 s1 small (tie with big0 at 4096) 4096->3072
#  8 m2 big0 4096->2048   9 s1 small (tie with big1 at 3072) 3072->2048
# 10 m2 big1 3072->1024
SPREAD = ['big-00000', 'big-00001', 'big-00000', 'big-00000', 'big-00001', 'big-00001',
          'small-00000', 'big-00000', 'small-00000', 'big-00001']
# pack (least free RAM that still fits wins):
#  1-3 small takes s1, m2, s1: 4096->3072->1024->0 (and 4 of 4 vCPUs)
#  4-8 big0 (tie with big1): m2 s1 m2 s1 m2: 8192->0 (8 of 8 vCPUs)
#  9-10 big1: s1, m2
PACK = ['small-00000'] * 3 + ['big-00000'] * 5 + ['big-00001'] * 2


@pytest.mark.parametrize('params, expected', [('spread', SPREAD), ('pack', PACK)])
def test_hand_worked_pack_and_spread(params, expected):
    scenario = scenario_mod.load(SCENARIOS / 'hand-pack-spread.yaml', params)
    sim = simulation.Simulation(scenario)
    report, _ = sim.run()
    assert _placements(sim, 10) == expected
    assert report['requests']['accepted'] == 10
    assert report['hosts_used']['final'] == (3 if params == 'spread' else 3)


# Nova's m1 flavors as bootstrap creates them: id -> (name, vcpus, ram_mb, disk_gb)
FLAVORS = {'1': ('m1.tiny', 1, 512, 1), '2': ('m1.small', 1, 2048, 20),
           '3': ('m1.medium', 2, 4096, 40), '4': ('m1.large', 4, 8192, 80),
           '5': ('m1.xlarge', 8, 16384, 160)}
# 74 vCPUs asked of 4 x 16: the last ones find no host.
SEQUENCE = ['5', '4', '3', '5', '2', '4', '5', '1', '3', '5', '4', '5', '5', '5']
HOSTS = ('compute1', 'compute2', 'compute3', 'compute4')


def _services_placements(tmp_path, multiplier):
    conf = nltest.make_conf(
        tmp_path, reserved_host_memory_mb=0, cpu_allocation_ratio=1.0,
        quota__instances=-1, quota__cores=-1, quota__ram=-1,
        ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
        filter_scheduler__enabled_filters=['ComputeFilter', 'RamFilter', 'CoreFilter',
                                           'DiskFilter', 'RetryFilter'],
        filter_scheduler__weight_classes=['RAMWeigher'],
        filter_scheduler__weight_multipliers={'RAMWeigher': multiplier})
    cloud = nltest.Cloud(conf, hosts=HOSTS).start()
    try:
        nltest.wait_for(lambda: len(cloud.db.compute_node_get_all()) == len(HOSTS),
                        what='every compute node recorded')
        # The scheduler keeps hosts in the order it first reads them: the nodes' id order.
        nodes = [n.host for n in cloud.db.compute_node_get_all()]
        placed = []
        for flavor_id in SEQUENCE:
            instance = cloud.boot(flavor_id=flavor_id)[0]
            instance = cloud.wait(instance.uuid, lambda i: i.vm_state in (
                states.ACTIVE, states.ERROR) and i.task_state is None, what='ACTIVE or ERROR')
            placed.append(instance.host if instance.vm_state == states.ACTIVE else None)
        return nodes, placed
    finally:
        cloud.stop()


def _simulated_placements(tmp_path, multiplier, count):
    flavors = '\n'.join('  %s: {vcpus: %d, ram_mb: %d, disk_gb: %d}' % f
                        for f in FLAVORS.values())
    boots = '\n'.join('  - boot: {flavor: %s}' % FLAVORS[f][0] for f in SEQUENCE)
    path = tmp_path / 'same-as-services.yaml'
    path.write_text(textwrap.dedent("""\
        name: same-as-services
        scheduler:
          filters: [ComputeFilter, RamFilter, CoreFilter, DiskFilter, RetryFilter]
          weighers: {RAMWeigher: %s}
          allocation_ratios: {cpu: 1.0, ram: 1.0, disk: 1.0}
        hosts:
          - {name: compute, count: %d, vcpus: 16, ram_mb: 65536, disk_gb: 1024}
        ops:
          - create_hosts: {group: compute}
        """) % (multiplier, count) + boots + '\nflavors:\n' + flavors + '\n')
    sim = simulation.Simulation(scenario_mod.load(path))
    sim.run()
    return _placements(sim, len(SEQUENCE))


@pytest.mark.parametrize('multiplier', [1.0, -1.0], ids=['spread', 'pack'])
def test_services_and_simulator_place_alike(tmp_path, multiplier):
    """The fake driver's default node (16 vCPU, 65536 MB, 1024 GB) is the simulated host."""
    nodes, real = _services_placements(tmp_path / 'services', multiplier)
    assert sorted(nodes) == sorted(HOSTS)
    simulated = _simulated_placements(tmp_path, multiplier, len(nodes))
    # The simulator names hosts compute-00000 ...: the n-th is the n-th node the scheduler read.
    rename = {'compute-%05d' % i: host for i, host in enumerate(nodes)}
    assert [rename.get(h) for h in simulated] == real
    assert None in real and real[0] is not None   # some fit, the last ones do not
