"""``/servers/{server_id}/ips[/{network_label}]``: a server's addresses by network label.

From the server's network info cache, as Nova's ips API: each entry is
``{"version", "addr"}`` (the ``OS-EXT-IPS`` type and MAC are only in server bodies).
"""

from novalite import exception
from novalite.api.compute import servers
from novalite.network import model

RULE = 'os_compute_api:ips:%s'


def addresses(network_info):
    return {label: [{'version': e['version'], 'addr': e['addr']} for e in entries]
            for label, entries in model.addresses(network_info).items()}


class _IpsResource(servers.ServerResource):
    def _addresses(self, req, server_id, action):
        instance = self.get_server(req, server_id, RULE % action)
        return addresses(self.backends.network_api.get_instance_nw_info(req.context.ctx,
                                                                         instance.uuid))


class ServerIps(_IpsResource):
    """``GET /servers/{server_id}/ips``."""

    def on_get(self, req, resp, server_id):
        resp.media = {'addresses': self._addresses(req, server_id, 'index')}


class ServerIpsByNetwork(_IpsResource):
    """``GET /servers/{server_id}/ips/{network_label}``."""

    def on_get(self, req, resp, server_id, network_label):
        found = self._addresses(req, server_id, 'show')
        if network_label not in found:
            raise exception.NotFound('Instance is not a member of specified network')
        resp.media = {network_label: found[network_label]}
