"""``/servers/{server_id}/os-interface[/{port_id}]``: a server's virtual interfaces.

nova-network has no ports: an interface is a VIF (``port_id`` is the VIF's uuid,
``net_id`` its network's) with one fixed IP.  Attach takes a network
(``net_id``, optionally ``fixed_ips: [{"ip_address"}]``) and answers 200 with the
new interface; attaching a port is refused (400).  Detach answers 202.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.api.compute import servers
from novalite.network import model

RULE = 'os_compute_api:os-attach-interfaces:%s'


def interface_view(vif):
    """Nova's interfaceAttachment body of one network_info entry."""
    return {'port_id': vif['id'], 'net_id': vif['network']['id'],
            'mac_addr': vif['address'], 'port_state': 'ACTIVE',
            'fixed_ips': [{'ip_address': ip['address'], 'subnet_id': None}
                          for ip in model.fixed_ips([vif])]}


class _InterfaceResource(servers.ServerResource):
    def _vifs(self, req, instance):
        return self.compute_api.list_interfaces(req.context.ctx, instance) or []


class ServerInterfaces(_InterfaceResource):
    """``GET`` and ``POST /servers/{server_id}/os-interface``."""

    def on_get(self, req, resp, server_id):
        instance = self.get_server(req, server_id, RULE % 'list')
        resp.media = {'interfaceAttachments': [interface_view(v)
                                               for v in self._vifs(req, instance)]}

    def on_post(self, req, resp, server_id):
        data = schemas.validate(schemas.INTERFACE_ATTACH, common.body(req) or {})
        attachment = data.get('interfaceAttachment') or {}
        instance = self.get_server(req, server_id, RULE % 'create')
        network_id = attachment.get('net_id')
        if attachment.get('port_id'):
            raise exception.Invalid('Attaching a port (port_id) is not possible: this cloud '
                                    'has no ports (nova-network); give net_id instead.')
        requested_ip = None
        if attachment.get('fixed_ips'):
            requested_ip = attachment['fixed_ips'][0]['ip_address']
            if not network_id:
                raise exception.Invalid('Must input network_id when request IP address')
        vif = self.compute_api.attach_interface(req.context.ctx, instance, network_id,
                                                requested_ip)
        resp.media = {'interfaceAttachment': interface_view(vif)}


class ServerInterface(_InterfaceResource):
    """``GET`` and ``DELETE /servers/{server_id}/os-interface/{port_id}``."""

    def on_get(self, req, resp, server_id, port_id):
        instance = self.get_server(req, server_id, RULE % 'show')
        vif = model.find_vif(self._vifs(req, instance), port_id)
        if vif is None:
            raise exception.InterfaceNotFound(port_id=port_id, instance_id=instance.uuid)
        resp.media = {'interfaceAttachment': interface_view(vif)}

    def on_delete(self, req, resp, server_id, port_id):
        instance = self.get_server(req, server_id, RULE % 'delete')
        self.compute_api.detach_interface(req.context.ctx, instance, port_id)
        resp.status = falcon.HTTP_202
