"""LinuxNet and the iptables firewall for real, inside throw-away network namespaces.

Topology (all namespaces are ``nl-<random>``, deleted after each test):
``host`` is the network (and compute) host: bridge br100 with the gateway
10.0.0.1/24, routing to ``client-a`` (192.168.1.0/24), ``client-b``
(192.168.2.0/24) and a public side ``pub0`` (172.24.4.0/24); ``guest`` is an
instance whose eth0 is a veth whose other end is plugged into br100.
"""

import os
import shutil
import tempfile

import pytest

import netns
import nltest
from novalite import exception
from novalite.network import executor as executor_mod
from novalite.network import firewall as firewall_mod
from novalite.network import linux_net

pytestmark = pytest.mark.slow

GUEST_MAC = 'fa:16:3e:12:34:56'
GUEST_IP = '10.0.0.3'
INSTANCE = '5e2f6a70-1c1b-4a43-9d1e-2b4f0c4d8a11'
NETWORK = {'id': 1, 'uuid': 'b4d1a7c8-0000-4000-8000-000000000001', 'label': 'private',
           'bridge': 'br100', 'cidr': '10.0.0.0/24', 'netmask': '255.255.255.0',
           'gateway': '10.0.0.1', 'dhcp_server': '10.0.0.1', 'dhcp_start': '10.0.0.2',
           'dns1': None, 'dns2': None}

MUTATING = ('add', 'del', 'set', 'dnsmasq', 'iptables-restore', 'kill')


@pytest.fixture
def spaces():
    with netns.Namespaces() as namespaces:
        yield namespaces


@pytest.fixture
def networks_dir():
    # dnsmasq drops root for its own user: its hosts file must be readable by it.
    path = tempfile.mkdtemp(prefix='nl-networks-')
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _conf(tmp_path, networks_dir, **overrides):
    return nltest.make_conf(tmp_path, network_executor='real', networks_path=networks_dir,
                            my_ip='172.24.4.1', public_interface='pub0', dhcp_domain='novalocal',
                            **overrides)


def _host_and_guest(spaces, guest_ip=None):
    """host ns with nothing configured yet, guest ns wired to the host's ``tapguest``."""
    host, guest = spaces.add(), spaces.add()
    host.run('ip', 'link', 'add', 'tapguest', 'type', 'veth', 'peer', 'name', 'eth0',
             'netns', guest.name)
    guest.run('ip', 'link', 'set', 'eth0', 'address', GUEST_MAC)
    guest.run('ip', 'link', 'set', 'eth0', 'up')
    if guest_ip:
        guest.run('ip', 'addr', 'add', '%s/24' % guest_ip, 'dev', 'eth0')
        guest.run('ip', 'route', 'add', 'default', 'via', '10.0.0.1')
    return host, guest


def _mutations(commands):
    return [c for c in commands if any(word in c for word in MUTATING)]


