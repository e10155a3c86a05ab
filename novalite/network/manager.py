"""The network service endpoint: runs the configured network manager plugin over RPC.

``NetworkService`` loads ``conf.network_manager`` from ``novalite.network.managers``
and hands it the database, the host driver (``LinuxNet`` over the executor of
``network_executor``) and a way to reach other network hosts.  ``init_host``
restores the bridges, dnsmasqs and floating IPs of the networks this host serves;
the periodic task frees addresses deallocated longer than
``fixed_ip_disassociate_timeout`` ago.
"""

import oslo_messaging as messaging
from oslo_log import log as logging

from novalite import context as nl_context
from novalite import exception
from novalite import plugin
from novalite.network import executor as network_executor
from novalite.network import linux_net as linux_net_mod

LOG = logging.getLogger(__name__)

#: manager methods another network host may ask this one to run
FORWARDABLE = {'associate_floating_ip', 'disassociate_floating_ip', 'update_network_on_host'}


class NetworkService:
    """RPC endpoint of novalite-network."""

    target = messaging.Target(version='1.0')

    def __init__(self, conf, db, host, network_rpcapi=None, linux_net=None, manager=None):
        self.conf = conf
        self.db = db
        self.host = host
        self.network_rpcapi = network_rpcapi
        if linux_net is None:
            linux_net = linux_net_mod.LinuxNet(conf, network_executor.from_conf(conf))
        self.linux_net = linux_net
        remote = self._remote if network_rpcapi is not None else None
        self.manager = manager or plugin.load(plugin.NETWORK_MANAGERS, conf.network_manager,
                                              conf, db, linux_net, host=host, remote=remote)

    def _remote(self, host, method, **kwargs):
        return self.network_rpcapi.forward(nl_context.get_admin_context(), host, method,
                                           kwargs)

    # -- service hooks ------------------------------------------------------------------

    def init_host(self, ctx):
        self.manager.init_host()

    def periodic_tasks(self, ctx):
        freed = self.manager.disassociate_stale_fixed_ips()
        if freed:
            LOG.info('Freed %d stale fixed IP(s)', freed)

    # -- RPC ----------------------------------------------------------------------------

    def allocate_for_instance(self, ctx, instance_uuid, project_id, host,
                              requested_networks=None, macs=None):
        return self.manager.allocate_for_instance(instance_uuid, project_id, host,
                                                  requested_networks=requested_networks,
                                                  macs=macs)

    def deallocate_for_instance(self, ctx, instance_uuid, project_id, host):
        self.manager.deallocate_for_instance(instance_uuid, project_id, host)

    def get_instance_nw_info(self, ctx, instance_uuid):
        return self.manager.get_instance_nw_info(instance_uuid)

    def add_fixed_ip_to_instance(self, ctx, instance_uuid, project_id, host, network_uuid):
        return self.manager.add_fixed_ip_to_instance(instance_uuid, project_id, host,
                                                     network_uuid)

    def remove_fixed_ip_from_instance(self, ctx, instance_uuid, host, address):
        return self.manager.remove_fixed_ip_from_instance(instance_uuid, host, address)

    def allocate_interface(self, ctx, instance_uuid, project_id, host, network_uuid,
                           requested_ip=None):
        return self.manager.allocate_interface(instance_uuid, project_id, host, network_uuid,
                                               requested_ip=requested_ip)

    def deallocate_interface(self, ctx, instance_uuid, host, vif_uuid):
        self.manager.deallocate_interface(instance_uuid, host, vif_uuid)

    def associate_floating_ip(self, ctx, floating_address, fixed_address, instance_uuid):
        return self.manager.associate_floating_ip(floating_address, fixed_address,
                                                  instance_uuid)

    def disassociate_floating_ip(self, ctx, floating_address):
        return self.manager.disassociate_floating_ip(floating_address)

    def lease_fixed_ip(self, ctx, address):
        self.manager.lease_fixed_ip(address)

    def release_fixed_ip(self, ctx, address):
        self.manager.release_fixed_ip(address)

    def get_instance_security_rules(self, ctx, instance_uuid):
        return self.manager.get_instance_security_rules(instance_uuid)

    def setup_networks_on_host(self, ctx, instance_uuid, host, teardown=False):
        self.manager.setup_networks_on_host(instance_uuid, host, teardown=teardown)

    def forwarded(self, ctx, method, kwargs):
        """Another network host's manager asks this host to do ``method`` here."""
        if method not in FORWARDABLE:
            raise exception.Invalid(reason='%s cannot be forwarded' % method)
        if method != 'update_network_on_host':
            kwargs = dict(kwargs, forwarded=True)
        return getattr(self.manager, method)(**kwargs)
