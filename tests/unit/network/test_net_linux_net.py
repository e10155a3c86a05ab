"""LinuxNet and IptablesManager in dry-run: the exact commands, files and rendered rules."""

import pytest

import nltest
from novalite import exception
from novalite.network import dnsmasq
from novalite.network import executor as executor_mod
from novalite.network import iptables
from novalite.network import linux_net

NETWORK = {'id': 1, 'uuid': 'net-1', 'label': 'private', 'bridge': 'br100', 'cidr': '10.0.0.0/24',
           'netmask': '255.255.255.0', 'dhcp_server': '10.0.0.1', 'dhcp_start': '10.0.0.2',
           'dns1': '8.8.4.4', 'dns2': None}
HOSTS = [{'mac': 'fa:16:3e:00:00:01', 'hostname': 'vm1', 'ip': '10.0.0.3'},
         {'mac': 'fa:16:3e:00:00:02', 'hostname': 'vm2', 'ip': '10.0.0.4'}]
LINKS = ('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\\    link/loopback\n'
         '2: eth1@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br100 state UP\\ x\n'
         '3: br100: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT\\ x\n'
         '4: vlan100@eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\ x\n')


@pytest.fixture
def conf(tmp_path):
    return nltest.make_conf(tmp_path, my_ip='192.168.0.5', networks_path='/var/lib/nl/networks',
                            public_interface='eth0', dmz_cidr='10.128.0.0/24, 10.129.0.0/24')


@pytest.fixture
def ex():
    return executor_mod.Executor('dry-run')


@pytest.fixture
def net(conf, ex):
    return linux_net.LinuxNet(conf, ex)


def _cmds(ex):
    return [' '.join(c) for c in ex.commands]


def test_ensure_bridge_from_scratch(net, ex):
    assert net.ensure_bridge('br100', 'eth1', '10.0.0.1/24') == 'br100'
    assert _cmds(ex) == [
        'ip -o link show',
        'ip link add br100 type bridge forward_delay 0 stp_state 0',
        'ip link set br100 up',
        'ip link set eth1 master br100',
        'ip link set eth1 up',
        'ip -o addr show dev br100',
        'ip addr add 10.0.0.1/24 brd 10.0.0.255 dev br100',
    ]


def test_ensure_bridge_when_everything_exists_only_reads(net, ex):
    ex.stub_output(r'^ip -o link show$', LINKS)
    ex.stub_output(r'^ip -o addr show dev br100$',
                   '3: br100    inet 10.0.0.1/24 brd 10.0.0.255 scope global br100\\ x\n'
                   '3: br100    inet6 fe80::1/64 scope link\\ x\n')
    net.ensure_bridge('br100', 'eth1', '10.0.0.1/24')
    assert _cmds(ex) == ['ip -o link show', 'ip -o addr show dev br100']


def test_gateway_added_when_a_different_address_is_there(net, ex):
    ex.stub_output(r'^ip -o link show$', LINKS)
    ex.stub_output(r'^ip -o addr show dev br100$', '3: br100    inet 10.0.0.1/25 scope global br100\n')
    net.ensure_bridge('br100', None, '10.0.0.1/24')
    assert _cmds(ex)[-1] == 'ip addr add 10.0.0.1/24 brd 10.0.0.255 dev br100'


def test_ensure_vlan_bridge_and_mtu(net, ex):
    assert net.ensure_vlan_bridge(100, 'br100', 'eth1', '10.0.0.1/24') == 'vlan100'
    assert _cmds(ex)[:3] == ['ip -o link show',
                             'ip link add link eth1 name vlan100 type vlan id 100',
                             'ip link set vlan100 up']
    assert 'ip link set vlan100 master br100' in _cmds(ex)
    ex.commands.clear()
    ex.stub_output(r'^ip -o link show$', LINKS)
    net.ensure_vlan(100, 'eth1', mtu=9000)
    assert _cmds(ex) == ['ip -o link show', 'ip link set vlan100 mtu 9000']


def test_failure_rolls_back_the_whole_vlan_bridge(net, ex):
    ex.fail_on(r'^ip addr add', exit_code=2, stderr='RTNETLINK answers: Permission denied')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        net.ensure_vlan_bridge(100, 'br100', 'eth1', '10.0.0.1/24')
    assert 'ip addr add 10.0.0.1/24 brd 10.0.0.255 dev br100 (exit 2)' in str(err.value)
    assert _cmds(ex)[-3:] == ['ip link set vlan100 nomaster', 'ip link del br100', 'ip link del vlan100']


