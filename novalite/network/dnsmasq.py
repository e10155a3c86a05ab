"""dnsmasq for one network: its files, its command line (nova's flags) and its process."""

import os
import time

import netaddr


def dhcp_file(conf, bridge, kind):
    """``<networks_path>/nova-<bridge>.<kind>`` (kind: conf (hosts), pid)."""
    return os.path.join(conf.networks_path, 'nova-%s.%s' % (bridge, kind))


def host_line(conf, host):
    """``mac,hostname.domain,ip`` as nova writes dnsmasq's dhcp-hostsfile."""
    name = host['hostname']
    if conf.dhcp_domain:
        name = '%s.%s' % (name, conf.dhcp_domain)
    return '%s,%s,%s' % (host['mac'], name, host['ip'])


def hosts_file(conf, hosts):
    return ''.join(host_line(conf, host) + '\n' for host in hosts)


def command(conf, network):
    """dnsmasq's argv for ``network`` (nova's restart_dhcp flags, without its dhcp-script)."""
    bridge = network['bridge']
    cidr = netaddr.IPNetwork(network['cidr'])
    label = network.get('label') or bridge
    cmd = ['dnsmasq', '--strict-order', '--bind-interfaces',
           # Always given, even empty, so /etc/dnsmasq.conf is never read by accident.
           '--conf-file=%s' % (conf.dnsmasq_config_file or ''),
           '--pid-file=%s' % dhcp_file(conf, bridge, 'pid'),
           '--listen-address=%s' % network['dhcp_server'],
           '--except-interface=lo',
           '--dhcp-range=set:%s,%s,static,%s,%ss' % (label, network['dhcp_start'],
                                                     network['netmask'], conf.dhcp_lease_time),
           '--dhcp-lease-max=%d' % cidr.size,
           '--dhcp-hostsfile=%s' % dhcp_file(conf, bridge, 'conf'),
           '--no-hosts', '--leasefile-ro']
    gateway = network.get('gateway')
    if gateway and gateway != network['dhcp_server']:
        cmd.append('--dhcp-option=tag:%s,option:router,%s' % (label, gateway))
    dns = [d for d in (network.get('dns1'), network.get('dns2')) if d]
    if dns:
        cmd.append('--dhcp-option=tag:%s,option:dns-server,%s' % (label, ','.join(dns)))
    if conf.dns_server:
        cmd += ['-h', '-R', '--server=%s' % conf.dns_server]
    if conf.dhcp_domain:
        cmd.append('--domain=%s' % conf.dhcp_domain)
    return cmd


def read_pid(executor, conf, bridge):
    text = executor.read_file(dhcp_file(conf, bridge, 'pid'))
    try:
        return int((text or '').strip())
    except ValueError:
        return None


def cmdline(executor, pid):
    """argv of process ``pid`` (from /proc), or None when it is gone."""
    raw = executor.read_file('/proc/%d/cmdline' % pid)
    if not raw:
        return None
    return raw.rstrip('\0').split('\0')


def is_ours(argv, conf, bridge):
    """Whether a process argv is the dnsmasq serving ``bridge`` (its hosts file is in it)."""
    hostsfile = '--dhcp-hostsfile=%s' % dhcp_file(conf, bridge, 'conf')
    return bool(argv) and os.path.basename(argv[0]) == 'dnsmasq' and hostsfile in argv


def wait_gone(executor, pid, timeout=3.0):
    """Wait until process ``pid`` has exited (real mode; dry-run returns at once)."""
    if executor.dry_run:
        return
    deadline = time.monotonic() + timeout
    while cmdline(executor, pid) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
