"""The network facade of the REST layer: networks, floating IPs, multinic and info caches.

Reads and bookkeeping (floating-IP allocation to projects, quotas, network
records) go to the database; whatever touches a host (binding a floating IP,
plugging a new NIC) is an RPC to the network service.  Every method takes the
request context first and returns plain, JSON-safe dicts.  Security groups are
``novalite.network.security_group_api``.
"""

import datetime

import netaddr

from novalite import exception
from novalite import plugin
from novalite.compute import quotas as quota_mod

_UNSET = object()

#: network fields the API shows (os-networks), in Nova's names
_NETWORK_FIELDS = ('id', 'uuid', 'label', 'cidr', 'cidr_v6', 'netmask', 'gateway', 'broadcast',
                   'dns1', 'dns2', 'bridge', 'bridge_interface', 'vlan', 'vpn_private_address',
                   'dhcp_start', 'dhcp_server', 'enable_dhcp', 'share_address', 'injected',
                   'multi_host', 'project_id', 'priority', 'host', 'mtu', 'created_at',
                   'updated_at', 'deleted_at', 'deleted')


def network_view(network):
    """A network row as a JSON-safe dict (timestamps as ISO strings)."""
    view = {}
    for key in _NETWORK_FIELDS:
        value = network.get(key)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        view[key] = value
    return view


def parse_ip_range(ip_range):
    """The addresses of a CIDR (``172.24.4.0/24``: every host address) or a single IP."""
    try:
        net = netaddr.IPNetwork(ip_range)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise exception.Invalid(reason='%s is not an IP range (CIDR)' % ip_range) from None
    if net.size > 2 ** 16:
        raise exception.Invalid(reason='%s has more than 65536 addresses' % ip_range)
    if net.size <= 2:
        return [str(ip) for ip in net]
    return [str(ip) for ip in net.iter_hosts()]


