"""Simulator speed against the issue's goals, on this machine.

Runs the perf params sets of the shipped scenarios through the simulator
(the real scheduler engine and plugins) and prints each figure against its
goal:

* 1,000,000 placements over 100,000 hosts (exact full scan) in <= 6 min
  (``placement-scale.yaml`` ``1m_over_100k``);
* 40,000 VMs on 20,000 hosts in <= 3 s of placement, i.e. of scheduler
  decision time (``placement-scale.yaml`` ``40k_on_20k``);
* a simulated week of the Azure trace at 10^4 hosts in <= 2 min
  (``azure-week.yaml`` ``10k_hosts``: the whole 5.7-day trace);
* <= 200 bytes of memory per simulated host (tracemalloc of everything a run
  holds after creating 100,000 hosts, per host).

Examples::

    python benchmarks/sim.py                       # all of them (about 10 minutes)
    python benchmarks/sim.py --only 40k,memory --json results/sim.json
"""

import argparse
import gc
import json
import pathlib
import sys
import time
import tracemalloc
import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from novalite_sim import scenario as scenario_mod  # noqa: E402
from novalite_sim import simulation  # noqa: E402

SCENARIOS = pathlib.Path(__file__).resolve().parents[1] / 'simulator' / 'scenarios'


def run_scenario(name, params, overrides=None):
    scenario = scenario_mod.load(SCENARIOS / ('%s.yaml' % name), params, overrides)
    sim = simulation.Simulation(scenario)
    t0 = time.perf_counter()
    report, speed = sim.run()
    wall = time.perf_counter() - t0
    lat = speed.get('scheduling_latency_us') or {}
    decision_s = lat.get('count', 0) * lat.get('mean', 0) / 1e6
    return {'scenario': '%s[%s]' % (name, params), 'wall_seconds': round(wall, 2),
            'decision_seconds': round(decision_s, 2),
            'instances_submitted': report['requests']['instances_submitted'],
            'instances_accepted': report['requests']['instances_accepted'],
            'hosts': report['hosts']['count'], 'events': report['events'],
            'simulated_seconds': report['simulated_seconds'], 'speed': speed}


def goal_1m():
    res = run_scenario('placement-scale', '1m_over_100k')
    res.update(goal='1,000,000 placements over 100,000 hosts', target='<= 360 s wall',
               measured='%.0f s wall (%.0f s in the scheduler)' % (
                   res['wall_seconds'], res['decision_seconds']),
               met=res['wall_seconds'] <= 360)
    return res


def goal_40k():
    res = run_scenario('placement-scale', '40k_on_20k')
    res.update(goal='40,000 VMs on 20,000 hosts', target='<= 3 s of placement',
               measured='%.2f s of placement (%.1f s wall with host set-up)' % (
                   res['decision_seconds'], res['wall_seconds']),
               met=res['decision_seconds'] <= 3)
    return res


def goal_week():
    res = run_scenario('azure-week', '10k_hosts')
    res.update(goal='a simulated week of the Azure trace at 10^4 hosts',
               target='<= 120 s wall',
               measured='%.0f s wall for %.1f simulated days' % (
                   res['wall_seconds'], res['simulated_seconds'] / 86400),
               met=res['wall_seconds'] <= 120)
    return res


def goal_memory(hosts=100000):
    """Bytes per host of everything a run holds once its hosts exist (no instances yet)."""
    path = SCENARIOS / 'placement-scale.yaml'
    scenario = scenario_mod.load(path, '1m_over_100k', {'hosts': hosts})
    scenario.ops = [op for op in scenario.ops if op['op'] == 'create_hosts']
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sim = simulation.Simulation(scenario)
    sim.run()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    per_host = held / hosts
    scheduler = sim.schedulers[0].host_manager.arrays.nbytes_per_host()
    return {'goal': 'memory per simulated host', 'target': '<= 200 B',
            'measured': '%.0f B (scheduler columns %.0f B, simulated truth %.0f B)' % (
                per_host, scheduler, sim.cloud.nbytes_per_host()),
            'bytes_per_host': round(per_host, 1), 'met': per_host <= 200}


GOALS = {'1m': goal_1m, '40k': goal_40k, 'week': goal_week, 'memory': goal_memory}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--only', default=','.join(GOALS),
                    help='comma-separated subset of: %s' % ', '.join(GOALS))
    ap.add_argument('--json', help='also write the results to this file')
    a = ap.parse_args(argv)
    names = [n for n in a.only.split(',') if n]
    unknown = [n for n in names if n not in GOALS]
    if unknown:
        ap.error('unknown goal(s): %s' % ', '.join(unknown))
    results = {'python': sys.version.split()[0], 'goals': {}}
    print('| goal | target | measured | met |')
    print('|---|---|---|---|')
    for name in names:
        res = GOALS[name]()
        results['goals'][name] = res
        print('| %s | %s | %s | %s |' % (res['goal'], res['target'], res['measured'],
                                         'yes' if res['met'] else 'no'))
        sys.stdout.flush()
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(results, indent=1, default=str) + '\n')


if __name__ == '__main__':
    main()
