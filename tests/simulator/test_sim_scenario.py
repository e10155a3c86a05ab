"""Scenario files: params sets, short forms, and errors that name the line and the key."""

import pathlib
import textwrap

import pytest

from novalite_sim import scenario as scenario_mod

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / 'simulator' / 'scenarios'

BASE = """\
name: t
scheduler:
  filters: [ComputeFilter, RamFilter]
  weighers: {RAMWeigher: $mult}
hosts:
  - name: g
    count: $hosts
    vcpus: 8
    ram_mb: 8192
flavors:
  small: {vcpus: 1, ram_mb: 512}
ops:
  - create_hosts: {group: g}
  - boot: {flavor: small, count: 2}
  - advance: 60
params:
  ci: {labels: [ci], hosts: 3, mult: 1.0}
  big: {labels: [perf], hosts: 1000, mult: -1.0, thresholds: {requests.acceptance_rate: ">= 0.9"}}
"""


def _write(tmp_path, text, name='s.yaml'):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _error(tmp_path, text, params=None):
    with pytest.raises(scenario_mod.ScenarioError) as info:
        scenario_mod.load(_write(tmp_path, text), params)
    return str(info.value)


def test_params_sets_substitute_and_carry_labels_and_thresholds(tmp_path):
    path = _write(tmp_path, BASE)
    ci = scenario_mod.load(path)
    assert ci.params_set == 'ci' and ci.labels == ['ci']
    assert ci.host_groups['g'].count == 3
    assert ci.scheduler.weighers == {'RAMWeigher': 1.0}
    assert ci.thresholds == []
    big = scenario_mod.load(path, 'big')
    assert big.host_groups['g'].count == 1000 and big.labels == ['perf']
    assert big.thresholds == [{'metric': 'requests.acceptance_rate', 'op': '>=', 'value': 0.9}]
    assert scenario_mod.load(path, 'big', {'hosts': 7}).host_groups['g'].count == 7
    assert [op['op'] for op in ci.ops] == ['create_hosts', 'boot', 'advance']
    assert ci.ops[2]['seconds'] == 60.0
    assert scenario_mod.params_sets(path) == {'ci': ['ci'], 'big': ['perf']}


def test_unknown_params_set_lists_the_available_ones(tmp_path):
    message = _error(tmp_path, BASE, params='huge')
    assert message == "s.yaml: no params set 'huge' (available: ci, big)"


@pytest.mark.parametrize('old, new, expected', [
    ('    vcpus: 8\n', '    vcpus: many\n',
     "s.yaml:8: hosts[0].vcpus: expected a positive integer, got 'many'"),
    ('    count: $hosts\n', '    count: $nodes\n',
     's.yaml:7: hosts[0].count: parameter $nodes is not defined by the params set (defined: hosts, mult)'),
    ('  - advance: 60\n', '  - sleep: 60\n', 's.yaml:15: ops[2]: unknown op'),
    ('  - boot: {flavor: small, count: 2}\n', '  - boot: {flavor: large}\n',
     "s.yaml:14: ops[1].flavor: unknown flavor 'large' (defined: small)"),
    ('  - create_hosts: {group: g}\n', '  - create_hosts: {group: h}\n',
     "s.yaml:13: ops[0].group: unknown host group 'h' (defined: g)"),
    ('  weighers: {RAMWeigher: $mult}\n', '  weighers: {RAMWeigher: heavy}\n',
     "s.yaml:4: scheduler.weighers.RAMWeigher: expected a multiplier (a number), got 'heavy'"),
    ('ops:\n', 'colour: blue\nops:\n', 's.yaml:12: colour: unknown key (expected one of:'),
    ('  - advance: 60\n', '  - {op: delete, all: true, count: 2}\n',
     's.yaml:15: ops[2]: delete needs exactly one of "all", "count" or "fraction"'),
    ('  - advance: 60\n', '  - {op: boot, flavor: small, count: 0}\n',
     's.yaml:15: ops[2].count: expected a positive integer, got 0'),
    ('  - advance: 60\n', '  - fail_host: {count: 2}\n', 's.yaml:15: ops[2]: fail_host needs "group"'),
    ('params:\n', 'thresholds: {requests.acceptance_rate: "about 0.9"}\nparams:\n',
     's.yaml:16: thresholds.requests.acceptance_rate: expected "<op> <number>"'),
])
def test_errors_name_the_line_and_the_key(tmp_path, old, new, expected):
    assert old in BASE
    message = _error(tmp_path, BASE.replace(old, new, 1))
    assert message.startswith(expected), message


def test_yaml_syntax_errors_give_the_line(tmp_path):
    message = _error(tmp_path, 'name: t\nhosts: [\n  {name: g\nops: []\n')
    assert message.startswith('s.yaml:4: not valid YAML'), message


def test_missing_required_keys_and_files(tmp_path):
    assert _error(tmp_path, 'name: t\nops: []\n') == "s.yaml:1: (top level): missing required key 'hosts'"
    with pytest.raises(scenario_mod.ScenarioError, match='cannot read the scenario'):
        scenario_mod.load(tmp_path / 'missing.yaml')


def test_workload_definitions_are_checked(tmp_path):
    text = BASE.replace('ops:\n', textwrap.dedent("""\
        workloads:
          w:
            synthetic: {rate_per_s: 1, count: 5, flavors: {tiny: 1}, lifetime: {distribution: forever}}
        ops:
        """))
    message = _error(tmp_path, text)
    assert message.startswith("s.yaml:14: workloads.w.synthetic.flavors.tiny: unknown flavor"), message
    text = BASE.replace('ops:\n', 'workloads:\n  w: {trace: {path: x.csv}, synthetic: {}}\nops:\n')
    assert 'give exactly one of "trace" or "synthetic"' in _error(tmp_path, text)


def test_host_group_zones_become_aggregates(tmp_path):
    text = BASE.replace('    ram_mb: 8192\n', '    ram_mb: 8192\n    availability_zone: az1\n'
                        '    aggregate: {name: ssd, metadata: {ssd: true}}\n')
    group = scenario_mod.load(_write(tmp_path, text)).host_groups['g']
    assert group.aggregates == [{'name': 'ssd', 'metadata': {'ssd': 'True'}},
                                {'name': 'az-az1', 'metadata': {'availability_zone': 'az1'}}]


@pytest.mark.parametrize('path', sorted(SCENARIOS.glob('*.yaml')), ids=lambda p: p.stem)
def test_shipped_scenarios_validate_in_every_params_set(path):
    sets = scenario_mod.params_sets(path)
    assert sets, 'every shipped scenario has params sets'
    assert any('ci' in labels for labels in sets.values()), 'and a ci-labelled one'
    for name in sets:
        scenario = scenario_mod.load(path, name)
        assert scenario.ops