class API:
    """Networks, floating IPs, multinic and network_info for the REST layer."""

    def __init__(self, conf, db, network_rpcapi=None, compute_rpcapi=None):
        self.conf = conf
        self.db = db
        self.network_rpcapi = network_rpcapi
        self.compute_rpcapi = compute_rpcapi
        self.quotas = quota_mod.QuotaEngine(conf, db)
        self._manager = None

    @property
    def manager(self):
        """The configured manager plugin, without host access (it decides bridges, VLANs
        and reserved addresses of new networks)."""
        if self._manager is None:
            cls = plugin.load_class(plugin.NETWORK_MANAGERS, self.conf.network_manager)
            self._manager = plugin.instantiate(cls, self.conf, self.db, None)
        return self._manager

    @staticmethod
    def _require_admin(ctx, action):
        if not getattr(ctx, 'is_admin', False):
            raise exception.PolicyNotAuthorized(action=action)

    # -- networks -----------------------------------------------------------------------

    def get_all(self, ctx):
        """Every network for an admin; the project's and the shared ones otherwise."""
        project = None if ctx.is_admin else ctx.project_id
        return [network_view(n) for n in self.db.network_get_all(project_id=project)]

    def get(self, ctx, network_uuid):
        """One network (NetworkNotFound if unknown or another project's)."""
        network = self.db.network_get(network_uuid)
        if not ctx.is_admin and network['project_id'] not in (None, ctx.project_id):
            raise exception.NetworkNotFound(network_id=network_uuid)
        return network_view(network)

    def create(self, ctx, **kwargs):
        """Admin: networks as ``novalite-manage network create`` makes them; returns them."""
        self._require_admin(ctx, 'os_compute_api:os-networks:create')
        return [network_view(n) for n in self.manager.create_networks(**kwargs)]

    def delete(self, ctx, network_uuid):
        """Admin: delete a network (NetworkInUse while a server has one of its addresses)."""
        self._require_admin(ctx, 'os_compute_api:os-networks:delete')
        self.manager.delete_network(network_uuid)

    def associate(self, ctx, network_uuid, project_id=_UNSET, host=_UNSET):
        """Admin: set a network's project and/or host."""
        self._require_admin(ctx, 'os_compute_api:os-networks-associate')
        network = self.db.network_get(network_uuid)
        values = {}
        if project_id is not _UNSET:
            values['project_id'] = project_id
        if host is not _UNSET:
            values['host'] = host
        return network_view(self.db.network_update(network['id'], values)
                            if values else network)

    def disassociate(self, ctx, network_uuid, project=True, host=True):
        """Admin: clear a network's project and/or host."""
        self._require_admin(ctx, 'os_compute_api:os-networks-associate')
        network = self.db.network_get(network_uuid)
        return network_view(self.db.network_disassociate(network['id'], project=project,
                                                         host=host))

    # -- floating IPs -------------------------------------------------------------------

    def get_floating_ip_pools(self, ctx):
        return self.db.floating_ip_get_pools()

    def get_floating_ips_by_project(self, ctx):
        return self.db.floating_ip_get_all(project_id=ctx.project_id)

    def _visible(self, ctx, floating, key):
        if floating['project_id'] != ctx.project_id and not ctx.is_admin:
            raise exception.FloatingIpNotFound(id=key)
        return floating

    def get_floating_ip(self, ctx, floating_id):
        try:
            floating_id = int(floating_id)
        except (TypeError, ValueError):
            raise exception.FloatingIpNotFound(id=floating_id) from None
        return self._visible(ctx, self.db.floating_ip_get(floating_id), floating_id)

    def get_floating_ip_by_address(self, ctx, address):
        return self._visible(ctx, self.db.floating_ip_get_by_address(address), address)

    def allocate_floating_ip(self, ctx, pool=None):
        """A free address of ``pool`` (default_floating_pool) for the project, within its
        ``floating_ips`` quota.  NoMoreFloatingIps / FloatingIpPoolNotFound."""
        limit = self.quotas.get_limits(ctx.project_id).get('floating_ips', -1)

        def over():
            return 0 <= limit < self.db.floating_ip_count_by_project(ctx.project_id)

        if limit >= 0 and self.db.floating_ip_count_by_project(ctx.project_id) >= limit:
            raise exception.QuotaExceeded(reason='Maximum number of floating IPs exceeded')
        floating = self.db.floating_ip_allocate_address(
            ctx.project_id, pool or self.conf.default_floating_pool)
        if over():   # a racing allocation of the same project got in first
            self.db.floating_ip_deallocate(floating['address'])
            raise exception.QuotaExceeded(reason='Maximum number of floating IPs exceeded')
        return floating

    def release_floating_ip(self, ctx, address):
        """Return the project's address to its pool (disassociated first)."""
        floating = self.get_floating_ip_by_address(ctx, address)
        if floating['fixed_ip_id'] is not None:
            self.network_rpcapi.disassociate_floating_ip(ctx, address)
        self.db.floating_ip_deallocate(address)

    def associate_floating_ip(self, ctx, instance, floating_address, fixed_address=None):
        """Bind the project's floating IP to the server's fixed IP (its first one unless
        named); returns the floating IP."""
        floating = self.get_floating_ip_by_address(ctx, floating_address)
        if floating['project_id'] is None:
            raise exception.FloatingIpNotFound(id=floating_address)
        fixed = [f['address'] for f in self.db.fixed_ip_get_by_instance(instance.uuid)
                 if f['allocated']]
        if not fixed:
            raise exception.FixedIpNotFound(address='of instance %s' % instance.uuid)
        if fixed_address is None:
            fixed_address = fixed[0]
        elif fixed_address not in fixed:
            raise exception.FixedIpNotFound(address=fixed_address)
        return self.network_rpcapi.associate_floating_ip(ctx, floating_address, fixed_address,
                                                         instance.uuid)

    def disassociate_floating_ip(self, ctx, instance, address):
        """Unbind the floating IP from the server (FloatingIpNotAssociated if it is not
        on it)."""
        floating = self.get_floating_ip_by_address(ctx, address)
        if floating['instance_uuid'] != instance.uuid:
            raise exception.FloatingIpNotAssociated(address=address)
        return self.network_rpcapi.disassociate_floating_ip(ctx, address)

    def create_floating_ips(self, ip_range, pool=None, interface=None):
        """Admin/manage: add a range to a pool; returns how many addresses."""
        return self.db.floating_ip_bulk_create(parse_ip_range(ip_range),
                                               pool or self.conf.default_floating_pool,
                                               interface or self.conf.public_interface)

    def delete_floating_ips(self, ip_range):
        """Admin/manage: delete a range (refused while one is on a server); returns how
        many existed (FloatingIpNotFound if none)."""
        deleted = self.db.floating_ip_bulk_destroy(parse_ip_range(ip_range))
        if not deleted:
            raise exception.FloatingIpNotFound(id=ip_range)
        return deleted

    def list_floating_ips(self, pool=None):
        return self.db.floating_ip_get_all(pool=pool)

    # -- multinic -----------------------------------------------------------------------

    def add_fixed_ip_to_instance(self, ctx, instance, network_uuid):
        self.get(ctx, network_uuid)
        return self.network_rpcapi.add_fixed_ip_to_instance(
            ctx, instance.uuid, instance.project_id, instance.host, network_uuid)

    def remove_fixed_ip_from_instance(self, ctx, instance, address):
        return self.network_rpcapi.remove_fixed_ip_from_instance(ctx, instance.uuid,
                                                                 instance.host, address)

    # -- network_info -------------------------------------------------------------------

    def get_instance_nw_info(self, ctx, instance_uuid):
        """The server's cached network_info ([] if none)."""
        return self.db.instance_info_cache_get(instance_uuid)

    def get_nw_info_for_instances(self, ctx, uuids):
        """``{uuid: network_info}`` for a server list (one query)."""
        uuids = list(uuids)
        found = self.db.instance_info_cache_get_many(uuids)
        return {u: found.get(u, []) for u in uuids}