def test_delete_and_unplug_only_what_exists(net, ex):
    net.delete_bridge('br100')
    net.delete_vlan(100)
    net.unplug_vif('tapabc')
    assert _cmds(ex) == ['ip -o link show'] * 3
    ex.commands.clear()
    ex.stub_output(r'^ip -o link show$', LINKS)
    net.delete_bridge('br100')
    net.delete_vlan(100)
    assert _cmds(ex) == ['ip -o link show', 'ip link set br100 down', 'ip link del br100',
                         'ip -o link show', 'ip link del vlan100']


def test_plug_vif_creates_a_tap_on_the_bridge(net, ex):
    net.plug_vif('br100', 'tap1234')
    assert _cmds(ex) == ['ip -o link show', 'ip tuntap add dev tap1234 mode tap',
                         'ip link set tap1234 master br100', 'ip link set tap1234 up']


def test_update_dhcp_writes_hosts_and_starts_dnsmasq(net, ex, conf):
    net.update_dhcp(NETWORK, HOSTS)
    assert ex.files['/var/lib/nl/networks/nova-br100.conf'] == (
        'fa:16:3e:00:00:01,vm1.novalocal,10.0.0.3\nfa:16:3e:00:00:02,vm2.novalocal,10.0.0.4\n')
    assert ex.commands[-1] == (
        'dnsmasq', '--strict-order', '--bind-interfaces', '--conf-file=',
        '--pid-file=/var/lib/nl/networks/nova-br100.pid', '--listen-address=10.0.0.1',
        '--except-interface=lo', '--dhcp-range=set:private,10.0.0.2,static,255.255.255.0,86400s',
        '--dhcp-lease-max=256', '--dhcp-hostsfile=/var/lib/nl/networks/nova-br100.conf',
        '--no-hosts', '--leasefile-ro', '--dhcp-option=tag:private,option:dns-server,8.8.4.4',
        '--domain=novalocal')
    rules = net.iptables.render('')
    assert '-A novalite-network-INPUT -i br100 -p udp -m udp --dport 67 -j ACCEPT' in rules
    assert '-A novalite-network-INPUT -i br100 -p tcp -m tcp --dport 53 -j ACCEPT' in rules


def test_update_dhcp_hups_a_running_dnsmasq_with_the_same_flags(net, ex, conf):
    ex.files['/var/lib/nl/networks/nova-br100.pid'] = '4242\n'
    ex.files['/proc/4242/cmdline'] = '\0'.join(dnsmasq.command(conf, NETWORK)) + '\0'
    assert net.update_dhcp(NETWORK, HOSTS) == 4242
    assert ex.commands[-1] == ('kill', '-HUP', '4242')
    assert not any(c[0] == 'dnsmasq' for c in ex.commands)


def test_update_dhcp_restarts_a_dnsmasq_with_other_flags(net, ex, conf):
    ex.files['/var/lib/nl/networks/nova-br100.pid'] = '4242'
    old = dict(NETWORK, dhcp_start='10.0.0.10')
    ex.files['/proc/4242/cmdline'] = '\0'.join(dnsmasq.command(conf, old)) + '\0'
    net.update_dhcp(NETWORK, HOSTS)
    assert ('kill', '4242') in ex.commands and ex.commands[-1][0] == 'dnsmasq'


def test_update_dhcp_ignores_a_stale_pid_of_another_process(net, ex):
    ex.files['/var/lib/nl/networks/nova-br100.pid'] = '4242'
    ex.files['/proc/4242/cmdline'] = 'sshd\0-D\0'
    net.update_dhcp(NETWORK, HOSTS)
    assert not any(c[0] == 'kill' for c in ex.commands) and ex.commands[-1][0] == 'dnsmasq'


def test_update_dhcp_failure_takes_its_iptables_rules_back(net, ex):
    ex.fail_on(r'^dnsmasq ', stderr='dnsmasq: failed to create listening socket')
    with pytest.raises(exception.NetworkCommandFailed) as err:
        net.update_dhcp(NETWORK, HOSTS)
    assert 'dnsmasq: failed to create listening socket' in str(err.value)
    assert _cmds(ex)[-2:] == ['iptables-save', 'iptables-restore -w 5']
    assert '--dport 67' not in net.iptables.render('')


