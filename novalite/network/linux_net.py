"""LinuxNet: the network host's Linux side (bridges, VLANs, dnsmasq, NAT), as nova's linux_net.

Every call is an idempotent "ensure": it reads the current state first (``ip -o
link show``, ``ip -o addr show``, iptables-save, dnsmasq's pid file) and only
runs the commands that are missing, so calling it again is a no-op.  Each call
is one executor transaction: if a command fails, what the call already did is
undone and NetworkCommandFailed names the command.
"""

import logging
import re

import netaddr

from novalite.network import dnsmasq
from novalite.network import iptables

LOG = logging.getLogger(__name__)

BINARY_NAME = 'novalite-network'
METADATA_ADDRESS = '169.254.169.254'

_LINK_RE = re.compile(r'^\d+:\s+([^:@\s]+)(?:@(\S+?))?:\s+<([^>]*)>(.*)$')


class Link:
    """One line of ``ip -o link show``."""

    def __init__(self, name, flags, rest):
        self.name = name
        self.flags = flags
        self.up = 'UP' in flags
        match = re.search(r'\bmaster (\S+)', rest)
        self.master = match.group(1) if match else None
        match = re.search(r'\bmtu (\d+)', rest)
        self.mtu = int(match.group(1)) if match else None


def parse_links(text):
    links = {}
    for line in text.splitlines():
        match = _LINK_RE.match(line.strip())
        if match:
            name, _, flags, rest = match.groups()
            links[name] = Link(name, flags.split(','), rest)
    return links


def parse_addresses(text):
    """``ip -o addr show`` → ['10.0.0.1/24', ...] (IPv4 and IPv6)."""
    return re.findall(r'\binet6? (\S+)', text)


def vlan_interface(vlan_num):
    return 'vlan%d' % int(vlan_num)


