"""The iptables firewall in dry-run: per-instance chains, rules, anti-spoofing, refresh and removal."""

import pytest

import nltest
from novalite import exception
from novalite.network import executor as executor_mod
from novalite.network import firewall

UUID = '1a2b3c4d-5e6f-4a0b-8c9d-0e1f2a3b4c5d'
INFO = {'instance_uuid': UUID, 'ips': ['10.0.0.3'], 'macs': ['FA:16:3E:00:00:01'],
        'rules': [{'protocol': 'tcp', 'from_port': 22, 'to_port': 22, 'cidr': '192.168.1.0/24',
                   'source_ips': []}],
        'networks': [{'cidr': '10.0.0.0/24', 'dhcp_server': '10.0.0.1', 'gateway': '10.0.0.1'}]}


@pytest.fixture
def ex():
    return executor_mod.Executor('dry-run')


def _fw(tmp_path, ex, **overrides):
    return firewall.load(nltest.make_conf(tmp_path, **overrides), ex)


def _filter(fw):
    text = fw.iptables.render('').split('*filter\n')[1].split('COMMIT')[0]
    return [line for line in text.splitlines() if line.startswith('-A ')]


def test_load_picks_the_driver(tmp_path, ex):
    assert isinstance(_fw(tmp_path, ex), firewall.IptablesFirewall)
    noop = _fw(tmp_path, ex, firewall_driver='noop')
    assert isinstance(noop, firewall.NoopFirewall)
    noop.setup_instance(UUID, INFO)
    noop.refresh_instance(UUID, INFO)
    noop.remove_instance(UUID)
    assert ex.commands == []


def test_setup_renders_the_instance_chain_and_hooks(tmp_path, ex):
    fw = _fw(tmp_path, ex)
    fw.setup_instance(UUID, INFO)
    assert ex.commands == [('sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=1'),
                           ('iptables-save',), ('iptables-restore', '-w', '5')]
    rules = _filter(fw)
    inst = [r for r in rules if r.startswith('-A novalite-compute-inst-1a2b3c ')]
    assert inst == [
        '-A novalite-compute-inst-1a2b3c -m conntrack --ctstate INVALID -j DROP',
        '-A novalite-compute-inst-1a2b3c -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A novalite-compute-inst-1a2b3c -s 10.0.0.1/32 -p udp -m udp --sport 67 --dport 68 -j ACCEPT',
        '-A novalite-compute-inst-1a2b3c -s 10.0.0.0/24 -j ACCEPT',
        '-A novalite-compute-inst-1a2b3c -s 192.168.1.0/24 -p tcp -m tcp --dport 22 -j ACCEPT',
        '-A novalite-compute-inst-1a2b3c -j novalite-compute-sg-fallback',
    ]
    for rule in ('-A novalite-compute-local -d 10.0.0.3 -j novalite-compute-inst-1a2b3c',
                 '-A novalite-compute-sg-fallback -j DROP',
                 '-A novalite-filter-top -j novalite-compute-local',
                 '-A FORWARD -j novalite-filter-top',
                 '-A novalite-compute-FORWARD -j novalite-compute-spoof',
                 '-A novalite-compute-INPUT -j novalite-compute-spoof'):
        assert rule in rules
    spoof = [r for r in rules if r.split()[1] in ('novalite-compute-spoof', 'novalite-compute-sp-1a2b3c',
                                                   'novalite-compute-sm-1a2b3c')]
    assert spoof == [
        '-A novalite-compute-spoof -p udp -m udp --sport 68 --dport 67 -j RETURN',
        '-A novalite-compute-spoof -m mac --mac-source fa:16:3e:00:00:01 -j novalite-compute-sp-1a2b3c',
        '-A novalite-compute-spoof -s 10.0.0.3 -j novalite-compute-sm-1a2b3c',
        '-A novalite-compute-sp-1a2b3c -s 10.0.0.3 -j RETURN',
        '-A novalite-compute-sp-1a2b3c -j DROP',
        '-A novalite-compute-sm-1a2b3c -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-A novalite-compute-sm-1a2b3c -j DROP',
    ]
    fw.setup_instance(UUID, INFO)       # again: same rules, sysctl not repeated
    assert _filter(fw) == rules
    assert [c[0] for c in ex.commands].count('sysctl') == 1


