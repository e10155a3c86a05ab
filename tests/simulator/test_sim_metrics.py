"""Metric definitions on cases small enough to compute by hand (doc/simulator.md, "Metrics")."""

import textwrap

import pytest

from novalite_sim import scenario as scenario_mod
from novalite_sim import simulation

HEAD = """\
name: m
scheduler:
  filters: [ComputeFilter, RamFilter, CoreFilter, DiskFilter, RetryFilter]
  weighers: {RAMWeigher: -1.0}
  allocation_ratios: {cpu: 1.0, ram: 1.0, disk: 1.0}
  report_interval_s: 10
hosts:
  - {name: h, count: 2, vcpus: 4, ram_mb: 4096, disk_gb: 100}
flavors:
  half: {vcpus: 2, ram_mb: 2048, disk_gb: 10}
  cpu_heavy: {vcpus: 4, ram_mb: 1024, disk_gb: 10}
  whole: {vcpus: 4, ram_mb: 4096, disk_gb: 10}
"""


def run(tmp_path, body, params=None, head=HEAD):
    path = tmp_path / 'm.yaml'
    path.write_text(head + textwrap.dedent(body))
    sim = simulation.Simulation(scenario_mod.load(path, params))
    report, speed = sim.run()
    return sim, report, speed


def test_allocation_is_time_averaged_and_peaks(tmp_path):
    # Two hosts of 4 vCPUs.  0-100 s: one 2-vCPU server (25 %); 100-300 s: three (75 %).
    # Average over 300 s: (0.25 * 100 + 0.75 * 200) / 300 = 0.583333...
    _, report, _ = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: half}
          - advance: 100
          - boot: {flavor: half, count: 2}
          - advance: 200
        """)
    alloc = report['allocation']['vcpus']
    assert alloc == {'time_avg': pytest.approx(0.583333, abs=1e-6), 'peak': 0.75}
    assert report['allocation']['ram_mb']['peak'] == 0.75
    assert report['simulated_seconds'] == 300
    # Pack: the second request's two servers go to the fuller host, then the other.
    assert report['hosts_used'] == {'time_avg': pytest.approx((1 * 100 + 2 * 200) / 300),
                                    'peak': 2, 'final': 2}
    assert report['live_instances'] == {'time_avg': pytest.approx((100 + 3 * 200) / 300),
                                        'peak': 3, 'final': 3}


def test_warm_up_is_left_out_of_averages_and_counts(tmp_path):
    # The first server arrives during the 100 s warm-up: not counted as submitted,
    # but it occupies the host.  After warm-up: 50 % for 100 s, then 100 % for 100 s.
    _, report, _ = run(tmp_path, """\
        warmup_s: 100
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: whole}
          - advance: 100
          - advance: 100
          - boot: {flavor: whole}
          - advance: 100
        """)
    assert report['requests']['submitted'] == 1
    assert report['allocation']['vcpus']['time_avg'] == pytest.approx(0.75)
    assert report['warmup_s'] == 100


def test_rejections_name_the_filter_and_the_time(tmp_path):
    # 8 vCPUs in all: the third whole-host server finds no host, at t=50.
    _, report, _ = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: whole, count: 2}
          - advance: 50
          - boot: {flavor: half}
          - boot: {flavor: whole}
        """)
    req = report['requests']
    assert req['first_rejection_s'] == 50
    assert req['rejected_by'] == {'RamFilter': 2}
    assert (req['submitted'], req['accepted'], req['rejected']) == (3, 1, 2)
    assert req['acceptance_rate'] == pytest.approx(1 / 3, abs=1e-6)
    assert req['by_flavor']['whole'] == {'submitted': 3, 'accepted': 2, 'rejected': 1,
                                         'acceptance_rate': pytest.approx(2 / 3, abs=1e-6)}