class LinuxNet:
    """The network host driver: L2 plumbing, DHCP and NAT through one Executor.

    ``iptables`` may be passed to share an IptablesManager; by default one is
    built with the ``novalite-network`` chain prefix.
    """

    def __init__(self, conf, executor, iptables_manager=None):
        self.conf = conf
        self.executor = executor
        self.iptables = iptables_manager or iptables.IptablesManager.from_conf(
            conf, executor, BINARY_NAME)

    # -- reading state -------------------------------------------------------------------------

    def _links(self):
        out, _ = self.executor.execute('ip', '-o', 'link', 'show')
        return parse_links(out)

    def _addresses(self, dev):
        out, _ = self.executor.execute('ip', '-o', 'addr', 'show', 'dev', dev)
        return parse_addresses(out)

    def device_exists(self, dev):
        return dev in self._links()

    # -- bridges and VLANs ---------------------------------------------------------------------

    def ensure_bridge(self, bridge, interface=None, gateway_cidr=None):
        """Create ``bridge`` (up, STP off), enslave ``interface``, put ``gateway_cidr`` on it.

        ``interface`` must exist; its own addresses are not moved to the bridge
        (give nova-network style hosts an unaddressed flat/VLAN interface).
        """
        ex = self.executor
        with ex.transaction():
            links = self._links()
            if bridge not in links:
                ex.execute('ip', 'link', 'add', bridge, 'type', 'bridge',
                           'forward_delay', '0', 'stp_state', '0',
                           undo=['ip', 'link', 'del', bridge])
                links = {**links, bridge: Link(bridge, [], '')}
            if not links[bridge].up:
                ex.execute('ip', 'link', 'set', bridge, 'up')
            if interface:
                link = links.get(interface)
                if link is None or link.master != bridge:
                    ex.execute('ip', 'link', 'set', interface, 'master', bridge,
                               undo=['ip', 'link', 'set', interface, 'nomaster'])
                if link is None or not link.up:
                    ex.execute('ip', 'link', 'set', interface, 'up')
            if gateway_cidr:
                self._ensure_address(bridge, gateway_cidr, broadcast=True)
        return bridge

    def _ensure_address(self, dev, cidr, broadcast=False):
        wanted = netaddr.IPNetwork(cidr)
        present = {netaddr.IPNetwork(a) for a in self._addresses(dev)}
        if any(p.ip == wanted.ip and p.prefixlen == wanted.prefixlen for p in present):
            return False
        cmd = ['ip', 'addr', 'add', str(wanted)]
        if broadcast and wanted.version == 4 and wanted.prefixlen < 31:
            cmd += ['brd', str(wanted.broadcast)]
        self.executor.execute(*cmd, 'dev', dev, undo=['ip', 'addr', 'del', str(wanted), 'dev', dev])
        return True

    def ensure_vlan(self, vlan_num, interface, mtu=None):
        """Create ``vlan<N>`` (802.1Q id N) on ``interface``, up; returns its name."""
        ex = self.executor
        name = vlan_interface(vlan_num)
        with ex.transaction():
            links = self._links()
            link = links.get(name)
            if link is None:
                ex.execute('ip', 'link', 'add', 'link', interface, 'name', name,
                           'type', 'vlan', 'id', str(int(vlan_num)),
                           undo=['ip', 'link', 'del', name])
            if mtu and (link is None or link.mtu != int(mtu)):
                ex.execute('ip', 'link', 'set', name, 'mtu', str(int(mtu)))
            if link is None or not link.up:
                ex.execute('ip', 'link', 'set', name, 'up')
        return name

    def ensure_vlan_bridge(self, vlan_num, bridge, interface, gateway_cidr=None):
        """``ensure_vlan`` then ``ensure_bridge`` on it, all or nothing; returns the VLAN interface."""
        with self.executor.transaction():
            vlan = self.ensure_vlan(vlan_num, interface)
            self.ensure_bridge(bridge, vlan, gateway_cidr)
        return vlan

    def delete_bridge(self, bridge):
        if self.device_exists(bridge):
            self.executor.execute('ip', 'link', 'set', bridge, 'down')
            self.executor.execute('ip', 'link', 'del', bridge)

    def delete_vlan(self, vlan_num):
        name = vlan_interface(vlan_num)
        if self.device_exists(name):
            self.executor.execute('ip', 'link', 'del', name)

    def plug_vif(self, bridge, devname):
        """Put tap ``devname`` (created if missing) on ``bridge``, up."""
        ex = self.executor
        with ex.transaction():
            link = self._links().get(devname)
            if link is None:
                ex.execute('ip', 'tuntap', 'add', 'dev', devname, 'mode', 'tap',
                           undo=['ip', 'link', 'del', devname])
            if link is None or link.master != bridge:
                ex.execute('ip', 'link', 'set', devname, 'master', bridge)
            if link is None or not link.up:
                ex.execute('ip', 'link', 'set', devname, 'up')

    def unplug_vif(self, devname):
        if self.device_exists(devname):
            self.executor.execute('ip', 'link', 'del', devname)

    # -- DHCP ----------------------------------------------------------------------------------

    def update_dhcp(self, network, hosts):
        """Write the hosts file and start dnsmasq for ``network``, or HUP the running one.

        A dnsmasq started with other flags (the network changed) is restarted.
        """
        ex, conf = self.executor, self.conf
        bridge = network['bridge']
        with ex.transaction():
            ex.write_file(dnsmasq.dhcp_file(conf, bridge, 'conf'), dnsmasq.hosts_file(conf, hosts))
            self._dhcp_accept_rules(bridge)
            wanted = dnsmasq.command(conf, network)
            pid = dnsmasq.read_pid(ex, conf, bridge)
            argv = dnsmasq.cmdline(ex, pid) if pid else None
            if argv is not None and dnsmasq.is_ours(argv, conf, bridge):
                if argv == wanted:
                    ex.execute('kill', '-HUP', str(pid))
                    return pid
                LOG.info('dnsmasq %d of %s runs with other flags: restarting it', pid, bridge)
                ex.execute('kill', str(pid))
                dnsmasq.wait_gone(ex, pid)
            ex.execute(*wanted)
            return dnsmasq.read_pid(ex, conf, bridge)

    def _dhcp_accept_rules(self, bridge):
        tag = 'dhcp:%s' % bridge
        with self.iptables.changes():
            self.iptables.tables['filter'].remove_rules_by_tag(tag)
            for rule in ('-i %s -p udp -m udp --dport 67 -j ACCEPT',
                         '-i %s -p tcp -m tcp --dport 67 -j ACCEPT',
                         '-i %s -p udp -m udp --dport 53 -j ACCEPT',
                         '-i %s -p tcp -m tcp --dport 53 -j ACCEPT'):
                self.iptables.tables['filter'].add_rule('INPUT', rule % bridge, tag=tag)

    def kill_dhcp(self, network):
        """Stop the dnsmasq of ``network`` (if it runs) and drop its INPUT rules."""
        ex, conf = self.executor, self.conf
        bridge = network['bridge']
        pid = dnsmasq.read_pid(ex, conf, bridge)
        argv = dnsmasq.cmdline(ex, pid) if pid else None
        if argv is not None and dnsmasq.is_ours(argv, conf, bridge):
            ex.execute('kill', str(pid))
            dnsmasq.wait_gone(ex, pid)
        ex.remove_file(dnsmasq.dhcp_file(conf, bridge, 'pid'))
        with self.iptables.changes():
            self.iptables.tables['filter'].remove_rules_by_tag('dhcp:%s' % bridge)

    def release_dhcp(self, bridge, address, mac):
        """Tell dnsmasq the lease of ``address`` is over (dhcp_release), if the bridge exists."""
        if self.device_exists(bridge):
            self.executor.execute('dhcp_release', bridge, address, mac)

    # -- NAT -----------------------------------------------------------------------------------

    def init_host(self, fixed_range):
        """Forwarding on; SNAT of ``fixed_range`` to routing_source_ip; metadata DNAT.

        Traffic to the metadata host, the dmz_cidr ranges and inside the range
        itself is not SNATed (nova's init_host / metadata_forward).
        """
        conf = self.conf
        with self.executor.transaction():
            self.executor.execute('sysctl', '-w', 'net.ipv4.ip_forward=1')
            tag = 'init_host:%s' % fixed_range
            with self.iptables.changes():
                nat = self.iptables.tables['nat']
                filt = self.iptables.tables['filter']
                nat.remove_rules_by_tag(tag)
                filt.remove_rules_by_tag(tag)
                snat = '-s %s -j SNAT --to-source %s' % (fixed_range, conf.routing_source_ip)
                if conf.public_interface:
                    snat = '-s %s -o %s -j SNAT --to-source %s' % (
                        fixed_range, conf.public_interface, conf.routing_source_ip)
                nat.add_rule('snat', snat, tag=tag)
                nat.add_rule('POSTROUTING', '-s %s -d %s/32 -j ACCEPT'
                             % (fixed_range, conf.metadata_host), tag=tag)
                for dmz in [d.strip() for d in (conf.dmz_cidr or '').split(',') if d.strip()]:
                    nat.add_rule('POSTROUTING', '-s %s -d %s -j ACCEPT' % (fixed_range, dmz), tag=tag)
                nat.add_rule('POSTROUTING', '-s %s -d %s -m conntrack ! --ctstate DNAT -j ACCEPT'
                             % (fixed_range, fixed_range), tag=tag)
                nat.add_rule('PREROUTING', '-d %s/32 -p tcp -m tcp --dport 80 -j DNAT '
                             '--to-destination %s:%s' % (METADATA_ADDRESS, conf.metadata_host,
                                                         conf.metadata_port), tag='metadata')
                filt.add_rule('INPUT', '-d %s/32 -p tcp -m tcp --dport %s -j ACCEPT'
                              % (conf.metadata_host, conf.metadata_port), tag='metadata')

    def add_floating_ip(self, floating, fixed, interface=None):
        """Bind ``floating``/32 on the public interface; DNAT it to ``fixed``, SNAT back."""
        interface = interface or self.conf.public_interface
        with self.executor.transaction():
            self._ensure_address(interface, '%s/32' % floating)
            with self.iptables.changes():
                self._floating_rules(floating, fixed, interface)

    def _floating_rules(self, floating, fixed, interface):
        nat = self.iptables.tables['nat']
        tag = 'floating:%s' % floating
        nat.remove_rules_by_tag(tag)
        nat.add_rule('PREROUTING', '-d %s/32 -j DNAT --to-destination %s' % (floating, fixed), tag=tag)
        nat.add_rule('OUTPUT', '-d %s/32 -j DNAT --to-destination %s' % (floating, fixed), tag=tag)
        nat.add_rule('float-snat', '-s %s/32 -d %s/32 -j SNAT --to-source %s'
                     % (fixed, fixed, floating), tag=tag)
        nat.add_rule('float-snat', '-s %s/32 -o %s -j SNAT --to-source %s'
                     % (fixed, interface, floating), tag=tag)
        nat.add_rule('POSTROUTING', '-s %s/32 -m conntrack --ctstate DNAT -j SNAT --to-source %s'
                     % (fixed, floating), tag=tag)

    def remove_floating_ip(self, floating, fixed, interface=None):
        """Undo add_floating_ip (missing pieces are fine)."""
        interface = interface or self.conf.public_interface
        with self.iptables.changes():
            self.iptables.tables['nat'].remove_rules_by_tag('floating:%s' % floating)
        address = '%s/32' % floating
        if self.device_exists(interface) and address in self._addresses(interface):
            self.executor.execute('ip', 'addr', 'del', address, 'dev', interface)
