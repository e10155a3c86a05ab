"""NetworkManager: the network-manager plugin API, with all of nova-network's IP logic.

A manager plugin (entry point in ``novalite.network.managers``) subclasses
:class:`NetworkManager` and sets its class flags; the flat, flatdhcp and vlan
plugins differ only in those flags, in which networks a server gets by default
(:meth:`NetworkManager.networks_for_instance`) and in how a network is plugged
on its host (:meth:`NetworkManager.setup_network`).

The manager is built as ``cls(conf, db, linux_net, host=None, remote=None)``:

- ``db``: a ``novalite.db.api.Database`` (the manager never imports the DB layer:
  it is handed one).  Allocation is race-free there (compare-and-swap updates).
- ``linux_net``: a ``novalite.network.linux_net.LinuxNet``, or None where no host
  changes may be made (the REST facade creating networks).
- ``host``: the host this network service runs on.
- ``remote(host, method, **kwargs)``: runs ``method`` of the manager on another
  network host (the service's RPC); None when every network is served here.

Contract: every allocation (``allocate_for_instance``, ``add_fixed_ip_to_instance``,
``allocate_interface``) leaves nothing allocated when it fails, in the database
or on the host; deallocations are best effort on the host (the database is the
truth: :meth:`init_host` rebuilds the host state from it) and never fail half way
in the database.  Results are JSON-safe (network_info lists, plain dicts).
"""

import contextlib
import datetime
import math
import random

import netaddr
from oslo_log import log as logging

from novalite import exception
from novalite.network import model

LOG = logging.getLogger(__name__)

MAX_VLAN = 4094


def generate_mac():
    """A MAC in OpenStack's ``fa:16:3e`` range."""
    return 'fa:16:3e:%02x:%02x:%02x' % (random.randint(0, 255), random.randint(0, 255),
                                        random.randint(0, 255))


def _bool(value, default=False):
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ('t', 'true', 'yes', 'y', '1', 'on')
    return bool(value)


