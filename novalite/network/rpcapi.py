"""Client of the network service (topic ``conf.network_topic``).

Calls that must run where a network is plugged are host-targeted
(``prepare(server=host)``): ``setup_networks_on_host``, and the managers'
forwarding between network hosts.  With ``multi_host`` every compute runs its
own network service, so allocation goes to the server's host, as in Nova.
Everything sent and returned is JSON-safe.
"""

from novalite import rpc

VERSION = '1.0'


class NetworkAPI:
    """What computes and the API ask the network service."""

    def __init__(self, conf, transport=None):
        self.conf = conf
        self.client = rpc.get_client(conf, conf.network_topic, VERSION, transport=transport)

    def _for_host(self, host):
        """The instance's own network service under multi_host, else any of them."""
        return self.client.prepare(server=host) if self.conf.multi_host and host \
            else self.client

    def allocate_for_instance(self, ctx, instance_uuid, project_id, host,
                              requested_networks=None, macs=None):
        """A VIF and fixed IP per network; the server's network_info."""
        return self._for_host(host).call(
            ctx, 'allocate_for_instance', instance_uuid=instance_uuid, project_id=project_id,
            host=host, requested_networks=requested_networks, macs=macs)

    def deallocate_for_instance(self, ctx, instance_uuid, project_id, host):
        """Release the server's fixed and floating IPs and VIFs; drop its info cache."""
        return self._for_host(host).call(
            ctx, 'deallocate_for_instance', instance_uuid=instance_uuid,
            project_id=project_id, host=host)

    def get_instance_nw_info(self, ctx, instance_uuid):
        """The server's network_info rebuilt from the database (and cached)."""
        return self.client.call(ctx, 'get_instance_nw_info', instance_uuid=instance_uuid)

    def add_fixed_ip_to_instance(self, ctx, instance_uuid, project_id, host, network_uuid):
        return self._for_host(host).call(
            ctx, 'add_fixed_ip_to_instance', instance_uuid=instance_uuid,
            project_id=project_id, host=host, network_uuid=network_uuid)

    def remove_fixed_ip_from_instance(self, ctx, instance_uuid, host, address):
        return self._for_host(host).call(
            ctx, 'remove_fixed_ip_from_instance', instance_uuid=instance_uuid, host=host,
            address=address)

    def allocate_interface(self, ctx, instance_uuid, project_id, host, network_uuid,
                           requested_ip=None):
        """os-interface attach: the new VIF's network_info entry."""
        return self._for_host(host).call(
            ctx, 'allocate_interface', instance_uuid=instance_uuid, project_id=project_id,
            host=host, network_uuid=network_uuid, requested_ip=requested_ip)

    def deallocate_interface(self, ctx, instance_uuid, host, vif_uuid):
        return self._for_host(host).call(
            ctx, 'deallocate_interface', instance_uuid=instance_uuid, host=host,
            vif_uuid=vif_uuid)

    def associate_floating_ip(self, ctx, floating_address, fixed_address, instance_uuid):
        """Bind a floating IP to the server's fixed IP (the service forwards it to the host
        that serves the fixed IP's network)."""
        return self.client.call(ctx, 'associate_floating_ip', floating_address=floating_address,
                                fixed_address=fixed_address, instance_uuid=instance_uuid)

    def disassociate_floating_ip(self, ctx, floating_address):
        return self.client.call(ctx, 'disassociate_floating_ip',
                                floating_address=floating_address)

    def lease_fixed_ip(self, ctx, address, host=None):
        """dnsmasq leased ``address`` (its dhcp-script's ``add``)."""
        client = self.client.prepare(server=host) if host else self.client
        return client.call(ctx, 'lease_fixed_ip', address=address)

    def release_fixed_ip(self, ctx, address, host=None):
        """dnsmasq released ``address`` (its dhcp-script's ``del``)."""
        client = self.client.prepare(server=host) if host else self.client
        return client.call(ctx, 'release_fixed_ip', address=address)

    def get_instance_security_rules(self, ctx, instance_uuid):
        """The server's fixed IPs, MACs, security-group rules and networks (for its
        compute's firewall)."""
        return self.client.call(ctx, 'get_instance_security_rules',
                                instance_uuid=instance_uuid)

    def setup_networks_on_host(self, ctx, instance_uuid, host, teardown=False):
        """Plug the server's networks on ``host``'s network service."""
        return self.client.prepare(server=host).call(
            ctx, 'setup_networks_on_host', instance_uuid=instance_uuid, host=host,
            teardown=teardown)

    def forward(self, ctx, host, method, kwargs):
        """Run a manager ``method`` on network host ``host`` (managers forwarding work
        to the host that serves a network)."""
        return self.client.prepare(server=host).call(ctx, 'forwarded', method=method,
                                                     kwargs=kwargs)