def test_gateway_and_dns2_options(conf):
    cmd = dnsmasq.command(conf, dict(NETWORK, gateway='10.0.0.254', dns2='1.1.1.1'))
    assert '--dhcp-option=tag:private,option:router,10.0.0.254' in cmd
    assert '--dhcp-option=tag:private,option:dns-server,8.8.4.4,1.1.1.1' in cmd
    conf.set_override('dns_server', '9.9.9.9')
    assert dnsmasq.command(conf, NETWORK)[-4:] == ['-h', '-R', '--server=9.9.9.9', '--domain=novalocal']


def test_kill_and_release_dhcp(net, ex, conf):
    ex.files['/var/lib/nl/networks/nova-br100.pid'] = '4242'
    ex.files['/proc/4242/cmdline'] = '\0'.join(dnsmasq.command(conf, NETWORK))
    net.kill_dhcp(NETWORK)
    assert ('kill', '4242') in ex.commands
    assert '/var/lib/nl/networks/nova-br100.pid' not in ex.files
    ex.commands.clear()
    net.release_dhcp('br100', '10.0.0.3', 'fa:16:3e:00:00:01')   # no bridge: nothing to release
    assert _cmds(ex) == ['ip -o link show']
    ex.stub_output(r'^ip -o link show$', LINKS)
    net.release_dhcp('br100', '10.0.0.3', 'fa:16:3e:00:00:01')
    assert _cmds(ex)[-1] == 'dhcp_release br100 10.0.0.3 fa:16:3e:00:00:01'


def test_init_host_rules(net, ex):
    net.init_host('10.0.0.0/16')
    net.init_host('10.0.0.0/16')    # idempotent: the same rules, once
    assert _cmds(ex)[0] == 'sysctl -w net.ipv4.ip_forward=1'
    nat = net.iptables.render('').split('*nat\n')[1]
    ours = [line for line in nat.splitlines() if line.startswith('-A novalite-network-')]
    assert ours == [
        '-A novalite-network-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 '
        '-j DNAT --to-destination 192.168.0.5:8775',
        '-A novalite-network-POSTROUTING -s 10.0.0.0/16 -d 192.168.0.5/32 -j ACCEPT',
        '-A novalite-network-POSTROUTING -s 10.0.0.0/16 -d 10.128.0.0/24 -j ACCEPT',
        '-A novalite-network-POSTROUTING -s 10.0.0.0/16 -d 10.129.0.0/24 -j ACCEPT',
        '-A novalite-network-POSTROUTING -s 10.0.0.0/16 -d 10.0.0.0/16 '
        '-m conntrack ! --ctstate DNAT -j ACCEPT',
        '-A novalite-network-snat -j novalite-network-float-snat',
        '-A novalite-network-snat -s 10.0.0.0/16 -o eth0 -j SNAT --to-source 192.168.0.5',
    ]


def test_floating_ip_add_and_remove(net, ex):
    net.add_floating_ip('172.24.4.3', '10.0.0.3')
    assert _cmds(ex)[:2] == ['ip -o addr show dev eth0', 'ip addr add 172.24.4.3/32 dev eth0']
    nat = net.iptables.render('')
    for rule in ('-A novalite-network-PREROUTING -d 172.24.4.3/32 -j DNAT --to-destination 10.0.0.3',
                 '-A novalite-network-OUTPUT -d 172.24.4.3/32 -j DNAT --to-destination 10.0.0.3',
                 '-A novalite-network-float-snat -s 10.0.0.3/32 -d 10.0.0.3/32 '
                 '-j SNAT --to-source 172.24.4.3',
                 '-A novalite-network-float-snat -s 10.0.0.3/32 -o eth0 -j SNAT --to-source 172.24.4.3',
                 '-A novalite-network-POSTROUTING -s 10.0.0.3/32 -m conntrack --ctstate DNAT '
                 '-j SNAT --to-source 172.24.4.3'):
        assert rule in nat
    ex.commands.clear()
    ex.stub_output(r'^ip -o link show$', LINKS.replace('eth1@if7', 'eth0'))
    ex.stub_output(r'^ip -o addr show dev eth0$', '2: eth0    inet 172.24.4.3/32 scope global eth0\n')
    net.remove_floating_ip('172.24.4.3', '10.0.0.3')
    assert '172.24.4.3' not in net.iptables.render('')
    assert _cmds(ex)[-1] == 'ip addr del 172.24.4.3/32 dev eth0'