def test_a_multi_create_is_all_or_nothing_per_request(tmp_path):
    _, report, _ = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: whole, count: 3}
        """)
    req = report['requests']
    assert (req['submitted'], req['rejected'], req['instances_rejected']) == (1, 1, 3)
    assert report['live_instances']['final'] == 0     # consumption undone: nothing half-made


def test_stranded_capacity(tmp_path):
    # cpu_heavy takes all 4 vCPUs of a host but only 1 GB: 3 GB of RAM are stranded on a
    # CPU-full host (the smallest request seen asks 2 vCPUs / 1 GB).
    _, report, _ = run(tmp_path, """\
        sample_interval_s: 10
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: cpu_heavy}
          - advance: 100
        """)
    ram = report['stranded']['ram_mb_on_cpu_full_hosts']
    assert ram['peak'] == 3072
    # Every sample (0, 10, ... 100 s; the ops run before the sampler at t=0) shows it.
    assert ram['time_avg'] == 3072
    assert ram['time_avg_fraction'] == pytest.approx(3072 / (3072 + 4096))
    assert report['stranded']['vcpus_on_ram_full_hosts']['peak'] == 0


def test_failed_host_leaves_the_capacity_and_the_schedulers_notice_later(tmp_path):
    # Host 0 fails at t=0; the schedulers believe it up for service_down_time (30 s):
    # a build sent there fails its claim and is rescheduled to host 1.
    head = HEAD.replace('RAMWeigher: -1.0}', 'RAMWeigher: 1.0}\n  service_down_time_s: 30')
    sim, report, _ = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - fail_host: {hosts: [h-00000]}
          - boot: {flavor: half}
          - advance: 60
          - boot: {flavor: half}
        """, head=head)
    assert report['retries'] == {'reschedules': 1, 'claim_conflicts': 1,
                                 'requests_retried': 1, 'exhausted': 0}
    assert [sim.cloud.names[sim.instances[i][0]] for i in (0, 1)] == ['h-00001', 'h-00001']
    assert report['allocation']['vcpus']['peak'] == 1.0   # of the one host still up


def test_speed_figures_are_apart_from_the_report(tmp_path):
    _, report, speed = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: half}
        """)
    assert 'scheduling_latency_us' not in report
    assert speed['scheduling_latency_us']['count'] == 1
    assert speed['peak_rss_mb'] > 0 and speed['wall_seconds'] >= 0


def test_anti_affinity_batches_spread_and_a_fourth_member_is_refused(tmp_path):
    head = HEAD.replace('count: 2, vcpus: 4', 'count: 3, vcpus: 4').replace(
        'RetryFilter]', 'RetryFilter, ServerGroupAntiAffinityFilter]')
    sim, report, _ = run(tmp_path, """\
        ops:
          - create_hosts: {group: h}
          - boot: {flavor: half, count: 4, server_group: anti-affinity}
          - boot: {flavor: half, count: 3, server_group: anti-affinity}
        """, head=head)
    # The group of 4 cannot fit 3 hosts: all or nothing, so nothing is left consumed.
    hosts = [sim.cloud.names[sim.instances[i][0]] for i in range(4, 7)]
    assert sorted(hosts) == ['h-00000', 'h-00001', 'h-00002']
    assert report['requests']['rejected_by'] == {'ServerGroupAntiAffinityFilter': 4}
    assert report['live_instances']['final'] == 3


def test_several_schedulers_with_stale_views_conflict_and_one_does_not():
    """The shipped concurrency scenario: 3 schedulers race for the fullest hosts; 1 never does."""
    from novalite_sim.scenario import load
    path = __import__('pathlib').Path(__file__).resolve().parents[2] / 'simulator' / \
        'scenarios' / 'concurrent-schedulers.yaml'
    three, _ = simulation.Simulation(load(path, 'ci')).run()
    one, _ = simulation.Simulation(load(path, 'one_scheduler')).run()
    assert three['retries']['claim_conflicts'] > 0 and three['retries']['reschedules'] > 0
    assert one['retries'] == {'reschedules': 0, 'claim_conflicts': 0, 'requests_retried': 0,
                              'exhausted': 0}
    assert one['requests']['acceptance_rate'] == 1.0
    assert three['requests']['acceptance_rate'] < one['requests']['acceptance_rate']
