"""Scheduler placements/s: the real HostManager + Engine, plugins loaded by entry-point name.

A sequence of single-instance placements (decision + consume on the cached
host state) on 10,000 and 100,000 hosts with ComputeFilter, RamFilter,
CoreFilter, DiskFilter and RAMWeigher, compared with the numpy lower bound
for the same work (``sched_limit.py``'s B2 + U sequence, run in this
process on the same host population and flavor mix).  Also reports the
memory per host (HostArrays columns, and everything the HostManager holds,
by tracemalloc).  Examples::

    python benchmarks/scheduler.py
    python benchmarks/scheduler.py --full --json results/scheduler.json
"""

import argparse
import gc
import importlib.util
import json
import pathlib
import sys
import time
import tracemalloc

import numpy as np
from oslo_config import cfg

from novalite.conf import default as default_conf
from novalite.conf import scheduler as scheduler_conf
from novalite.objects import ComputeNode
from novalite.objects import RequestSpec
from novalite.scheduler import engine as sched_engine
from novalite.scheduler import host_manager

FILTERS = ['ComputeFilter', 'RamFilter', 'CoreFilter', 'DiskFilter']
WEIGHERS = ['RAMWeigher']
LIMIT_PATH = pathlib.Path(__file__).resolve().parents[2] / 'shared/bench/sched_limit.py'