def test_floating_ip_failed_apply_removes_the_address_again(net, ex):
    ex.fail_on(r'^iptables-restore')
    with pytest.raises(exception.NetworkCommandFailed):
        net.add_floating_ip('172.24.4.3', '10.0.0.3', 'pub0')
    assert _cmds(ex)[-1] == 'ip addr del 172.24.4.3/32 dev pub0'
    assert '172.24.4.3' not in net.iptables.render('')


# -- IptablesManager ---------------------------------------------------------------------------

SAVED = """# Generated by iptables-save v1.8.9 (nf_tables)
*mangle
:PREROUTING ACCEPT [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:novalite-filter-top - [0:0]
:novalite-network-FORWARD - [0:0]
:novalite-network-stale - [0:0]
:novalite-compute-local - [0:0]
-A FORWARD -j novalite-network-FORWARD
-A FORWARD -j novalite-filter-top
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -m comment --comment keep-last -j LOG
-A FORWARD -m comment --comment keep-first -j ACCEPT
-A novalite-filter-top -j novalite-compute-local
-A novalite-filter-top -j novalite-network-local
-A novalite-network-stale -j DROP
-A novalite-compute-local -d 10.0.0.9/32 -j DROP
COMMIT
"""


def test_render_keeps_foreign_rules_and_replaces_its_own(ex):
    manager = iptables.IptablesManager(ex, 'novalite-network', top_regex='keep-first',
                                       bottom_regex='keep-last')
    manager.tables['filter'].add_rule('FORWARD', '-s 10.0.0.0/24 -j ACCEPT')
    out = manager.render(SAVED)
    filt = out.split('*filter\n')[1].split('COMMIT')[0].splitlines()
    assert '*mangle' not in out                 # untouched tables are not restored
    assert ':FORWARD DROP [0:0]' in filt        # policies kept
    assert ':novalite-network-stale - [0:0]' not in filt and '-A novalite-network-stale -j DROP' not in filt
    assert ':DOCKER - [0:0]' in filt and ':novalite-compute-local - [0:0]' in filt
    forward = [line for line in filt if line.startswith('-A FORWARD ')]
    assert forward == ['-A FORWARD -m comment --comment keep-first -j ACCEPT',
                       '-A FORWARD -j novalite-network-FORWARD',
                       '-A FORWARD -j novalite-filter-top',
                       '-A FORWARD -o docker0 -j DOCKER',
                       '-A FORWARD -m comment --comment keep-last -j LOG']
    top = [line for line in filt if line.startswith('-A novalite-filter-top ')]
    assert top == ['-A novalite-filter-top -j novalite-compute-local',
                   '-A novalite-filter-top -j novalite-network-local']
    assert '-A novalite-compute-local -d 10.0.0.9/32 -j DROP' in filt
    assert '-A novalite-network-FORWARD -s 10.0.0.0/24 -j ACCEPT' in filt
    # Rendering its own output again changes nothing.
    assert manager.render(out.replace('COMMIT\n', 'COMMIT\n', 1)) == out


def test_apply_is_save_then_one_restore(ex):
    manager = iptables.IptablesManager(ex, 'novalite-network')
    ex.stub_output(r'^iptables-save$', SAVED)
    manager.apply()
    assert ex.commands == [('iptables-save',), ('iptables-restore', '-w', '5')]
    with manager.deferred():
        manager.apply()
        manager.apply()
    assert len(ex.commands) == 4


def test_binary_name_is_cut_and_long_chains_refused(ex):
    manager = iptables.IptablesManager(ex, 'novalite-compute-extra')
    assert manager.wrap('local') == 'novalite-compute-local'
    with pytest.raises(ValueError):
        manager.tables['filter'].add_chain('inst-1234567')
    with pytest.raises(ValueError):
        manager.tables['filter'].add_rule('nosuch', '-j DROP')
