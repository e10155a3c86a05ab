"""Side-by-side tables of simulator runs."""

import copy
import json

import pytest

from novalite_sim import compare

REPORT_A = {
    'format': 1,
    'scenario': {'name': 'azure-day', 'params_set': '10k_hosts', 'seed': 7, 'labels': ['perf'],
                 'file': 'azure-day.yaml'},
    'hosts': {'count': 10000, 'vcpus': 480000},
    'simulated_seconds': 86400.0,
    'events': 123456,
    'requests': {
        'submitted': 1000, 'accepted': 970, 'rejected': 30, 'acceptance_rate': 0.97,
        'instances_submitted': 1200, 'instances_accepted': 1164, 'instances_rejected': 36,
        'instance_acceptance_rate': 0.97, 'first_rejection_s': 5400.0,
        'by_flavor': {'1vcpu-1792MB': {'submitted': 600, 'accepted': 594, 'rejected': 6,
                                       'acceptance_rate': 0.99}},
        'rejected_by': {'RamFilter': 25, 'max_attempts': 5},
    },
    'allocation': {'vcpus': {'time_avg': 0.61, 'peak': 0.92}, 'ram_mb': {'time_avg': 0.7, 'peak': 0.99},
                   'disk_gb': {'time_avg': 0.2, 'peak': 0.3}},
    'stranded': {'vcpus_on_ram_full_hosts': {'time_avg': 1234.5, 'peak': 5000, 'time_avg_fraction': 0.0257},
                 'ram_mb_on_cpu_full_hosts': {'time_avg': 2048.0, 'peak': 4096, 'time_avg_fraction': 0.001}},
    'hosts_used': {'time_avg': 8000.5, 'peak': 9500, 'final': 9000},
    'live_instances': {'time_avg': 50000.2, 'peak': 60000, 'final': 55000},
    'retries': {'reschedules': 12, 'claim_conflicts': 4, 'requests_retried': 10, 'exhausted': 1},
    'thresholds': [{'metric': 'requests.acceptance_rate', 'op': '>=', 'value': 0.95, 'actual': 0.97,
                    'passed': True}],
}
SPEED_A = {'wall_seconds': 12.5, 'events_per_second': 100000.0, 'wall_seconds_per_simulated_day': 12.5,
           'peak_rss_mb': 512.3, 'placements_per_second': 4000.0,
           'scheduling_latency_us': {'count': 1000, 'mean': 250.0, 'p50': 200.0, 'p90': 400.0, 'p99': 900.0,
                                     'max': 2000.0}}


def report_b():
    r = copy.deepcopy(REPORT_A)
    r['scenario']['seed'] = 8
    r['requests'].update(acceptance_rate=0.955, rejected=45, first_rejection_s=None)
    r['requests']['by_flavor']['8vcpu-32GB'] = {'submitted': 10, 'accepted': 5, 'rejected': 5,
                                               'acceptance_rate': 0.5}
    r['requests']['rejected_by'] = {'RamFilter': 40, 'DiskFilter': 50}
    r['allocation']['vcpus']['time_avg'] = 0.655
    r['retries']['reschedules'] = 15
    del r['stranded']
    r['thresholds'][0].update(actual=0.955, passed=True)
    return r


def write_run(folder, report, speed=None):
    folder.mkdir()
    (folder / 'report.json').write_text(json.dumps(report, indent=1, sort_keys=True))
    if speed is not None:
        (folder / 'speed.json').write_text(json.dumps(speed))
    return folder


@pytest.fixture
def two_runs(tmp_path):
    a = write_run(tmp_path / 'a', REPORT_A, SPEED_A)
    speed_b = dict(SPEED_A, events_per_second=150000.0)
    b = write_run(tmp_path / 'b', report_b(), speed_b)
    return [compare.load_run(a), compare.load_run(b / 'report.json')]


