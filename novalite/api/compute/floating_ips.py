"""``/os-floating-ips[/{id}]``: a project's floating IPs (list, show, allocate, release).

Association with a server goes through the ``addFloatingIp``/``removeFloatingIp``
server actions (server_actions.py).  A proxy API in Nova: gone (404) from 2.36.
Errors carry Nova's messages: an exhausted pool is a 404, the quota a 403.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas

MAX_VERSION = (2, 35)
RULE = 'os_compute_api:os-floating-ips'


def floating_ip_view(floating_ip):
    """Nova's body: ``{id, ip, pool, fixed_ip, instance_id}``."""
    return {'id': floating_ip['id'], 'ip': floating_ip['address'], 'pool': floating_ip['pool'],
            'fixed_ip': floating_ip.get('fixed_ip'),
            'instance_id': floating_ip.get('instance_uuid')}


def get_floating_ip(network_api, ctx, floating_ip_id):
    """The caller's floating IP by id; 404 with Nova's message otherwise."""
    not_found = exception.FloatingIpNotFound('Floating IP not found for ID %s' % floating_ip_id)
    if not str(floating_ip_id).isdigit():
        raise not_found
    try:
        floating_ip = network_api.get_floating_ip(ctx, int(floating_ip_id))
    except exception.NotFound:
        raise not_found from None
    if not ctx.is_admin and floating_ip.get('project_id') != ctx.project_id:
        raise not_found
    return floating_ip


class FloatingIpCollection(common.Resource):
    """``GET /os-floating-ips`` and ``POST /os-floating-ips {"pool": name}``."""

    def on_get(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE)
        ips = self.backends.network_api.get_floating_ips_by_project(req.context.ctx)
        resp.media = {'floating_ips': [floating_ip_view(ip) for ip in ips]}

    def on_post(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        body = schemas.validate(schemas.FLOATING_IP_CREATE, common.body(req) or {})
        self.authorize(req, RULE)
        ctx = req.context.ctx
        pool = body.get('pool')
        network_api = self.backends.network_api
        try:
            allocated = network_api.allocate_floating_ip(ctx, pool)
        except exception.NoMoreFloatingIps:
            raise exception.NoMoreFloatingIps(
                'No more floating IPs in pool %s.' % pool if pool
                else 'No more floating IPs available.') from None
        except exception.QuotaExceeded:
            raise exception.QuotaExceeded(
                'IP allocation over quota in pool %s.' % pool if pool
                else 'IP allocation over quota.') from None
        if not isinstance(allocated, dict):  # an address
            allocated = network_api.get_floating_ip_by_address(ctx, allocated)
        resp.media = {'floating_ip': floating_ip_view(allocated)}


class FloatingIp(common.Resource):
    """``GET`` and ``DELETE /os-floating-ips/{floating_ip_id}`` (release, disassociating
    it first)."""

    def on_get(self, req, resp, floating_ip_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE)
        floating_ip = get_floating_ip(self.backends.network_api, req.context.ctx,
                                      floating_ip_id)
        resp.media = {'floating_ip': floating_ip_view(floating_ip)}

    def on_delete(self, req, resp, floating_ip_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE)
        ctx = req.context.ctx
        network_api = self.backends.network_api
        floating_ip = get_floating_ip(network_api, ctx, floating_ip_id)
        if floating_ip.get('auto_assigned'):
            raise exception.Forbidden('Cannot disassociate auto assigned floating IP')
        network_api.release_floating_ip(ctx, floating_ip['address'])
        resp.status = falcon.HTTP_202