def test_bridge_gateway_and_plug_are_real_and_idempotent(spaces, tmp_path, networks_dir):
    netns.require('ip')
    host, _ = _host_and_guest(spaces)
    host.run('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(_conf(tmp_path, networks_dir), ex)

    net.ensure_bridge('br100', 'eth1', '10.0.0.1/24')
    net.plug_vif('br100', 'tapguest')

    links = host.run('ip', '-d', 'link', 'show', 'br100').stdout
    assert 'bridge forward_delay 0' in links and 'stp_state 0' in links and ',UP' in links
    assert 'master br100' in host.run('ip', 'link', 'show', 'eth1').stdout
    assert 'master br100' in host.run('ip', 'link', 'show', 'tapguest').stdout
    assert 'inet 10.0.0.1/24 brd 10.0.0.255' in host.run('ip', 'addr', 'show', 'br100').stdout

    before = len(ex.commands)
    net.ensure_bridge('br100', 'eth1', '10.0.0.1/24')
    net.plug_vif('br100', 'tapguest')
    assert _mutations(ex.commands[before:]) == []

    net.unplug_vif('tapguest')
    net.delete_bridge('br100')
    assert 'br100' not in host.links() and 'tapguest' not in host.links()
    net.delete_bridge('br100')      # gone already: a no-op


def test_vlan_bridge_exists_with_its_vlan_id(spaces, tmp_path, networks_dir):
    netns.require_kernel('vlan')
    host = spaces.add()
    host.run('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(_conf(tmp_path, networks_dir), ex)

    assert net.ensure_vlan_bridge(102, 'br102', 'eth1', '10.0.2.1/24') == 'vlan102'

    vlan = host.run('ip', '-d', 'link', 'show', 'vlan102').stdout
    assert 'vlan protocol 802.1Q id 102' in vlan and 'master br102' in vlan
    assert 'bridge' in host.run('ip', '-d', 'link', 'show', 'br102').stdout
    before = len(ex.commands)
    net.ensure_vlan_bridge(102, 'br102', 'eth1', '10.0.2.1/24')
    assert _mutations(ex.commands[before:]) == []
    net.delete_bridge('br102')
    net.delete_vlan(102)
    assert 'vlan102' not in host.links()


def test_a_failing_command_rolls_back_and_names_itself(spaces, tmp_path, networks_dir):
    netns.require('ip')
    host = spaces.add()
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(_conf(tmp_path, networks_dir), ex)

    with pytest.raises(exception.NetworkCommandFailed) as err:
        net.ensure_bridge('br101', 'no-such-if', '10.0.1.1/24')

    assert 'ip link set no-such-if master br101' in str(err.value)
    assert 'br101' not in host.links()        # the bridge it had created is gone again


def _udhcpc(spaces, guest, tmp_path):
    """Run busybox udhcpc once in ``guest``; return the variables its script saw on 'bound'."""
    out = tmp_path / 'udhcpc.out'
    script = tmp_path / 'udhcpc.sh'
    # Our own script: it only records the offer, never touching resolv.conf or routes.
    script.write_text('#!/bin/sh\n[ "$1" = bound ] && echo "ip=$ip subnet=$subnet router=$router '
                      'hostname=$hostname domain=$domain lease=$lease" > %s\nexit 0\n' % out)
    script.chmod(0o755)
    proc = guest.run('busybox', 'udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '5', '-T', '1',
                     '-s', str(script), check=False, timeout=20)
    assert proc.returncode == 0, proc.stderr
    return dict(item.split('=', 1) for item in out.read_text().split())


def test_dnsmasq_answers_dhcp_with_the_fixed_ip(spaces, tmp_path, networks_dir):
    netns.require('ip', 'dnsmasq', 'udhcpc', 'dhcp_release', 'iptables')
    host, guest = _host_and_guest(spaces)
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(_conf(tmp_path, networks_dir), ex)
    net.ensure_bridge('br100', None, '10.0.0.1/24')
    net.plug_vif('br100', 'tapguest')
    host.wait_up('br100', 'tapguest')
    guest.wait_up('eth0')

    pid = net.update_dhcp(NETWORK, [{'mac': 'fa:16:3e:00:00:09', 'hostname': 'other', 'ip': '10.0.0.9'}])
    assert pid and os.path.exists('/proc/%d' % pid)
    # A second host: the same dnsmasq re-reads its hosts file (SIGHUP), no restart.
    hosts = [{'mac': 'fa:16:3e:00:00:09', 'hostname': 'other', 'ip': '10.0.0.9'},
             {'mac': GUEST_MAC, 'hostname': 'vm1', 'ip': '10.0.0.5'}]
    assert net.update_dhcp(NETWORK, hosts) == pid
    assert ('kill', '-HUP', str(pid)) in ex.commands
    with open(os.path.join(networks_dir, 'nova-br100.conf')) as handle:
        assert handle.read() == ('fa:16:3e:00:00:09,other.novalocal,10.0.0.9\n'
                                 '%s,vm1.novalocal,10.0.0.5\n' % GUEST_MAC)

    offer = _udhcpc(spaces, guest, tmp_path)
    assert offer['ip'] == '10.0.0.5'
    assert offer['subnet'] == '255.255.255.0' and offer['router'] == '10.0.0.1'
    assert offer['hostname'] == 'vm1' and offer['domain'] == 'novalocal'
    assert offer['lease'] == '86400'

    net.release_dhcp('br100', '10.0.0.5', GUEST_MAC)
    net.kill_dhcp(NETWORK)
    netns.wait_for(lambda: not os.path.exists('/proc/%d' % pid), what='dnsmasq to exit')


def _router(spaces, tmp_path, networks_dir, with_firewall=True):
    """host (bridge, gateway, forwarding, NAT) + guest on it + client-a/client-b routed via host."""
    host, guest = _host_and_guest(spaces, guest_ip=GUEST_IP)
    client_a, client_b = spaces.add(), spaces.add()
    spaces.veth(host, 'to-a', client_a, 'eth0', '192.168.1.1/24', '192.168.1.10/24')
    spaces.veth(host, 'to-b', client_b, 'eth0', '192.168.2.1/24', '192.168.2.10/24')
    client_a.run('ip', 'route', 'add', 'default', 'via', '192.168.1.1')
    client_b.run('ip', 'route', 'add', 'default', 'via', '192.168.2.1')
    conf = _conf(tmp_path, networks_dir)
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(conf, ex)
    net.ensure_bridge('br100', None, '10.0.0.1/24')
    net.plug_vif('br100', 'tapguest')
    net.init_host('10.0.0.0/24')
    host.wait_up('br100', 'tapguest', 'to-a', 'to-b')
    for ns in (guest, client_a, client_b):
        ns.wait_up('eth0')
    fw = firewall_mod.load(conf, ex) if with_firewall else None
    return host, guest, client_a, client_b, net, fw


def _security_info(cidrs):
    return {'instance_uuid': INSTANCE, 'ips': [GUEST_IP], 'macs': [GUEST_MAC],
            'rules': [{'protocol': 'tcp', 'from_port': 22, 'to_port': 22, 'cidr': cidr,
                       'source_ips': []} for cidr in cidrs],
            'networks': [{'cidr': '10.0.0.0/24', 'dhcp_server': '10.0.0.1', 'gateway': '10.0.0.1'}]}


def test_firewall_allows_ssh_from_the_allowed_cidr_only(spaces, tmp_path, networks_dir):
    netns.require('ip', 'iptables')
    host, guest, client_a, client_b, _, fw = _router(spaces, tmp_path, networks_dir)
    netns.listen(spaces, guest, GUEST_IP, 22)
    assert isinstance(fw, firewall_mod.IptablesFirewall)

    fw.setup_instance(INSTANCE, _security_info(['192.168.1.0/24']))

    assert netns.connect(client_a, GUEST_IP, 22) == ('ok', 'hello 192.168.1.10')
    assert netns.connect(client_b, GUEST_IP, 22, timeout=0.7) == ('timeout', '')
    saved = host.run('iptables-save', '-t', 'filter').stdout
    assert '-A novalite-compute-inst-5e2f6a -s 192.168.1.0/24 -p tcp -m tcp --dport 22 -j ACCEPT' in saved

    fw.refresh_instance(INSTANCE, _security_info(['192.168.1.0/24', '192.168.2.0/24']))
    assert netns.connect(client_b, GUEST_IP, 22) == ('ok', 'hello 192.168.2.10')

    fw.remove_instance(INSTANCE)
    assert 'novalite-compute-inst-' not in host.run('iptables-save', '-t', 'filter').stdout


def test_anti_spoofing_drops_a_forged_source_address(spaces, tmp_path, networks_dir):
    netns.require('ip', 'iptables')
    host, guest, client_a, _, _, fw = _router(spaces, tmp_path, networks_dir)
    netns.listen(spaces, client_a, '192.168.1.10', 2222)
    guest.run('ip', 'addr', 'add', '10.0.0.99/24', 'dev', 'eth0')
    fw.setup_instance(INSTANCE, _security_info([]))

    assert netns.connect(guest, '192.168.1.10', 2222, source=GUEST_IP) == ('ok', 'hello 10.0.0.3')
    assert netns.connect(guest, '192.168.1.10', 2222, source='10.0.0.99', timeout=0.7) == \
        ('timeout', '')

    fw.remove_instance(INSTANCE)
    assert netns.connect(guest, '192.168.1.10', 2222, source='10.0.0.99')[0] == 'ok'


def test_iptables_apply_keeps_foreign_rules(spaces, tmp_path, networks_dir):
    netns.require('ip', 'iptables')
    host = spaces.add()
    host.run('iptables', '-A', 'FORWARD', '-s', '203.0.113.0/24', '-j', 'DROP')
    host.run('iptables', '-t', 'nat', '-N', 'foreign')
    ex = executor_mod.Executor('real', namespace=host.name)
    net = linux_net.LinuxNet(_conf(tmp_path, networks_dir), ex)

    net.init_host('10.0.0.0/24')
    net.init_host('10.0.0.0/24')

    saved = host.run('iptables-save').stdout
    assert '-A FORWARD -s 203.0.113.0/24 -j DROP' in saved and ':foreign - [0:0]' in saved
    assert saved.count('-A novalite-network-snat -s 10.0.0.0/24 -o pub0 -j SNAT') == 1
    assert saved.count('-A FORWARD -j novalite-filter-top') == 1


def test_floating_ip_dnat_reaches_the_fixed_address(spaces, tmp_path, networks_dir):
    netns.require('ip', 'iptables')
    host, guest, _, _, net, _ = _router(spaces, tmp_path, networks_dir, with_firewall=False)
    public = spaces.add()
    spaces.veth(host, 'pub0', public, 'eth0', '172.24.4.1/24', '172.24.4.10/24')
    host.wait_up('pub0')
    public.wait_up('eth0')
    netns.listen(spaces, guest, GUEST_IP, 22)

    net.add_floating_ip('172.24.4.100', GUEST_IP, 'pub0')
    assert 'inet 172.24.4.100/32' in host.run('ip', 'addr', 'show', 'pub0').stdout
    assert netns.connect(public, '172.24.4.100', 22) == ('ok', 'hello 172.24.4.10')

    net.remove_floating_ip('172.24.4.100', GUEST_IP, 'pub0')
    assert '172.24.4.100' not in host.run('ip', 'addr', 'show', 'pub0').stdout
    assert '172.24.4.100' not in host.run('iptables-save', '-t', 'nat').stdout
