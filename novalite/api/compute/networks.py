"""``/os-networks``: nova-network's networks (list and show for all; admin create, delete,
associate and disassociate).

A proxy API in Nova: gone (404) from microversion 2.36.  Bodies follow Nova's
``network_dict``: an admin sees every column, others the addressing ones; the
``id`` is the network's uuid.
"""

import falcon
import netaddr
from oslo_utils import strutils

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas

MAX_VERSION = (2, 35)
RULE = 'os_compute_api:os-networks:%s'
ASSOCIATE_RULE = 'os_compute_api:os-networks-associate'

_FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6',
           'gateway_v6', 'label', 'netmask_v6')
_ADMIN_FIELDS = ('created_at', 'updated_at', 'deleted_at', 'deleted', 'injected', 'bridge',
                 'vlan', 'vpn_public_address', 'vpn_public_port', 'vpn_private_address',
                 'dhcp_start', 'project_id', 'host', 'bridge_interface', 'multi_host',
                 'priority', 'rxtx_base', 'mtu', 'dhcp_server', 'enable_dhcp', 'share_address')
_TIMES = ('created_at', 'updated_at', 'deleted_at')


def network_view(ctx, network):
    """Nova's network_dict: the admin fields only for admins; ``id`` is the uuid."""
    fields = _FIELDS + (_ADMIN_FIELDS if ctx.is_admin else ())
    body = {}
    for field in fields:
        value = network.get(field)
        if field in _TIMES:
            value = common.isotime_micro(value)
        elif field == 'deleted':
            value = bool(value)
        body[field] = value
    if network.get('uuid'):
        body['id'] = network['uuid']
    return body


def _not_found():
    return exception.NetworkNotFound('Network not found')


class _NetworkResource(common.Resource):
    @property
    def network_api(self):
        return self.backends.network_api


class NetworkCollection(_NetworkResource):
    """``GET /os-networks`` and (admin) ``POST /os-networks``."""

    def on_get(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'list')
        ctx = req.context.ctx
        resp.media = {'networks': [network_view(ctx, n)
                                   for n in self.network_api.get_all(ctx)]}

    def on_post(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        network = schemas.validate(schemas.NETWORK_CREATE, common.body(req))['network']
        self.authorize(req, RULE % 'create')
        ctx = req.context.ctx
        kwargs = dict(network)
        if 'multi_host' in kwargs:
            kwargs['multi_host'] = strutils.bool_from_string(kwargs['multi_host'])
        for key in ('vlan', 'vlan_start'):
            if key in kwargs:
                kwargs[key] = int(kwargs[key])
        # one network of the whole CIDR, as Nova's create
        kwargs['num_networks'] = 1
        kwargs['network_size'] = netaddr.IPNetwork(kwargs['cidr']).size
        created = self.network_api.create(ctx, **kwargs)
        resp.media = {'network': network_view(ctx, created[0])}


class Network(_NetworkResource):
    """``GET`` and (admin) ``DELETE /os-networks/{network_id}``."""

    def on_get(self, req, resp, network_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'show')
        ctx = req.context.ctx
        try:
            network = self.network_api.get(ctx, network_id)
        except exception.NetworkNotFound:
            raise _not_found() from None
        resp.media = {'network': network_view(ctx, network)}

    def on_delete(self, req, resp, network_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'delete')
        try:
            self.network_api.delete(req.context.ctx, network_id)
        except exception.NetworkNotFound:
            raise _not_found() from None
        resp.status = falcon.HTTP_202


class NetworkAdd(_NetworkResource):
    """``POST /os-networks/add {"id": uuid|null}``: give a network to the caller's project
    (a free one when ``id`` is null)."""

    def on_post(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        body = schemas.validate(schemas.NETWORK_ADD, common.body(req))
        self.authorize(req, RULE % 'add')
        ctx = req.context.ctx
        network_id = body['id']
        try:
            if network_id:
                self.network_api.associate(ctx, network_id, project_id=ctx.project_id)
            else:
                self._associate_free(ctx)
        except (exception.NoMoreNetworks, exception.NetworkNotFound) as exc:
            raise exception.Invalid(exc.message) from None
        resp.status = falcon.HTTP_202

    def _associate_free(self, ctx):
        for network in self.network_api.get_all(ctx):
            if not network.get('project_id'):
                self.network_api.associate(ctx, network['uuid'], project_id=ctx.project_id)
                return
        raise exception.NoMoreNetworks(reason='no network is free to associate')


# action -> (policy rule, network API method, its keyword arguments)
_ACTIONS = {
    'disassociate': (RULE % 'disassociate', 'disassociate', {'project': True, 'host': True}),
    'disassociate_host': (ASSOCIATE_RULE, 'disassociate', {'project': False, 'host': True}),
    'disassociate_project': (ASSOCIATE_RULE, 'disassociate', {'project': True, 'host': False}),
    'associate_host': (ASSOCIATE_RULE, 'associate', {}),
}


class NetworkAction(_NetworkResource):
    """``POST /os-networks/{network_id}/action``: ``disassociate`` (project and host),
    ``disassociate_host``, ``disassociate_project``, ``associate_host``."""

    def on_post(self, req, resp, network_id):
        common.require_version(req, maximum=MAX_VERSION)
        body = common.body(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid('Malformed request body')
        name = next(iter(body))
        if name not in _ACTIONS:
            raise exception.Invalid('There is no such action: %s' % name)
        rule, method, kwargs = _ACTIONS[name]
        kwargs = dict(kwargs)
        if name == 'associate_host':
            kwargs['host'] = schemas.validate(schemas.NETWORK_ASSOCIATE_HOST,
                                              body)['associate_host']
        self.authorize(req, rule)
        try:
            getattr(self.network_api, method)(req.context.ctx, network_id, **kwargs)
        except exception.NetworkNotFound:
            raise _not_found() from None
        resp.status = falcon.HTTP_202
