"""novalite-manage network / floating: Nova's options, tables, and one-line errors."""

import pytest

from novalite.cmd import manage
from novalite.db import api as db_api
from novalite.db import migration


@pytest.fixture
def run(tmp_path, capsys):
    config = tmp_path / 'novalite.conf'

    def runner(*args, manager='flatdhcp'):
        config.write_text('[DEFAULT]\nstate_path = %s\nnetwork_manager = %s\n'
                          'vlan_interface = eth2\n' % (tmp_path, manager))
        try:
            code = manage.main(['--config-file', str(config), *args])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    db = db_api.Database(url='sqlite:///%s' % (tmp_path / 'novalite.sqlite'))
    migration.db_sync(db.engine)
    runner.db = db
    yield runner
    db.dispose()


def _needs_entry_points():
    from novalite import plugin
    if 'flatdhcp' not in plugin.available(plugin.NETWORK_MANAGERS):
        pytest.skip('novalite.network.managers entry points are not installed')


def test_network_create_list_modify_delete(run):
    _needs_entry_points()
    code, out, _ = run('network', 'create', '--label', 'private', '--fixed_range_v4',
                       '10.0.0.0/24', '--num_networks', '2', '--network_size', '128',
                       '--bridge', 'br100', '--multi_host', 'T', '--dns1', '1.1.1.1')
    assert code == 0 and out.count('created') == 2
    code, out, _ = run('network', 'list')
    assert code == 0 and '10.0.0.0/25' in out and '10.0.0.128/25' in out
    assert 'private_1' in out and 'VlanID' in out
    networks = run.db.network_get_all()
    assert all(n['multi_host'] and n['dns1'] == '1.1.1.1' for n in networks)
    code, out, _ = run('network', 'modify', '--fixed_range', '10.0.0.0/25', '--project', 'p1',
                       '--host', 'net1')
    assert code == 0 and 'project p1, host net1' in out
    code, out, _ = run('network', 'modify', '--fixed_range', '10.0.0.0/25',
                       '--disassociate-project')
    assert run.db.network_get('10.0.0.0/25')['project_id'] is None
    assert run.db.network_get('10.0.0.0/25')['host'] == 'net1'
    code, out, _ = run('network', 'delete', '--fixed_range', '10.0.0.128/25')
    assert code == 0 and 'deleted' in out
    code, out, _ = run('network', 'delete', '--uuid', networks[0]['uuid'])
    assert code == 0 and run.db.network_get_all() == []


def test_vlan_network_create(run):
    _needs_entry_points()
    code, out, _ = run('network', 'create', '--label', 'p', '--cidr', '10.1.0.0/16',
                       '--num_networks', '2', '--network_size', '256', '--vlan_start', '200',
                       manager='vlan')
    assert code == 0 and 'vlan 200' in out and 'vlan 201' in out and 'br201' in out


@pytest.mark.parametrize('args, message', [
    (('network', 'create', '--label', 'x', '--cidr', '10.0.0.0/24', '--network_size', '100',
      '--bridge', 'b'), 'power of 2'),
    (('network', 'create', '--label', 'x', '--cidr', 'nonsense', '--bridge', 'b'),
     'not a CIDR'),
    (('network', 'delete', '--uuid', 'no-such'), 'could not be found'),
    (('network', 'modify', '--fixed_range', '10.0.0.0/24'), 'could not be found'),
    (('floating', 'create', '--ip_range', 'bad'), 'not an IP range'),
    (('floating', 'delete', '--ip_range', '192.0.2.0/30'), 'could not be found'),
])
def test_bad_input_fails_in_one_line(run, args, message):
    _needs_entry_points()
    code, out, err = run(*args)
    # (in process, oslo.log's handlers may also complain about an earlier test's stream)
    [line] = [x for x in err.splitlines() if ': error: ' in x]
    assert code == 1 and message in line, err


def test_an_operator_sees_exactly_one_line(tmp_path):
    import os
    import subprocess
    import sys
    script = os.path.join(os.path.dirname(sys.executable), 'novalite-manage')
    if not os.path.exists(script):
        pytest.skip('novalite-manage is not installed')
    config = tmp_path / 'novalite.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n' % tmp_path)
    assert subprocess.run([script, '--config-file', str(config), 'db', 'sync'],
                          capture_output=True).returncode == 0
    bad = subprocess.run([script, '--config-file', str(config), 'floating', 'create',
                          '--ip_range', '10.0.0.0/99'], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stdout == ''
    assert bad.stderr.strip().splitlines() == [
        'novalite-manage: error: Invalid input: 10.0.0.0/99 is not an IP range (CIDR)']


def test_overlap_and_in_use_are_refused(run):
    _needs_entry_points()
    assert run('network', 'create', '--label', 'a', '--cidr', '10.0.0.0/24',
               '--bridge', 'br100')[0] == 0
    code, _, err = run('network', 'create', '--label', 'b', '--cidr', '10.0.0.0/25',
                       '--bridge', 'br100')
    assert code == 1 and 'conflicts with existing network 10.0.0.0/24' in err
    net = run.db.network_get('10.0.0.0/24')
    run.db.fixed_ip_allocate(net['id'], 'inst-1', 'fa:16:3e:00:00:01')
    code, _, err = run('network', 'delete', '--fixed_range', '10.0.0.0/24')
    assert code == 1 and 'in use' in err


def test_floating_create_list_delete(run):
    code, out, _ = run('floating', 'create', '--ip_range', '172.24.4.0/29', '--pool', 'public',
                       '--interface', 'eth9')
    assert code == 0 and '6 floating IP(s) created in pool public' in out
    code, out, _ = run('floating', 'create', '--ip_range', '203.0.113.7')
    assert code == 0 and 'pool nova' in out
    code, _, err = run('floating', 'create', '--ip_range', '172.24.4.0/30')
    assert code == 1 and 'already exists' in err
    code, out, _ = run('floating', 'list', '--pool', 'public')
    assert code == 0 and out.count('172.24.4.') == 6 and 'eth9' in out
    assert '203.0.113.7' not in out
    code, out, _ = run('floating', 'delete', '--ip_range', '172.24.4.0/29')
    assert code == 0 and '6 floating IP(s) deleted' in out
    assert [f['address'] for f in run.db.floating_ip_get_all()] == ['203.0.113.7']