class NetworkManager:
    """Base of network managers: networks, fixed IPs, VIFs, floating IPs, DHCP state."""

    #: the network's bridge is created on its host (otherwise it must exist)
    SHOULD_CREATE_BRIDGE = False
    #: a VLAN interface is created under the bridge
    SHOULD_CREATE_VLAN = False
    #: one dnsmasq per network serves the fixed IPs
    DHCP = False
    #: floating IPs can be associated (Nova's FlatManager has only stubs)
    FLOATING_IPS = True
    #: deallocated, still leased fixed IPs wait fixed_ip_disassociate_timeout
    timeout_fixed_ips = True
    #: arguments create_networks cannot do without (after option defaults)
    required_create_args = ()

    def __init__(self, conf, db, linux_net=None, host=None, remote=None):
        self.conf = conf
        self.db = db
        self.linux_net = linux_net
        self.host = host or getattr(conf, 'host', None)
        self.remote = remote

    # -- creating networks --------------------------------------------------------------

    def create_defaults(self, kwargs):
        """Fill ``kwargs`` of create_networks from options (bridge, interfaces)."""
        return kwargs

    def create_networks(self, label=None, cidr=None, num_networks=None, network_size=None,
                        bridge=None, bridge_interface=None, vlan_start=None, vlan=None,
                        multi_host=None, dns1=None, dns2=None, gateway=None, project_id=None,
                        priority=None, uuid=None, mtu=None, **ignored):
        """Split ``cidr`` into ``num_networks`` networks of ``network_size`` addresses.

        Without ``network_size`` the range is split evenly, each network at most the
        ``network_size`` option.  Each network's gateway is its first address (or
        ``gateway`` for one network), the DHCP server the gateway, DHCP starting
        after it; network, gateway and
        broadcast addresses (and the VPN address in VLAN mode) are reserved.  VLAN
        mode numbers networks from ``vlan_start`` (skipping VLANs in use) with
        bridges ``br<vlan>``.  Raises Invalid for bad or missing arguments,
        CidrConflict when the range overlaps an existing network.  Returns the new
        networks (dicts).
        """
        kwargs = self.create_defaults(dict(
            label=label, cidr=cidr, bridge=bridge, bridge_interface=bridge_interface,
            vlan_start=vlan_start, vlan=vlan))
        missing = [name for name in ('label', 'cidr') + tuple(self.required_create_args)
                   if not kwargs.get(name)]
        if missing:
            raise exception.Invalid(reason='network create needs %s' % ', '.join(
                '--%s' % m for m in missing))
        try:
            fixed_net = netaddr.IPNetwork(kwargs['cidr'])
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise exception.Invalid(reason='%s is not a CIDR' % kwargs['cidr']) from None
        if fixed_net.version != 4:
            raise exception.Invalid(reason='only IPv4 networks are supported (%s)' % cidr)
        num_networks = int(num_networks or self.conf.num_networks)
        if num_networks < 1:
            raise exception.Invalid(reason='num_networks must be at least 1')
        if not network_size:
            # nova-manage: the range split evenly, at most network_size addresses each
            each = fixed_net.size // num_networks
            network_size = min(self.conf.network_size,
                               2 ** int(math.log2(each)) if each >= 1 else 0)
        network_size = int(network_size)
        bits = math.log2(network_size) if network_size > 0 else 0.5
        if network_size < 4 or bits != int(bits):
            raise exception.Invalid(reason='network_size must be a power of 2 and at least 4 '
                                           '(got %s)' % network_size)
        if num_networks * network_size > fixed_net.size:
            raise exception.Invalid(
                reason='the network range %s is not big enough to fit %d networks of %d '
                       'addresses' % (fixed_net, num_networks, network_size))
        if num_networks > 1 and (uuid or gateway or kwargs.get('vlan')):
            raise exception.Invalid(reason='--uuid, --gateway and --vlan need num_networks=1')
        subnets = list(fixed_net.subnet(32 - int(bits), count=num_networks))
        for other_uuid, other in self.db.network_cidrs():
            if other and any(s.first <= netaddr.IPNetwork(other).last
                             and netaddr.IPNetwork(other).first <= s.last for s in subnets):
                raise exception.CidrConflict(cidr=str(fixed_net),
                                             other='%s (%s)' % (other, other_uuid))
        vlans = self._plan_vlans(num_networks, kwargs)
        created = []
        for index, subnet in enumerate(subnets):
            values, fixed_ips = self._network_values(
                index, subnet, num_networks, kwargs, vlans[index] if vlans else None,
                gateway=gateway, multi_host=multi_host, dns1=dns1, dns2=dns2,
                project_id=project_id, priority=priority, uuid=uuid, mtu=mtu)
            created.append(self.db.network_create(values, fixed_ips))
        return created

    def _plan_vlans(self, num_networks, kwargs):
        if not self.SHOULD_CREATE_VLAN:
            return None
        if kwargs.get('vlan'):
            vlan = int(kwargs['vlan'])
            if not 1 <= vlan <= MAX_VLAN:
                raise exception.Invalid(reason='VLAN %d is not in 1..%d' % (vlan, MAX_VLAN))
            if vlan in self.db.network_vlans():
                raise exception.Invalid(reason='VLAN %d is in use' % vlan)
            return [vlan]
        start = int(kwargs.get('vlan_start') or self.conf.vlan_start)
        if start < 1 or start + num_networks - 1 > MAX_VLAN:
            raise exception.Invalid(
                reason='the VLAN start %d plus the number of networks %d exceeds the '
                       'maximum VLAN %d' % (start, num_networks, MAX_VLAN))
        used = self.db.network_vlans()
        vlans, candidate = [], start
        while len(vlans) < num_networks:
            if candidate > MAX_VLAN:
                raise exception.Invalid(reason='no free VLAN left above %d (the maximum is %d)'
                                               % (start, MAX_VLAN))
            if candidate not in used:
                vlans.append(candidate)
            candidate += 1
        return vlans

    def _network_values(self, index, subnet, num_networks, kwargs, vlan, gateway, multi_host,
                        dns1, dns2, project_id, priority, uuid, mtu):
        gateway = netaddr.IPAddress(gateway) if gateway else subnet[1]
        if gateway not in subnet:
            raise exception.Invalid(reason='gateway %s is not in %s' % (gateway, subnet))
        dhcp_start = subnet[2]
        vpn_private = None
        if vlan is not None:
            vpn_private = dhcp_start
            dhcp_start = subnet[3]
        label = kwargs['label']
        if num_networks > 1:
            label = '%s_%d' % (label, index + 1)
        bridge = kwargs.get('bridge')
        if vlan is not None and (num_networks > 1 or not bridge):
            bridge = 'br%d' % vlan
        values = {
            'label': label, 'cidr': str(subnet), 'netmask': str(subnet.netmask),
            'broadcast': str(subnet.broadcast), 'gateway': str(gateway),
            'dhcp_server': str(gateway), 'dhcp_start': str(dhcp_start),
            'bridge': bridge, 'bridge_interface': kwargs.get('bridge_interface'),
            'vlan': vlan, 'vpn_private_address': str(vpn_private) if vpn_private else None,
            'multi_host': _bool(multi_host, self.conf.multi_host),
            'injected': bool(self.conf.flat_injected) and not self.DHCP,
            'dns1': dns1 or self.conf.flat_network_dns, 'dns2': dns2,
            'enable_dhcp': self.DHCP, 'share_address': False,
            'project_id': project_id, 'priority': int(priority) if priority else None,
            'mtu': int(mtu) if mtu else None,
        }
        if uuid:
            values['uuid'] = str(uuid)
        reserved = {subnet.network, gateway, subnet.broadcast}
        if vpn_private is not None:
            reserved.add(vpn_private)
        fixed_ips = [{'address': str(ip), 'reserved': ip in reserved} for ip in subnet]
        return values, fixed_ips

    def delete_network(self, network_id):
        """Delete a network (NetworkInUse while a server has one of its addresses); its
        dnsmasq is stopped when this host serves it."""
        network = self.db.network_get(network_id)
        if self.linux_net is not None and self.DHCP and network['host'] == self.host:
            self._best_effort('stopping the DHCP of %s' % network['uuid'],
                              self.linux_net.kill_dhcp, self._dhcp_network(network))
        return self.db.network_delete_safe(network['id'])

    # -- which networks, which host -----------------------------------------------------

    def networks_for_instance(self, project_id, requested_networks=None):
        """``[(network, requested address or None)]`` a new server gets.

        The base (flat modes): the networks asked for ([] means none), else every
        network without a VLAN that is unowned or owned by the project.
        """
        if requested_networks is not None:
            return self._requested(requested_networks, project_id)
        return [(n, None) for n in self.db.network_get_all(project_id=project_id, vlan=False)]

    def _requested(self, requested_networks, project_id, own_only=False):
        if not requested_networks:
            return []
        uuids = [r['uuid'] for r in requested_networks]
        networks = self.db.network_get_all(uuids=uuids)
        for network in networks:
            owner = network['project_id']
            if owner not in (None, project_id) or (own_only and owner != project_id):
                raise exception.NetworkNotFound(network_id=network['uuid'])
        return [(n, r.get('fixed_ip')) for n, r in zip(networks, requested_networks)]

    def network_host(self, network, instance_host=None):
        """The host that serves ``network`` for a server on ``instance_host``: the
        instance's host for multi_host networks, else the network's host (this one,
        recorded on first use, if it has none yet)."""
        if network['multi_host']:
            return instance_host or self.host
        if network['host']:
            return network['host']
        host = self.db.network_set_host(network['id'], self.host)
        network['host'] = host
        return host

    def _is_local(self, host):
        return self.remote is None or host in (None, self.host)

    # -- allocation ---------------------------------------------------------------------

    def allocate_for_instance(self, instance_uuid, project_id, host, requested_networks=None,
                              macs=None):
        """A VIF and a fixed IP on each network of the server; its network_info.

        ``requested_networks``: [{'uuid', 'fixed_ip'}] or None for the default
        networks; ``macs``: MAC addresses the hypervisor requires, used in order.
        On any failure everything allocated so far is released and the error raised.
        """
        pairs = self.networks_for_instance(project_id, requested_networks)
        macs = list(macs or [])
        allocated = []
        try:
            for network, address in pairs:
                allocated.append(self._allocate_fixed_ip(
                    instance_uuid, network, host, address, macs.pop(0) if macs else None))
            if allocated and self.FLOATING_IPS and self.conf.auto_assign_floating_ip:
                self._auto_assign_floating_ip(project_id, allocated[0])
            self._setup_on_hosts([(network, fixed) for network, _vif, fixed in allocated],
                                 host)
            return self.get_instance_nw_info(instance_uuid)
        except Exception:
            LOG.warning('Allocating the network of %s failed; releasing what was allocated',
                        instance_uuid)
            self._release_allocated(instance_uuid, allocated, host)
            self.db.instance_info_cache_delete(instance_uuid)
            raise

    def _allocate_fixed_ip(self, instance_uuid, network, host, address=None, mac=None):
        """(network, vif, fixed_ip) of a new VIF on ``network``; a generated MAC is tried
        ``create_unique_mac_address_attempts`` times."""
        if address is not None:
            try:
                address = str(netaddr.IPAddress(address))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                raise exception.FixedIpInvalid(address=address,
                                               reason='not an IP address') from None
        fixed_host = host if network['multi_host'] else None
        attempts = 1 if mac else self.conf.create_unique_mac_address_attempts
        for _ in range(attempts):
            try:
                vif, fixed = self.db.fixed_ip_allocate(
                    network['id'], instance_uuid, mac or generate_mac(), address=address,
                    host=fixed_host)
                return network, vif, fixed
            except exception.VirtualInterfaceMacAddressException:
                continue
        raise exception.VirtualInterfaceMacAddressException()

    def _release_allocated(self, instance_uuid, allocated, host):
        """Undo allocations of this request (floating IPs on them, fixed IPs, VIFs)."""
        released = []
        for network, vif, fixed in reversed(allocated):
            try:
                self._release_floating_ips_of(fixed, release_auto=True)
                self.db.fixed_ip_deallocate(fixed['address'], network['id'], disassociate=True)
                self.db.virtual_interface_delete(vif['id'])
                released.append((network, fixed, vif['address']))
            except Exception:
                LOG.exception('Releasing %s of %s failed', fixed['address'], instance_uuid)
        self._refresh_hosts(released, host)

    def deallocate_for_instance(self, instance_uuid, project_id=None, host=None):
        """Release the server's floating IPs (auto-assigned ones go back to the pool),
        fixed IPs (DHCP release) and VIFs, and drop its info cache."""
        vifs = {v['id']: v for v in self.db.virtual_interface_get_by_instance(instance_uuid)}
        fixed_ips = self.db.fixed_ip_get_by_instance(instance_uuid)
        networks = self.db.network_get_all_by_ids(
            [f['network_id'] for f in fixed_ips] + [v['network_id'] for v in vifs.values()])
        released = []
        for fixed in fixed_ips:
            if not fixed['allocated']:
                continue
            network = networks[fixed['network_id']]
            vif = vifs.get(fixed['virtual_interface_id'])
            self._release_floating_ips_of(fixed, release_auto=True)
            self.db.fixed_ip_deallocate(fixed['address'], network['id'],
                                        disassociate=self._disassociate_now(fixed))
            released.append((network, fixed, vif['address'] if vif else None))
        for vif in vifs.values():
            self.db.virtual_interface_delete(vif['id'])
        self.db.instance_info_cache_delete(instance_uuid)
        self._refresh_hosts(released, host)

    def _disassociate_now(self, fixed):
        """Nova: flat frees at once; DHCP modes free an unleased address when a DHCP
        release is forced, else the address waits for dnsmasq or the timeout."""
        if not self.DHCP or not self.timeout_fixed_ips:
            return True
        return bool(self.conf.force_dhcp_release) and not fixed['leased']

    def add_fixed_ip_to_instance(self, instance_uuid, project_id, host, network_uuid):
        """Multinic: a new VIF with a fixed IP on ``network_uuid``; the new network_info."""
        self.allocate_interface(instance_uuid, project_id, host, network_uuid)
        return self.get_instance_nw_info(instance_uuid)

    def allocate_interface(self, instance_uuid, project_id, host, network_uuid,
                           requested_ip=None):
        """os-interface attach: a new VIF (and fixed IP) on ``network_uuid``; returns its
        network_info entry.  Nothing stays allocated on failure."""
        [(network, _)] = self._requested([{'uuid': network_uuid}], project_id)
        allocated = [self._allocate_fixed_ip(instance_uuid, network, host, requested_ip)]
        try:
            self._setup_on_hosts([(network, allocated[0][2])], host)
            network_info = self.get_instance_nw_info(instance_uuid)
        except Exception:
            self._release_allocated(instance_uuid, allocated, host)
            self.get_instance_nw_info(instance_uuid)
            raise
        return model.find_vif(network_info, allocated[0][1]['uuid'])

    def remove_fixed_ip_from_instance(self, instance_uuid, host, address):
        """Multinic: release the server's fixed IP ``address`` and its VIF; the new
        network_info.  FixedIpNotFound if the server does not have it."""
        fixed = next((f for f in self.db.fixed_ip_get_by_instance(instance_uuid)
                      if f['address'] == address and f['allocated']), None)
        if fixed is None:
            raise exception.FixedIpNotFound(address=address)
        self._release_vif_of(instance_uuid, fixed, host)
        return self.get_instance_nw_info(instance_uuid)

    def deallocate_interface(self, instance_uuid, host, vif_uuid):
        """os-interface detach: release VIF ``vif_uuid`` and its fixed IPs."""
        vif = self.db.virtual_interface_get_by_uuid(vif_uuid)
        if vif is None or vif['instance_uuid'] != instance_uuid:
            raise exception.InterfaceNotFound(port_id=vif_uuid, instance_id=instance_uuid)
        fixed_ips = [f for f in self.db.fixed_ip_get_by_instance(instance_uuid)
                     if f['virtual_interface_id'] == vif['id'] and f['allocated']]
        for fixed in fixed_ips:
            self._release_vif_of(instance_uuid, fixed, host, vif=vif)
        if not fixed_ips:
            self.db.virtual_interface_delete(vif['id'])
        self.get_instance_nw_info(instance_uuid)

    def _release_vif_of(self, instance_uuid, fixed, host, vif=None):
        network = self.db.network_get_all_by_ids([fixed['network_id']])[fixed['network_id']]
        if vif is None:
            vif = next((v for v in self.db.virtual_interface_get_by_instance(instance_uuid)
                        if v['id'] == fixed['virtual_interface_id']), None)
        self._release_floating_ips_of(fixed, release_auto=True)
        self.db.fixed_ip_deallocate(fixed['address'], network['id'],
                                    disassociate=self._disassociate_now(fixed))
        if vif is not None:
            self.db.virtual_interface_delete(vif['id'])
        self._refresh_hosts([(network, fixed, vif['address'] if vif else None)], host)

    # -- network_info -------------------------------------------------------------------

    def get_instance_nw_info(self, instance_uuid):
        """The server's network_info built from the database; stored as its info cache
        when it differs."""
        vifs = self.db.virtual_interface_get_by_instance(instance_uuid)
        fixed_ips = [f for f in self.db.fixed_ip_get_by_instance(instance_uuid)
                     if f['allocated']]
        networks = self.db.network_get_all_by_ids([v['network_id'] for v in vifs])
        floating = {}
        if fixed_ips:
            by_id = {f['id']: f['address'] for f in fixed_ips}
            for fip in self.db.floating_ip_get_all(fixed_ip_ids=list(by_id)):
                floating.setdefault(by_id[fip['fixed_ip_id']], []).append(fip['address'])
        network_info = []
        for vif in vifs:
            network = networks[vif['network_id']]
            network_info.append(model.make_vif(
                vif, network, [f for f in fixed_ips if f['virtual_interface_id'] == vif['id']],
                floating, should_create_bridge=self.SHOULD_CREATE_BRIDGE,
                should_create_vlan=self.SHOULD_CREATE_VLAN))
        # Every change refreshes the cache through here; a plain read (the compute asking
        # before a reboot or a delete) finds it current and writes nothing.
        if network_info != self.db.instance_info_cache_get(instance_uuid):
            self.db.instance_info_cache_update(instance_uuid, network_info)
        return network_info

    # -- floating IPs -------------------------------------------------------------------

    def _check_floating(self):
        if not self.FLOATING_IPS:
            raise exception.Invalid(reason='the %s network manager does not support floating '
                                           'IPs' % type(self).__name__)

    def allocate_floating_ip(self, project_id, pool=None, auto_assigned=False):
        """A free address of ``pool`` (default_floating_pool) for the project."""
        self._check_floating()
        return self.db.floating_ip_allocate_address(
            project_id, pool or self.conf.default_floating_pool, auto_assigned=auto_assigned)

    def _auto_assign_floating_ip(self, project_id, allocation):
        network, _vif, fixed = allocation
        floating = self.allocate_floating_ip(project_id, auto_assigned=True)
        try:
            self.associate_floating_ip(floating['address'], fixed['address'],
                                       fixed['instance_uuid'])
        except Exception:
            self.db.floating_ip_deallocate(floating['address'])
            raise

    def associate_floating_ip(self, floating_address, fixed_address, instance_uuid,
                              forwarded=False):
        """Put ``floating_address`` on the server's ``fixed_address`` (moving it off
        another fixed IP first) and NAT it on the host that serves the fixed IP's
        network.  Returns the floating IP dict."""
        self._check_floating()
        fixed = next((f for f in self.db.fixed_ip_get_by_instance(instance_uuid)
                      if f['address'] == fixed_address and f['allocated']), None)
        if fixed is None:
            raise exception.FixedIpNotFound(address=fixed_address)
        network = self.db.network_get_all_by_ids([fixed['network_id']])[fixed['network_id']]
        host = fixed['host'] if network['multi_host'] and fixed['host'] \
            else self.network_host(network)
        if not forwarded and not self._is_local(host):
            return self.remote(host, 'associate_floating_ip', floating_address=floating_address,
                               fixed_address=fixed_address, instance_uuid=instance_uuid)
        floating = self.db.floating_ip_get_by_address(floating_address)
        if floating['fixed_ip_id'] not in (None, fixed['id']):
            self.disassociate_floating_ip(floating_address)
        floating = self.db.floating_ip_fixed_ip_associate(floating_address, fixed['id'],
                                                          self.host if self._is_local(host)
                                                          else host)
        if self.linux_net is not None:
            try:
                with self._host_changes():
                    self.linux_net.add_floating_ip(floating_address, fixed_address,
                                                   self._public_interface(floating))
            except Exception:
                self.db.floating_ip_disassociate(floating_address)
                raise
        self.get_instance_nw_info(instance_uuid)
        return floating

    def disassociate_floating_ip(self, floating_address, forwarded=False):
        """Take a floating IP off its fixed IP (and its NAT off the host that bound it);
        FloatingIpNotAssociated if it is on none."""
        self._check_floating()
        floating = self.db.floating_ip_get_by_address(floating_address)
        if floating['fixed_ip_id'] is None:
            raise exception.FloatingIpNotAssociated(address=floating_address)
        if not forwarded and not self._is_local(floating['host']):
            return self.remote(floating['host'], 'disassociate_floating_ip',
                               floating_address=floating_address)
        before = self.db.floating_ip_disassociate(floating_address)
        if self.linux_net is not None:
            self._best_effort('removing floating IP %s' % floating_address,
                              self.linux_net.remove_floating_ip, floating_address,
                              before['fixed_ip'], self._public_interface(before))
        if before['instance_uuid']:
            self.get_instance_nw_info(before['instance_uuid'])
        return before

    def _release_floating_ips_of(self, fixed, release_auto):
        for floating in self.db.floating_ip_get_all(fixed_ip_ids=[fixed['id']]):
            try:
                self.disassociate_floating_ip(floating['address'])
            except exception.FloatingIpNotAssociated:
                pass
            if release_auto and floating['auto_assigned']:
                self.db.floating_ip_deallocate(floating['address'])

    def _public_interface(self, floating):
        return floating.get('interface') or self.conf.public_interface

    # -- DHCP leases --------------------------------------------------------------------

    def lease_fixed_ip(self, address):
        """dnsmasq handed ``address`` out (dhcpbridge ``add``)."""
        return self.db.fixed_ip_set_leased(address, True)

    def release_fixed_ip(self, address):
        """dnsmasq saw ``address`` released (dhcpbridge ``del``): a deallocated address
        returns to the pool."""
        return self.db.fixed_ip_set_leased(address, False)

    def disassociate_stale_fixed_ips(self, now=None):
        """Free deallocated addresses older than fixed_ip_disassociate_timeout on the
        networks this host serves; returns how many."""
        if not self.timeout_fixed_ips:
            return 0
        now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        before = now - datetime.timedelta(seconds=self.conf.fixed_ip_disassociate_timeout)
        return self.db.fixed_ip_disassociate_all_by_timeout(self.host, before)

    # -- the host side ------------------------------------------------------------------

    @contextlib.contextmanager
    def _host_changes(self):
        """A host transaction: the commands of a failing block are undone."""
        executor = getattr(self.linux_net, 'executor', None)
        transaction = getattr(executor, 'transaction', None)
        with (transaction() if transaction else contextlib.nullcontext()):
            yield

    def _best_effort(self, what, func, *args):
        try:
            func(*args)
        except Exception:
            LOG.exception('%s failed', what)

    def _setup_on_hosts(self, pairs, instance_host):
        """Plug each network (once) on the host serving it; raises if a command fails."""
        seen = set()
        for network, _fixed in pairs:
            host = self.network_host(network, instance_host)
            if (network['id'], host) in seen:
                continue
            seen.add((network['id'], host))
            if self._is_local(host):
                self.update_network(network)
            else:
                self.remote(host, 'update_network_on_host', network_uuid=network['uuid'])

    def _refresh_hosts(self, released, instance_host):
        """After releases: DHCP release and a new hosts file on each serving host."""
        by_network = {}
        for network, fixed, mac in released:
            host = fixed.get('host') if network['multi_host'] and fixed.get('host') \
                else (network['host'] or instance_host)
            by_network.setdefault((network['id'], host), (network, []))[1].append(
                [fixed['address'], mac])
        for (_id, host), (network, addresses) in by_network.items():
            try:
                if self._is_local(host):
                    self.update_network(network, released=addresses)
                else:
                    self.remote(host, 'update_network_on_host', network_uuid=network['uuid'],
                                released=addresses)
            except Exception:
                LOG.exception('Updating network %s on %s failed', network['uuid'], host)

    def update_network(self, network, released=()):
        """Plug ``network`` on this host and rewrite its DHCP hosts; ``released``
        ([address, mac]) get a DHCP release first.  Idempotent."""
        if self.linux_net is None:
            return
        with self._host_changes():
            self.setup_network(network)
            if self.DHCP:
                if self.conf.force_dhcp_release:
                    for address, mac in released:
                        if mac:
                            self._best_effort('releasing the DHCP lease of %s' % address,
                                              self.linux_net.release_dhcp, network['bridge'],
                                              address, mac)
                self.linux_net.update_dhcp(self._dhcp_network(network),
                                           self._dhcp_hosts(network))

    def setup_network(self, network):
        """Plug the network's L2 on this host (bridge, VLAN); nothing in the base (flat:
        the bridge must already exist)."""

    def _gateway_cidr(self, network):
        return '%s/%d' % (network['gateway'], netaddr.IPNetwork(network['cidr']).prefixlen)

    @staticmethod
    def _dhcp_network(network):
        keys = ('id', 'uuid', 'label', 'bridge', 'cidr', 'netmask', 'dhcp_server',
                'dhcp_start', 'dns1', 'dns2')
        return {k: network.get(k) for k in keys}

    def _dhcp_hosts(self, network):
        # multi_host: each host's dnsmasq answers for the servers on that host only
        hosts = self.db.fixed_ip_dhcp_hosts(
            network['id'], host=self.host if network['multi_host'] else None)
        return [{'mac': h['mac'], 'hostname': h['hostname'], 'ip': h['ip']} for h in hosts]

    def setup_networks_on_host(self, instance_uuid, host, teardown=False):
        """Plug (or, with ``teardown``, refresh after removal) the server's networks this
        host serves."""
        fixed_ips = self.db.fixed_ip_get_by_instance(instance_uuid)
        networks = self.db.network_get_all_by_ids([f['network_id'] for f in fixed_ips])
        for network in networks.values():
            if self.network_host(network, host) in (host, self.host):
                self.update_network(network)

    def update_network_on_host(self, network_uuid, released=()):
        """Refresh one network served here (an RPC from the host that allocated)."""
        self.update_network(self.db.network_get(network_uuid), released=released)

    def init_host(self):
        """After a (re)start: plug every network this host serves, write their DHCP
        state, SNAT their ranges and rebind the floating IPs bound here."""
        if self.linux_net is None:
            return
        for network in self.db.network_get_all_by_host(self.host):
            try:
                self.linux_net.init_host(network['cidr'])
                self.update_network(network)
            except Exception:
                LOG.exception('Restoring network %s failed', network['uuid'])
        if not self.FLOATING_IPS:
            return
        for floating in self.db.floating_ip_get_all(host=self.host, associated=True):
            self._best_effort('restoring floating IP %s' % floating['address'],
                              self.linux_net.add_floating_ip, floating['address'],
                              floating['fixed_ip'], self._public_interface(floating))

    # -- security rules -----------------------------------------------------------------

    def get_instance_security_rules(self, instance_uuid):
        """What a compute needs to render the server's firewall: its fixed IPs and MACs,
        the rules of its security groups (source groups resolved to member IPs) and its
        networks (DHCP server, same-net traffic)."""
        fixed_ips = [f for f in self.db.fixed_ip_get_by_instance(instance_uuid)
                     if f['allocated']]
        vifs = self.db.virtual_interface_get_by_instance(instance_uuid)
        networks = self.db.network_get_all_by_ids([v['network_id'] for v in vifs])
        rules = []
        for rule in self.db.security_group_rules_for_instance(instance_uuid):
            rules.append({
                'protocol': rule.get('protocol', rule.get('ip_protocol')),
                'from_port': rule.get('from_port'), 'to_port': rule.get('to_port'),
                'cidr': rule.get('cidr'),
                'source_ips': list(rule.get('source_ips') or []),
            })
        return {
            'instance_uuid': instance_uuid,
            'ips': [f['address'] for f in fixed_ips],
            'macs': [v['address'] for v in vifs],
            'rules': rules,
            'networks': [{'cidr': n['cidr'], 'dhcp_server': n['dhcp_server'],
                          'gateway': n['gateway']} for n in networks.values()],
        }
