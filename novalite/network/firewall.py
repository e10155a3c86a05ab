"""Security groups on the compute host: iptables chains per instance (nova's IptablesFirewallDriver).

``security_info`` is the network service's ``get_instance_security_rules``
result: ``{'instance_uuid', 'ips', 'macs', 'rules': [{'protocol', 'from_port',
'to_port', 'cidr', 'source_ips'}], 'networks': [{'cidr', 'dhcp_server',
'gateway'}]}``.

Ingress, per instance, in the wrapped chain ``inst-<id>`` (reached from
``local`` by ``-d <fixed ip>``): DROP INVALID, ACCEPT ESTABLISHED/RELATED,
ACCEPT DHCP answers from the network's dhcp_server, ACCEPT the fixed networks
when allow_same_net_traffic, one ACCEPT per rule (a source-group rule becomes
one ACCEPT per member IP), then ``sg-fallback`` (DROP).

Anti-spoofing, without ebtables: the wrapped ``spoof`` chain, entered from the
wrapped FORWARD and INPUT chains, sends every packet carrying one of the
instance's MACs to ``sp-<id>``, which returns only for the instance's own
source IPs and drops the rest; and it drops packets carrying one of the
instance's IPs from any other MAC (through ``sm-<id>``).  ``-m mac`` sees the
sender's MAC on routed traffic and, with bridge-nf-call-iptables (turned on by
``setup_instance``), on traffic bridged between guests.  DHCP requests
(udp 68→67, sent from 0.0.0.0) are let through before the checks.
"""

import hashlib
import logging

from novalite.network import iptables

LOG = logging.getLogger(__name__)

BINARY_NAME = 'novalite-compute'
_ID_LEN = 6     # novalite-compute-inst-xxxxxx is the kernel's 28-character maximum


def load(conf, executor):
    """The firewall ``conf.firewall_driver`` names: IptablesFirewall or NoopFirewall."""
    if conf.firewall_driver == 'noop':
        return NoopFirewall(conf, executor)
    return IptablesFirewall(conf, executor)


class NoopFirewall:
    """Applies nothing (firewall_driver=noop)."""

    def __init__(self, conf, executor):
        self.conf = conf
        self.executor = executor

    def setup_instance(self, instance_uuid, security_info):
        pass

    def refresh_instance(self, instance_uuid, security_info):
        pass

    def remove_instance(self, instance_uuid):
        pass