def load_limit():
    if not LIMIT_PATH.exists():
        return None
    spec = importlib.util.spec_from_file_location('sched_limit', LIMIT_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_conf():
    conf = cfg.ConfigOpts()
    default_conf.register_opts(conf)
    scheduler_conf.register_opts(conf)
    conf([], default_config_files=[])
    # Ratios of 1: usable = free, the same predicates as the bound's.
    for name in ('ram_allocation_ratio', 'cpu_allocation_ratio', 'disk_allocation_ratio'):
        conf.set_override(name, 1.0)
    conf.set_override('enabled_filters', FILTERS, group='filter_scheduler')
    conf.set_override('weight_classes', WEIGHERS, group='filter_scheduler')
    return conf


def population(n, seed, limit):
    """The bound's synthetic hosts (its make_hosts + 2000 GB disk), as compute node reports."""
    rng = np.random.default_rng(seed)
    if limit is not None:
        free_ram, free_vcpus, free_disk, enabled = limit.make_hosts(n, rng)
    else:
        free_ram = rng.integers(0, 524288, size=n)
        free_vcpus = rng.integers(0, 512, size=n)
        free_disk = rng.integers(0, 4000, size=n)
        enabled = rng.random(n) >= 0.05
    free_disk = free_disk + 2000
    nodes, services = [], {}
    for i in range(n):
        host = 'host%06d' % i
        nodes.append(ComputeNode(host=host, hypervisor_hostname=host,
                                 vcpus=int(free_vcpus[i]), memory_mb=int(free_ram[i]),
                                 free_ram_mb=int(free_ram[i]), local_gb=int(free_disk[i]),
                                 free_disk_gb=int(free_disk[i])))
        services[host] = {'disabled': not bool(enabled[i]), 'disabled_reason': None,
                          'forced_down': False, 'is_up': True}
    return nodes, services


def run(n_hosts, placements, seed, limit):
    conf = make_conf()
    nodes, services = population(n_hosts, seed, limit)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    hm = host_manager.HostManager(conf)
    hm.update_nodes(nodes, services)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    engine = sched_engine.Engine.from_conf(conf)
    flavors = (limit.FLAVORS.tolist() if limit is not None
               else [(512, 1, 1), (2048, 1, 20), (4096, 2, 40), (8192, 4, 80), (16384, 8, 160)])
    specs = [RequestSpec(flavor={'memory_mb': r, 'vcpus': c, 'root_gb': d,
                                 'ephemeral_gb': 0, 'swap': 0})
             for r, c, d in flavors]
    picks = np.random.default_rng(seed).integers(0, len(specs), size=placements).tolist()
    select = engine.select_destinations
    failed = 0
    gc.collect()
    gc.freeze()  # the long-lived host population, as a running scheduler would
    t0 = time.perf_counter()
    for k in picks:
        try:
            select(hm.get_all_host_states(), specs[k])
        except Exception:  # NoValidHost
            failed += 1
    seconds = time.perf_counter() - t0
    gc.unfreeze()
    arrays = hm.arrays
    assert (arrays.free_ram_mb[arrays.enabled] >= 0).all(), 'overcommitted RAM'
    return {'hosts': n_hosts, 'placements': placements, 'failed': failed,
            'seconds': seconds, 'per_second': placements / seconds,
            'us_per_placement': seconds / placements * 1e6,
            'array_bytes_per_host': arrays.nbytes_per_host(),
            'manager_bytes_per_host': held / n_hosts}


def nova_style(n_hosts, decisions, seed, limit):
    """The bound's Nova-style object loop (filter objects, normalised weights, full sort) + consume."""
    rng = np.random.default_rng(seed)
    free_ram, free_vcpus, free_disk, enabled = limit.make_hosts(n_hosts, rng)
    hosts = [limit.HostState('host%06d' % i, int(free_ram[i]), int(free_vcpus[i]),
                             int(free_disk[i]) + 2000, bool(enabled[i])) for i in range(n_hosts)]
    flavors = limit.FLAVORS.tolist()
    picks = np.random.default_rng(seed).integers(0, len(flavors), size=decisions).tolist()
    specs = [limit.RequestSpec(r, c, d) for r, c, d in flavors]
    t0 = time.perf_counter()
    for k in picks:
        chosen = limit.nova_style_select(hosts, specs[k])
        if chosen is not None:
            chosen.consume(*flavors[k])
    return decisions / (time.perf_counter() - t0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--hosts', default='10000,100000', help='host counts, comma-separated')
    ap.add_argument('--placements', type=int, default=20000,
                    help='placements per host count (default 20,000)')
    ap.add_argument('--full', action='store_true',
                    help="the issue's figure: 100,000 placements per host count")
    ap.add_argument('--seed', type=int, default=20240601)
    ap.add_argument('--json', help='also write the results to this file')
    ap.add_argument('--no-nova-style', dest='nova_style', action='store_false',
                    help="skip timing the Nova-style object loop for comparison")
    a = ap.parse_args(argv)
    placements = 100000 if a.full else a.placements
    limit = load_limit()
    if limit is None:
        print('%s not found: no ratio against the bound' % LIMIT_PATH)
    results = {'python': sys.version.split()[0], 'numpy': np.__version__,
               'filters': FILTERS, 'weighers': WEIGHERS, 'runs': []}
    print('| hosts | placements | placements/s | us/placement | bound placements/s | ratio '
          '| array B/host | manager B/host |')
    print('|---:|---:|---:|---:|---:|---:|---:|---:|')
    for n in [int(x) for x in a.hosts.split(',') if x]:
        res = run(n, placements, a.seed, limit)
        if limit is not None:
            bound = limit.placement_sequence(n, placements, False)
            res['bound_per_second'] = bound['per_second']
            res['ratio'] = res['per_second'] / bound['per_second']
        results['runs'].append(res)
        print('| {:,} | {:,} | {:,.0f} | {:.1f} | {} | {} | {:.0f} | {:.0f} |'.format(
            n, placements, res['per_second'], res['us_per_placement'],
            '{:,.0f}'.format(res['bound_per_second']) if 'ratio' in res else '-',
            '%.2f' % res['ratio'] if 'ratio' in res else '-',
            res['array_bytes_per_host'], res['manager_bytes_per_host']))
        sys.stdout.flush()
    if limit is not None and a.nova_style:
        # kube-scheduler's CI floor is quoted at 5,000 nodes; Nova's loop at 10,000 hosts.
        results['nova_style'] = {}
        for n in (5000, 10000):
            rate = nova_style(n, 300, a.seed, limit)
            results['nova_style'][n] = rate
            print('Nova-style object loop (sched_limit.py A1 + consume), {:,} hosts: '
                  '{:,.0f} placements/s'.format(n, rate))
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump(results, fh, indent=1)


if __name__ == '__main__':
    main()
