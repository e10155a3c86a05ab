"""The network executor: dry-run recording, real subprocess runs, transactions and rollback."""

import os

import pytest

import nltest
from novalite import exception
from novalite.network import executor as executor_mod


def test_dry_run_records_and_returns_empty_output():
    ex = executor_mod.Executor('dry-run')
    assert ex.execute('ip', 'link', 'add', 'br100', 'type', 'bridge') == ('', '')
    assert ex.commands == [('ip', 'link', 'add', 'br100', 'type', 'bridge')]


def test_dry_run_stubbed_output_and_scripted_failure():
    ex = executor_mod.Executor('dry-run')
    ex.stub_output(r'^ip -o link show', '1: lo: <LOOPBACK,UP> mtu 65536\n')
    ex.fail_on(r'^ip link add br9 ', exit_code=2, stderr='RTNETLINK answers: File exists')
    assert ex.execute('ip', '-o', 'link', 'show')[0].startswith('1: lo')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        ex.execute('ip', 'link', 'add', 'br9', 'type', 'bridge')
    assert str(err.value) == ('Command failed: ip link add br9 type bridge (exit 2): '
                              'RTNETLINK answers: File exists')
    # check=False only logs.
    assert ex.execute('ip', 'link', 'add', 'br9', 'type', 'bridge', check=False) == (
        '', 'RTNETLINK answers: File exists')


def test_namespace_prefix():
    ex = executor_mod.Executor('dry-run', namespace='nl-test')
    assert ex.full_command(['iptables-save']) == ['ip', 'netns', 'exec', 'nl-test', 'iptables-save']
    assert executor_mod.Executor('dry-run').full_command(['ip', 'a']) == ['ip', 'a']


def test_from_conf(tmp_path):
    conf = nltest.make_conf(tmp_path, network_namespace='nl-x')
    ex = executor_mod.from_conf(conf)
    assert (ex.mode, ex.namespace) == ('dry-run', 'nl-x')
    with pytest.raises(ValueError):
        executor_mod.Executor('pretend')


def test_transaction_rolls_back_in_reverse_order_and_reraises():
    ex = executor_mod.Executor('dry-run')
    ex.fail_on('three')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        with ex.transaction():
            ex.execute('one', undo=['undo-one'])
            ex.execute('two', undo=['undo-two'])
            ex.execute('three', undo=['undo-three'])
    assert 'three' in str(err.value)
    assert ex.commands == [('one',), ('two',), ('three',), ('undo-two',), ('undo-one',)]


def test_nested_transactions_and_callable_undo():
    ex = executor_mod.Executor('dry-run')
    calls = []
    with pytest.raises(RuntimeError):
        with ex.transaction():
            ex.execute('outer', undo=['undo-outer'])
            with ex.transaction():
                ex.execute('inner', undo=['undo-inner'])
                ex.on_rollback(lambda: calls.append('callback'))
            raise RuntimeError('later failure')
    assert ex.commands[-2:] == [('undo-inner',), ('undo-outer',)]
    assert calls == ['callback']


def test_inner_failure_undoes_only_the_inner_part_when_caught():
    ex = executor_mod.Executor('dry-run')
    ex.fail_on('^bad$')
    with ex.transaction():
        ex.execute('outer', undo=['undo-outer'])
        with pytest.raises(exception.NetworkCommandFailed):
            with ex.transaction():
                ex.execute('inner', undo=['undo-inner'])
                ex.execute('bad')
    assert ex.commands == [('outer',), ('inner',), ('bad',), ('undo-inner',)]


def test_a_failing_undo_does_not_hide_the_error():
    ex = executor_mod.Executor('dry-run')
    ex.fail_on('^undo-one$')
    ex.fail_on('^two$')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        with ex.transaction():
            ex.execute('one', undo=['undo-one'])
            ex.execute('two')
    assert 'two' in str(err.value)


def test_undo_outside_a_transaction_is_ignored():
    ex = executor_mod.Executor('dry-run')
    ex.execute('one', undo=['undo-one'])
    assert ex.commands == [('one',)]


def test_real_mode_runs_without_a_shell_and_feeds_stdin():
    ex = executor_mod.Executor('real')
    assert ex.execute('cat', stdin='a; rm -rf /\n') == ('a; rm -rf /\n', '')
    out, _ = ex.execute('echo', '$HOME', '*')
    assert out == '$HOME *\n'


def test_real_mode_failures_name_the_command():
    ex = executor_mod.Executor('real')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        ex.execute('sh', '-c', 'echo broken >&2; exit 3')
    assert err.value.kwargs['exit_code'] == 3
    assert "sh -c 'echo broken >&2; exit 3' (exit 3): broken" in str(err.value)
    with pytest.raises(exception.NetworkCommandFailed) as err:
        ex.execute('novalite-no-such-binary')
    assert err.value.kwargs['exit_code'] == 127


def test_write_file_atomic_real_and_recorded_dry(tmp_path):
    ex = executor_mod.Executor('real')
    path = tmp_path / 'sub' / 'nova-br100.conf'
    ex.write_file(path, 'one\n')
    ex.write_file(path, 'two\n')
    assert path.read_text() == 'two\n' and os.listdir(path.parent) == ['nova-br100.conf']
    assert oct(path.stat().st_mode & 0o777) == '0o644'
    assert ex.read_file(path) == 'two\n' and ex.read_file(tmp_path / 'missing') is None
    ex.remove_file(path)
    assert not path.exists()

    dry = executor_mod.Executor('dry-run')
    dry.write_file('/nonexistent/dir/f', 'x')
    assert dry.files == {'/nonexistent/dir/f': 'x'} and dry.read_file('/nonexistent/dir/f') == 'x'
    assert dry.written == ['/nonexistent/dir/f'] and dry.commands == []
    assert not os.path.exists('/nonexistent/dir/f')


def test_records_are_bounded_and_keep_the_latest():
    """novalite-all records every command of every boot: the history must not grow forever."""
    ex = executor_mod.Executor('dry-run')
    ex.max_records = 10
    for i in range(25):
        ex.execute('iptables-restore', stdin='rules %d' % i)
    assert len(ex.commands) <= 10 and len(ex.inputs) <= 10
    assert ex.inputs[-1] == (('iptables-restore',), 'rules 24')
