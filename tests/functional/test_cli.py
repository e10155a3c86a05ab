"""The console scripts as an operator runs them: start, stop on Ctrl-C, fail in one line."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

import nltest

BIN = os.path.dirname(sys.executable)


def _script(name):
    return os.path.join(BIN, name)


def test_novalite_all_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = nltest.free_port()
    config = tmp_path / 'novalite.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n[api]\nosapi_compute_listen_port = %d\n'
                      % (tmp_path, port))
    proc = subprocess.Popen([_script('novalite-all'), '--config-file', str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = []
        for line in proc.stdout:
            banner.append(line)
            if 'Press Ctrl-C to stop' in line:
                break
        text = ''.join(banner)
        assert 'http://127.0.0.1:%d/v2.1' % port in text, text
        assert 'inproc://' in text and 'sqlite:///' in text
        assert (tmp_path / 'novalite.sqlite').exists()
        with urllib.request.urlopen('http://127.0.0.1:%d/v2.1' % port, timeout=5) as resp:
            assert resp.status == 200
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=30)[0]
        assert proc.returncode == 0, rest
        assert 'stopped.' in rest
        assert 'Traceback' not in rest
        assert time.monotonic() - started < 15
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_misnamed_filter_stops_the_service_with_the_names_available(tmp_path):
    config = tmp_path / 'novalite.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n[filter_scheduler]\n'
                      'enabled_filters = ComputeFilter,RamFiltr\n' % tmp_path)
    result = subprocess.run([_script('novalite-all'), '--config-file', str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    error = [line for line in result.stderr.splitlines() if 'error:' in line]
    assert len(error) == 1, result.stderr
    assert "'RamFiltr'" in error[0]
    assert 'novalite.scheduler.filters' in error[0]
    assert 'RamFilter' in error[0] and 'ComputeFilter' in error[0]


def test_a_misnamed_virt_driver_stops_the_compute(tmp_path):
    config = tmp_path / 'novalite.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\ncompute_driver = libvirtt\n' % tmp_path)
    result = subprocess.run([_script('novalite-compute'), '--config-file', str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert 'novalite.virt.drivers' in result.stderr and 'fake' in result.stderr


def test_manage_db_sync_and_flavors(tmp_path):
    config = tmp_path / 'novalite.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n' % tmp_path)

    def manage(*args):
        return subprocess.run([_script('novalite-manage'), '--config-file', str(config), *args],
                              capture_output=True, text=True, timeout=60)

    assert manage('db', 'version').stdout.strip() == 'empty'
    sync = manage('db', 'sync')
    assert sync.returncode == 0 and 'at revision' in sync.stdout
    assert manage('db', 'version').stdout.strip() != 'empty'
    assert manage('bootstrap').returncode == 0
    created = manage('flavor', 'create', 'c1.big', '--ram', '4096', '--vcpus', '4')
    assert created.returncode == 0, created.stderr
    listing = manage('flavor', 'list').stdout
    assert 'm1.tiny' in listing and 'c1.big' in listing
    bad = manage('flavor', 'create', 'c1.bad', '--ram', '0', '--vcpus', '1')
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) == 1 and '--ram' in bad.stderr
    dup = manage('flavor', 'create', 'm1.tiny', '--ram', '1', '--vcpus', '1')
    assert dup.returncode == 1 and 'already exists' in dup.stderr
