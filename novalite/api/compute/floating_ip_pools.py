"""``GET /os-floating-ip-pools``: the names of the floating IP pools (gone from 2.36)."""

from novalite.api.compute import common

MAX_VERSION = (2, 35)


class FloatingIpPools(common.Resource):
    def on_get(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, 'os_compute_api:os-floating-ip-pools')
        pools = self.backends.network_api.get_floating_ip_pools(req.context.ctx)
        resp.media = {'floating_ip_pools': [{'name': name} for name in pools]}