class IptablesFirewall:
    """Renders security groups as iptables chains per instance; see the module docstring."""

    def __init__(self, conf, executor, iptables_manager=None):
        self.conf = conf
        self.executor = executor
        self.iptables = iptables_manager or iptables.IptablesManager.from_conf(
            conf, executor, BINARY_NAME)
        self._ids = {}          # instance uuid -> short chain id
        self._basic_done = False
        filt = self.iptables.tables['filter']
        filt.add_chain('sg-fallback')
        filt.add_rule('sg-fallback', '-j DROP')
        filt.add_chain('spoof')
        filt.add_rule('spoof', '-p udp -m udp --sport 68 --dport 67 -j RETURN', top=True)
        filt.add_rule('FORWARD', '-j $spoof', top=True)
        filt.add_rule('INPUT', '-j $spoof', top=True)

    # -- chain names -----------------------------------------------------------------------------

    def chain_id(self, instance_uuid):
        """A 6-hex-digit id unique among this host's instances (from the uuid, rehashed on a clash)."""
        if instance_uuid in self._ids:
            return self._ids[instance_uuid]
        taken = set(self._ids.values())
        candidate = instance_uuid.replace('-', '').lower()[:_ID_LEN]
        seed = instance_uuid
        while len(candidate) < _ID_LEN or candidate in taken:
            seed = hashlib.sha1(seed.encode()).hexdigest()
            candidate = seed[:_ID_LEN]
        self._ids[instance_uuid] = candidate
        return candidate

    def instance_chain(self, instance_uuid):
        return 'inst-%s' % self.chain_id(instance_uuid)

    # -- the driver API ------------------------------------------------------------------------

    def setup_instance(self, instance_uuid, security_info):
        """Create the instance's chains and hooks and apply them (idempotent)."""
        with self.executor.transaction():
            if not self._basic_done:
                # Bridged guest-to-guest traffic must traverse iptables for these chains to see it.
                self.executor.execute('sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=1',
                                      check=False)
                self._basic_done = True
            self._render(instance_uuid, security_info)

    def refresh_instance(self, instance_uuid, security_info):
        """Replace the instance's rules with ``security_info``'s, atomically."""
        with self.executor.transaction():
            self._render(instance_uuid, security_info)

    def remove_instance(self, instance_uuid):
        """Drop the instance's chains and hooks."""
        if instance_uuid not in self._ids:
            return
        with self.executor.transaction():
            with self.iptables.changes():
                self._drop(instance_uuid)
        self._ids.pop(instance_uuid, None)

    # -- rendering -----------------------------------------------------------------------------

    def _drop(self, instance_uuid):
        filt = self.iptables.tables['filter']
        ident = self.chain_id(instance_uuid)
        for chain in ('inst-%s' % ident, 'sp-%s' % ident, 'sm-%s' % ident):
            filt.remove_chain(chain)
        filt.remove_rules_by_tag(instance_uuid)

    def _render(self, instance_uuid, info):
        filt = self.iptables.tables['filter']
        known = instance_uuid in self._ids
        ident = self.chain_id(instance_uuid)
        inst, sp, sm = 'inst-%s' % ident, 'sp-%s' % ident, 'sm-%s' % ident
        with self.iptables.changes():
            if known:
                # a refresh: the old rules go (a scan of every rule, so not on a first setup)
                self._drop(instance_uuid)
            filt.add_chain(inst)
            for rule in self.instance_rules(info):
                filt.add_rule(inst, rule, tag=instance_uuid)
            for ip in info.get('ips') or []:
                filt.add_rule('local', '-d %s -j $%s' % (ip, inst), tag=instance_uuid)
            macs = [m.lower() for m in info.get('macs') or []]
            ips = list(info.get('ips') or [])
            if macs:
                filt.add_chain(sp)
                for ip in ips:
                    filt.add_rule(sp, '-s %s -j RETURN' % ip, tag=instance_uuid)
                filt.add_rule(sp, '-j DROP', tag=instance_uuid)
                filt.add_chain(sm)
                for mac in macs:
                    filt.add_rule(sm, '-m mac --mac-source %s -j RETURN' % mac, tag=instance_uuid)
                filt.add_rule(sm, '-j DROP', tag=instance_uuid)
                for mac in macs:
                    filt.add_rule('spoof', '-m mac --mac-source %s -j $%s' % (mac, sp),
                                  tag=instance_uuid)
                for ip in ips:
                    filt.add_rule('spoof', '-s %s -j $%s' % (ip, sm), tag=instance_uuid)

    def instance_rules(self, info):
        """The rules of the ``inst-<id>`` chain, in order (without the ``-A chain`` part)."""
        rules = ['-m conntrack --ctstate INVALID -j DROP',
                 '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']
        for net in info.get('networks') or []:
            if net.get('dhcp_server'):
                rules.append('-s %s/32 -p udp -m udp --sport 67 --dport 68 -j ACCEPT'
                             % net['dhcp_server'])
        if self.conf.allow_same_net_traffic:
            for net in info.get('networks') or []:
                if net.get('cidr'):
                    rules.append('-s %s -j ACCEPT' % net['cidr'])
        for rule in info.get('rules') or []:
            match = _protocol_match(rule)
            if rule.get('cidr'):
                sources = [rule['cidr']]
            else:
                # A source-group rule: one ACCEPT per member; no members, no rule.
                sources = ['%s/32' % ip for ip in rule.get('source_ips') or []]
            for source in sources:
                rules.append(' '.join(part for part in ('-s %s' % source, match, '-j ACCEPT') if part))
        rules.append('-j $sg-fallback')
        return rules


def _protocol_match(rule):
    protocol = (rule.get('protocol') or '').lower()
    if not protocol:
        return ''
    from_port, to_port = rule.get('from_port'), rule.get('to_port')
    if protocol in ('tcp', 'udp'):
        if from_port is None or int(from_port) < 0:
            return '-p %s' % protocol
        from_port = int(from_port)
        to_port = from_port if to_port is None else int(to_port)
        ports = str(from_port) if from_port == to_port else '%d:%d' % (from_port, to_port)
        return '-p %s -m %s --dport %s' % (protocol, protocol, ports)
    if protocol == 'icmp':
        icmp_type = -1 if from_port is None else int(from_port)
        if icmp_type == -1:
            return '-p icmp'
        code = -1 if to_port is None else int(to_port)
        icmp = str(icmp_type) if code == -1 else '%d/%d' % (icmp_type, code)
        return '-p icmp -m icmp --icmp-type %s' % icmp
    return '-p %s' % protocol
