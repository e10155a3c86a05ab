"""novalite-sim as a user runs it: outputs, exit codes, one-line errors, compare, third-party filters."""

import json
import pathlib
import subprocess
import sys
import textwrap

import pytest

from novalite_sim import cli

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / 'simulator' / 'scenarios'
HAND = str(SCENARIOS / 'hand-pack-spread.yaml')


def test_run_writes_the_report_timeline_and_plots(tmp_path, capsys):
    out = tmp_path / 'spread'
    assert cli.main(['run', HAND, '--params', 'spread', '--out', str(out),
                     '--progress', 'off']) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ['allocation.png', 'hosts_used.png', 'latency.png', 'live_instances.png',
                     'rejections.png', 'report.json', 'speed.json', 'timeline.csv']
    report = json.loads((out / 'report.json').read_text())
    assert report['scenario'] == {'name': 'hand-pack-spread', 'params_set': 'spread',
                                  'params': {'ram_weight_multiplier': 1.0}, 'seed': 1,
                                  'labels': ['ci'], 'file': 'hand-pack-spread.yaml'}
    header = (out / 'timeline.csv').read_text().splitlines()[0]
    assert header.startswith('time_s,live_instances,hosts_used,hosts_up,alloc_vcpus')
    summary = capsys.readouterr().out
    assert 'acceptance' in summary and 'scheduling latency' in summary


def test_compare_prints_both_runs_and_plots_them(tmp_path, capsys):
    for params in ('spread', 'pack'):
        assert cli.main(['run', HAND, '--params', params, '--out', str(tmp_path / params),
                         '--no-plots', '--quiet', '--progress', 'off']) == 0
    capsys.readouterr()
    plot = tmp_path / 'ab.png'
    assert cli.main(['compare', str(tmp_path / 'spread'), str(tmp_path / 'pack' / 'report.json'),
                     '--plot', str(plot)]) == 0
    table = capsys.readouterr().out
    assert 'hand-pack-spread[spread]' in table and 'hand-pack-spread[pack]' in table
    assert plot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def _scenario(tmp_path, filters='[ComputeFilter, RamFilter]', extra=''):
    path = tmp_path / 'x.yaml'
    path.write_text(textwrap.dedent("""\
        name: x
        scheduler:
          filters: %s
        hosts:
          - {name: rack1, count: 2, vcpus: 4, ram_mb: 4096}
          - {name: rack2, count: 2, vcpus: 4, ram_mb: 4096}
        flavors:
          small: {vcpus: 1, ram_mb: 512}
        ops:
          - create_hosts: {group: rack1}
          - create_hosts: {group: rack2}
          - boot: {flavor: small, count: 4}
        """) % filters + extra)
    return path


def _run_cli(*args):
    return subprocess.run([sys.executable, '-m', 'novalite_sim.cli', *args],
                          capture_output=True, text=True, timeout=120)


def test_a_misnamed_filter_fails_with_the_namespace_and_the_names_available(tmp_path):
    path = _scenario(tmp_path, filters='[ComputeFilter, RamFiltre]')
    proc = _run_cli('run', str(path), '--out', str(tmp_path / 'out'))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith('novalite-sim: error: x.yaml: ')
    assert 'novalite.scheduler.filters' in lines[0] and 'RamFiltre' in lines[0]
    assert 'RamFilter' in lines[0]            # among the names available


def test_a_bad_scenario_exits_non_zero_with_one_line(tmp_path):
    path = _scenario(tmp_path).read_text().replace('count: 4}', 'count: four}')
    (tmp_path / 'bad.yaml').write_text(path)
    proc = _run_cli('run', str(tmp_path / 'bad.yaml'))
    assert proc.returncode == 1
    assert proc.stderr == ("novalite-sim: error: bad.yaml:12: ops[2].count: expected a "
                           "positive integer, got 'four'\n")
    proc = _run_cli('validate', str(tmp_path / 'bad.yaml'), HAND)
    assert proc.returncode == 1 and 'hand-pack-spread.yaml: ok' in proc.stdout


def test_a_failed_threshold_fails_the_run(tmp_path, capsys):
    path = _scenario(tmp_path, extra='thresholds:\n  hosts_used.final: ">= 5"\n')
    assert cli.main(['run', str(path), '--out', str(tmp_path / 'o'), '--no-plots',
                     '--progress', 'off']) == 1
    err = capsys.readouterr().err
    assert 'threshold failed: hosts_used.final >= 5 (actual 4)' in err
    report = json.loads((tmp_path / 'o' / 'report.json').read_text())
    assert report['thresholds'] == [{'metric': 'hosts_used.final', 'op': '>=', 'value': 5.0,
                                     'actual': 4, 'passed': False}]


def test_set_overrides_one_parameter(tmp_path):
    assert cli.main(['run', HAND, '--params', 'pack', '--set', 'ram_weight_multiplier=1.0',
                     '--out', str(tmp_path), '--no-plots', '--quiet', '--progress', 'off']) == 0
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['scenario']['params'] == {'ram_weight_multiplier': 1.0}
    assert report['scheduler']['weighers'] == {'RAMWeigher': 1.0}


# -- a third-party filter, installed as an operator would install it --------------

from functional.test_example_plugin import example_on_path, example_site  # noqa: E402,F401


@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_a_third_party_filter_is_evaluated_by_entry_point_name(tmp_path, example_on_path):  # noqa: F811
    """The example package's HostNamePrefixFilter, configured from the scenario."""
    extra = ('  options:\n    example_filter: {host_prefix: rack2-}\n')
    text = _scenario(tmp_path, filters='[ComputeFilter, RamFilter, HostNamePrefixFilter]'
                     ).read_text().replace('hosts:\n', extra + 'hosts:\n', 1)
    path = tmp_path / 'third.yaml'
    path.write_text(text)
    from novalite_sim import scenario as scenario_mod
    from novalite_sim import simulation
    sim = simulation.Simulation(scenario_mod.load(path))
    report, _ = sim.run()
    hosts = {sim.cloud.names[entry[0]] for entry in sim.instances.values()}
    assert hosts == {'rack2-00000', 'rack2-00001'}
    assert report['requests']['accepted'] == 1
