"""Charts of a run and of several runs: files written, valid PNG, robust to thin timelines."""

import numpy as np
import pytest

from novalite_sim import plots

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
COLUMNS = ['time_s', 'live_instances', 'hosts_used', 'hosts_up', 'alloc_vcpus', 'alloc_ram_mb',
           'alloc_disk_gb', 'submitted', 'accepted', 'rejected', 'reschedules', 'conflicts',
           'stranded_vcpus', 'stranded_ram_mb']
TIMELINE_PLOTS = ['allocation.png', 'live_instances.png', 'rejections.png', 'hosts_used.png']


def write_timeline(path, rows=49, columns=COLUMNS):
    """A synthetic 12-hour timeline with a sample every 15 minutes."""
    t = np.arange(rows) * 900.0
    submitted = np.arange(rows) * 100
    rejected = np.maximum(np.arange(rows) - rows // 2, 0) * 10
    values = {
        'time_s': t, 'live_instances': np.arange(rows) * 90, 'hosts_used': np.arange(rows) * 3,
        'hosts_up': np.full(rows, 200), 'alloc_vcpus': np.linspace(0, 1.2, rows),
        'alloc_ram_mb': np.linspace(0, 0.95, rows), 'alloc_disk_gb': np.linspace(0, 0.3, rows),
        'submitted': submitted, 'accepted': submitted - rejected, 'rejected': rejected,
        'reschedules': np.arange(rows), 'conflicts': np.arange(rows) // 4,
        'stranded_vcpus': np.arange(rows) * 2, 'stranded_ram_mb': np.arange(rows) * 512,
    }
    with open(path, 'w') as f:
        f.write(','.join(columns) + '\n')
        for i in range(rows):
            f.write(','.join(str(values[c][i]) for c in columns) + '\n')
    return path


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 5000


def test_run_plots_with_latencies(tmp_path):
    tl = write_timeline(tmp_path / 'timeline.csv')
    lat = np.random.default_rng(1).lognormal(5.5, 0.6, 5000)
    written = plots.write_run_plots(tmp_path / 'plots', tl, latencies_us=lat, title='demo[small] seed=1')
    assert [p.name for p in written] == TIMELINE_PLOTS + ['latency.png']
    for p in written:
        assert p.parent == tmp_path / 'plots'
        assert_png(p)


@pytest.mark.parametrize('lat', [[], [0.0, -1.0, float('nan')], [150.0], [150.0] * 10])
def test_latency_degenerate(tmp_path, lat):
    # No timeline at all: no timeline chart, so this times the histogram alone.
    written = plots.write_run_plots(tmp_path, None, latencies_us=np.array(lat))
    assert ('latency.png' in [p.name for p in written]) == any(v > 0 for v in lat)


def test_single_row_timeline_without_latencies(tmp_path):
    tl = write_timeline(tmp_path / 'timeline.csv', rows=1)
    written = plots.write_run_plots(tmp_path, tl)
    assert [p.name for p in written] == TIMELINE_PLOTS
    assert not (tmp_path / 'latency.png').exists()
    for p in written:
        assert_png(p)


def test_missing_columns_skip_their_charts(tmp_path):
    tl = write_timeline(tmp_path / 'timeline.csv', columns=['time_s', 'alloc_vcpus', 'hosts_used'])
    written = plots.write_run_plots(tmp_path, tl)
    assert [p.name for p in written] == ['allocation.png', 'hosts_used.png']


def test_missing_timeline_file(tmp_path):
    assert plots.write_run_plots(tmp_path, tmp_path / 'absent.csv') == []


def test_header_only_and_bad_cells(tmp_path):
    empty = tmp_path / 'empty.csv'
    empty.write_text(','.join(COLUMNS) + '\n')
    assert plots.write_run_plots(tmp_path / 'e', empty) == []
    bad = tmp_path / 'bad.csv'
    bad.write_text('time_s,alloc_vcpus\n0,0.1\n900,oops\n1800\n')
    tl = plots.read_timeline(bad)
    assert np.isnan(tl['alloc_vcpus'][1:]).all()
    assert [p.name for p in plots.write_run_plots(tmp_path / 'b', bad)] == ['allocation.png']


def test_plot_compare(tmp_path):
    runs = []
    for name, rows in [('a', 49), ('b', 30)]:
        d = tmp_path / name
        d.mkdir()
        write_timeline(d / 'timeline.csv', rows=rows)
        runs.append((f'run {name}', d))
    runs.append(('no timeline', tmp_path / 'missing'))
    out = plots.plot_compare(runs, tmp_path / 'compare.png')
    assert out == tmp_path / 'compare.png'
    assert_png(out)
