"""``novalite-sim stack`` at small scale: 20 fake hosts in 2 packs over RabbitMQ and MariaDB."""

import argparse
import json
import os

import pytest

from novalite_sim.stack import run as stack_run

pytestmark = [pytest.mark.realservices, pytest.mark.multiprocess, pytest.mark.timeout(180)]

HOSTS = 20
BOOTS = 40


def _ours(config):
    """Pids of processes whose environment names ``config`` (every service of the run)."""
    needle = ('NOVALITE_CONFIG_FILE=%s' % config).encode()
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/environ' % entry, 'rb') as f:
                if needle in f.read().split(b'\0'):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def test_stack_boots_and_deletes_on_twenty_hosts(tmp_path, rabbit_url, mysql_url):
    out = tmp_path / 'out'
    parser = stack_run.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args([
        '--hosts', str(HOSTS), '--processes', '2', '--schedulers', '1', '--conductors', '1',
        '--api-workers', '1', '--rate', '10', '--boots', str(BOOTS), '--lifetime', '1',
        '--transport-url', rabbit_url, '--no-temp-vhost',
        # the fixture owns (and drops) the database
        '--database-url', mysql_url, '--keep-database',
        '--timeout', '60', '--startup-timeout', '60', '--out', str(out), '--quiet'])

    assert stack_run.run(args) == 0

    report = json.loads((out / 'report.json').read_text())
    speed = json.loads((out / 'speed.json').read_text())
    servers = json.loads((out / 'servers.json').read_text())
    assert report['format'] == 1 and report['mode'] == 'stack'
    assert report['hosts'] == {'count': HOSTS, 'prefix': 'stack-compute-'}
    assert report['deployment']['hosts_per_process'] == [10, 10]
    assert report['requests']['submitted'] == BOOTS
    assert report['requests']['accepted'] == BOOTS, report['requests']
    assert report['requests']['rejected'] == 0
    assert report['requests']['acceptance_rate'] == 1.0
    assert report['live_instances']['final'] == 0
    assert 1 <= report['live_instances']['peak'] <= BOOTS
    assert 1 <= report['hosts_used']['peak'] <= HOSTS
    fake_hosts = {'stack-compute-%d' % i for i in range(HOSTS)}
    assert {s['host'] for s in servers} <= fake_hosts
    assert all(s['active_at'] and s['deleted_at'] for s in servers)

    assert speed['boots_per_second'] > 0 and speed['boot_delete_per_second'] > 0
    assert speed['time_to_active_s']['count'] == BOOTS
    assert 0 < speed['time_to_active_s']['p50'] <= speed['time_to_active_s']['p99']
    assert speed['startup_seconds'] > 0
    assert {'api', 'compute-pack', 'conductor', 'scheduler'} <= set(speed['peak_rss_mb'])

    assert _ours(os.path.abspath(out / 'novalite.conf')) == []


def test_stack_rejects_bad_input(tmp_path, capsys):
    parser = stack_run.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args(['--hosts', '2', '--processes', '3', '--out', str(tmp_path)])
    assert stack_run.run(args) == 2
    assert 'cannot exceed --hosts' in capsys.readouterr().err


def test_stack_names_an_unreachable_broker(tmp_path, capsys):
    parser = stack_run.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args(['--hosts', '2', '--processes', '1', '--out', str(tmp_path),
                              '--transport-url', 'rabbit://guest:guest@127.0.0.1:1/'])
    assert stack_run.run(args) == 1
    assert 'RabbitMQ is not answering on 127.0.0.1:1' in capsys.readouterr().err