@pytest.mark.parametrize('rule, expected', [
    ({'protocol': 'tcp', 'from_port': 80, 'to_port': 90, 'cidr': '0.0.0.0/0'},
     ['-s 0.0.0.0/0 -p tcp -m tcp --dport 80:90 -j ACCEPT']),
    ({'protocol': 'UDP', 'from_port': 53, 'to_port': 53, 'cidr': '10.1.0.0/16'},
     ['-s 10.1.0.0/16 -p udp -m udp --dport 53 -j ACCEPT']),
    ({'protocol': 'icmp', 'from_port': -1, 'to_port': -1, 'cidr': '0.0.0.0/0'},
     ['-s 0.0.0.0/0 -p icmp -j ACCEPT']),
    ({'protocol': 'icmp', 'from_port': 8, 'to_port': -1, 'cidr': '0.0.0.0/0'},
     ['-s 0.0.0.0/0 -p icmp -m icmp --icmp-type 8 -j ACCEPT']),
    ({'protocol': 'icmp', 'from_port': 3, 'to_port': 4, 'cidr': '0.0.0.0/0'},
     ['-s 0.0.0.0/0 -p icmp -m icmp --icmp-type 3/4 -j ACCEPT']),
    ({'protocol': None, 'from_port': None, 'to_port': None, 'cidr': None,
      'source_ips': ['10.0.0.7', '10.0.0.8']},
     ['-s 10.0.0.7/32 -j ACCEPT', '-s 10.0.0.8/32 -j ACCEPT']),
    ({'protocol': 'tcp', 'from_port': 22, 'to_port': 22, 'cidr': None, 'source_ips': []}, []),
])
def test_rule_translation(tmp_path, ex, rule, expected):
    fw = _fw(tmp_path, ex, allow_same_net_traffic=False)
    info = dict(INFO, rules=[rule], networks=[{'cidr': '10.0.0.0/24', 'dhcp_server': None}])
    assert fw.instance_rules(info) == (
        ['-m conntrack --ctstate INVALID -j DROP',
         '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'] + expected + ['-j $sg-fallback'])


def test_refresh_replaces_and_remove_drops_everything(tmp_path, ex):
    fw = _fw(tmp_path, ex)
    fw.setup_instance(UUID, INFO)
    base = _filter(fw)
    fw.refresh_instance(UUID, dict(INFO, ips=['10.0.0.3', '10.0.1.3'],
                                   rules=[{'protocol': 'tcp', 'from_port': 443, 'to_port': 443,
                                           'cidr': '0.0.0.0/0', 'source_ips': []}]))
    rules = _filter(fw)
    assert not any('--dport 22' in r for r in rules)
    assert '-A novalite-compute-inst-1a2b3c -s 0.0.0.0/0 -p tcp -m tcp --dport 443 -j ACCEPT' in rules
    assert '-A novalite-compute-local -d 10.0.1.3 -j novalite-compute-inst-1a2b3c' in rules
    assert '-A novalite-compute-sp-1a2b3c -s 10.0.1.3 -j RETURN' in rules
    fw.remove_instance(UUID)
    rules = _filter(fw)
    assert not any('1a2b3c' in r for r in rules)
    assert not any('1a2b3c' in r for r in fw.iptables.render('').splitlines())
    assert len(rules) == len(base) - 13
    count = len(ex.commands)
    fw.remove_instance(UUID)            # unknown now: nothing to do
    assert len(ex.commands) == count


def test_failed_apply_keeps_the_previous_rules(tmp_path, ex):
    fw = _fw(tmp_path, ex)
    fw.setup_instance(UUID, INFO)
    before = _filter(fw)
    ex.fail_on(r'^iptables-restore', stderr='iptables-restore: line 9 failed')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        fw.refresh_instance(UUID, dict(INFO, rules=[]))
    assert 'iptables-restore -w 5 (exit 1): iptables-restore: line 9 failed' in str(err.value)
    assert _filter(fw) == before


def test_chain_ids_are_unique_per_host(tmp_path, ex):
    fw = _fw(tmp_path, ex)
    first = fw.chain_id('abcdef00-0000-4000-8000-000000000001')
    second = fw.chain_id('abcdef00-0000-4000-8000-000000000002')
    assert first == 'abcdef' and second != first and len(second) == 6
    assert fw.instance_chain('abcdef00-0000-4000-8000-000000000002') == 'inst-%s' % second
    assert len(fw.iptables.wrap(fw.instance_chain('abcdef00-0000-4000-8000-000000000002'))) == 28