def row(table, label):
    """The cells of the text row starting with ``label`` (split on runs of 2+ spaces)."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.split('  ') if c.strip()]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f'no row {label!r} in\n{table}')


def test_load_run_folder_and_file(tmp_path):
    a = write_run(tmp_path / 'a', REPORT_A, SPEED_A)
    by_folder = compare.load_run(a)
    by_file = compare.load_run(str(a / 'report.json'))
    assert by_folder.report == by_file.report == REPORT_A
    assert by_folder.speed == by_file.speed == SPEED_A
    assert by_folder.out_dir == a and by_folder.stem == 'a'
    assert by_folder.timeline_path is None


def test_load_run_without_speed_or_report(tmp_path):
    a = write_run(tmp_path / 'a', REPORT_A)
    assert compare.load_run(a).speed == {}
    with pytest.raises(FileNotFoundError):
        compare.load_run(tmp_path / 'nowhere')
    (tmp_path / 'bad.json').write_text('[1, 2]')
    with pytest.raises(ValueError, match='bad.json'):
        compare.load_run(tmp_path / 'bad.json')


def test_two_runs_side_by_side_with_delta(two_runs):
    table = compare.compare_table(two_runs)
    header = table.splitlines()[0]
    assert 'azure-day[10k_hosts] seed=7' in header and 'azure-day[10k_hosts] seed=8' in header
    assert header.rstrip().endswith('Δ')
    assert row(table, 'acceptance rate') == ['97.00%', '95.50%', '-1.50 pp']
    assert row(table, 'requests rejected') == ['30', '45', '+15 (+50.0%)']
    assert row(table, 'first rejection (h)') == ['1.50', 'never', '-']
    assert row(table, 'vCPU alloc time-avg') == ['61.00%', '65.50%', '+4.50 pp']
    assert row(table, 'reschedules') == ['12', '15', '+3 (+25.0%)']
    assert row(table, 'events/s') == ['100,000', '150,000', '+50.0%']
    assert row(table, 'latency p99 (µs)') == ['900.0', '900.0', '+0.0%']
    assert row(table, 'hosts used time-avg') == ['8,000.5', '8,000.5', '+0.0 (+0.0%)']
    assert row(table, 'thresholds passed') == ['1/1', '1/1']
    # Run B has no stranded section: "-", and no delta.
    assert row(table, 'stranded vCPUs time-avg') == ['1,234.5', '-', '-']


def test_thresholds_count_report_and_speed(tmp_path):
    speed = dict(SPEED_A, thresholds=[{'metric': 'events_per_second', 'op': '>=', 'value': 1e6,
                                       'actual': 1e5, 'passed': False}])
    run = compare.load_run(write_run(tmp_path / 'a', REPORT_A, speed))
    assert row(compare.compare_table([run]), 'thresholds passed') == ['1/2']


def test_flavor_and_rejected_by_rows_are_the_union(two_runs):
    table = compare.compare_table(two_runs)
    assert row(table, 'accepted 1vcpu-1792MB') == ['99.00%', '99.00%', '+0.00 pp']
    assert row(table, 'accepted 8vcpu-32GB') == ['-', '50.00%', '-']
    # A cause absent from a run's rejected_by fired 0 times there.
    assert row(table, 'rejected by DiskFilter') == ['0', '50', '+50']
    assert row(table, 'rejected by max_attempts') == ['5', '0', '-5 (-100.0%)']
    lines = table.splitlines()
    causes = [ln.split()[2] for ln in lines if ln.startswith('rejected by')]
    assert causes == ['RamFilter', 'DiskFilter', 'max_attempts']  # biggest first


def test_columns_are_aligned(two_runs):
    lines = [ln for ln in compare.compare_table(two_runs).splitlines() if not ln.startswith('[')]
    # Right-aligned run columns: every full row ends its first run column at the same offset.
    ends = {ln.index('%') for ln in lines if 'rate' in ln and '%' in ln}
    assert len(ends) == 1


def test_empty_and_partial_reports_show_dashes():
    partial = {'scenario': {'name': 'stack'}, 'requests': {'acceptance_rate': 1.0}}
    table = compare.compare_table([partial, {}, {'requests': 'garbage', 'allocation': {'vcpus': None}}])
    assert 'Δ' not in table
    assert row(table, 'acceptance rate') == ['100.00%', '-', '-']
    assert row(table, 'events/s') == ['-', '-', '-']
    assert row(table, 'thresholds passed') == ['-', '-', '-']
    assert 'rejected by' not in table


def test_colliding_names_use_the_file_stem(tmp_path):
    a = write_run(tmp_path / 'baseline', REPORT_A)
    b = write_run(tmp_path / 'candidate', REPORT_A)
    runs = [compare.load_run(a), compare.load_run(b)]
    assert compare.run_labels(runs) == ['baseline', 'candidate']
    assert compare.run_label(runs[1], runs) == 'candidate'
    assert compare.run_dir(runs[1]) == b
    header = compare.compare_table(runs).splitlines()[0]
    assert 'baseline' in header and 'candidate' in header


def test_markdown(two_runs):
    table = compare.compare_table(two_runs, fmt='markdown')
    lines = table.splitlines()
    assert lines[0] == '| figure | azure-day[10k_hosts] seed=7 | azure-day[10k_hosts] seed=8 | Δ |'
    assert lines[1] == '|:---|---:|---:|---:|'
    assert '| acceptance rate | 97.00% | 95.50% | -1.50 pp |' in lines
    assert '| **speed** |  |  |  |' in lines
    assert all(ln.startswith('| ') and ln.endswith(' |') for ln in lines[2:])


def test_bad_format(two_runs):
    with pytest.raises(ValueError):
        compare.compare_table(two_runs, fmt='html')
