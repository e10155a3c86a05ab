"""Golden reports: every ci-labelled params set of every shipped scenario, byte for byte.

A run's report.json depends only on the scenario, its params set and the
seed.  After a deliberate change to the scheduler or the simulator,
regenerate the goldens and review their diff::

    NOVALITE_SIM_UPDATE_GOLDEN=1 pytest tests/simulator/test_sim_golden.py
"""

import os
import pathlib
import subprocess
import sys

import pytest

from novalite_sim import cli
from novalite_sim import scenario as scenario_mod

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / 'simulator' / 'scenarios'
GOLDEN = SCENARIOS / 'golden'
TRACE = ROOT.parent / 'shared' / 'traces' / 'azure_v1_test.csv'
UPDATE = os.environ.get('NOVALITE_SIM_UPDATE_GOLDEN') == '1'


def _ci_runs():
    for path in sorted(SCENARIOS.glob('*.yaml')):
        for name, labels in scenario_mod.params_sets(path).items():
            if 'ci' in labels:
                yield pytest.param(path, name, id='%s-%s' % (path.stem, name))


def _needs_trace(path):
    if 'shared/traces' in path.read_text() and not TRACE.exists():
        if os.environ.get('CI') == 'true':
            pytest.fail('%s is missing: CI must have ../shared/traces' % TRACE)
        pytest.skip('the Azure trace is not at %s' % TRACE)


@pytest.mark.parametrize('path, params', list(_ci_runs()))
def test_ci_scenarios_match_their_golden_reports(tmp_path, path, params):
    _needs_trace(path)
    out = tmp_path / 'out'
    code = cli.main(['run', str(path), '--params', params, '--out', str(out), '--no-plots',
                     '--quiet', '--progress', 'off'])
    assert code == 0, 'a threshold failed or the run stopped'
    produced = (out / 'report.json').read_text()
    golden = GOLDEN / ('%s.%s.json' % (path.stem, params))
    if UPDATE or not golden.exists():
        if not UPDATE and os.environ.get('CI') == 'true':
            pytest.fail('no golden report %s' % golden)
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(produced)
    assert produced == golden.read_text(), (
        'report differs from %s; if the change is intended, regenerate with '
        'NOVALITE_SIM_UPDATE_GOLDEN=1' % golden.name)


def test_same_seed_gives_identical_bytes_across_processes_and_hash_seeds(tmp_path):
    """Python's string hashing differs per process: the report must not depend on it."""
    outputs = []
    for hash_seed in ('1', '2'):
        out = tmp_path / hash_seed
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([sys.executable, '-m', 'novalite_sim.cli', 'run',
                        str(SCENARIOS / 'concurrent-schedulers.yaml'), '--params', 'ci',
                        '--out', str(out), '--no-plots', '--quiet'],
                       check=True, env=env, timeout=120)
        outputs.append((out / 'report.json').read_bytes())
        outputs.append((out / 'timeline.csv').read_bytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


def test_another_seed_gives_another_report(tmp_path):
    reports = []
    for seed in ('1', '2'):
        out = tmp_path / seed
        assert cli.main(['run', str(SCENARIOS / 'synthetic-mix.yaml'), '--params', 'ci',
                         '--seed', seed, '--out', str(out), '--no-plots', '--quiet',
                         '--progress', 'off']) == 0
        reports.append((out / 'report.json').read_text())
    assert reports[0] != reports[1]
