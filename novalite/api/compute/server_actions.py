"""``POST /servers/{server_id}/action``: the power actions, each one row of ACTIONS.

The body names one action (``{"reboot": {"type": "SOFT"}}``, ``{"os-stop": null}``);
an accepted action answers 202 and runs asynchronously.  A server in a state that
does not allow the action is a 409 raised by the compute API.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.api.compute import servers


def _reboot(api, ctx, instance, body):
    reboot = schemas.validate(schemas.REBOOT, body)['reboot']
    api.reboot(ctx, instance, reboot['type'].upper())


# action name -> (policy rule, call(compute_api, ctx, instance, body))
ACTIONS = {
    'reboot': ('os_compute_api:servers:reboot', _reboot),
    'os-start': ('os_compute_api:servers:start',
                 lambda api, ctx, inst, body: api.start(ctx, inst)),
    'os-stop': ('os_compute_api:servers:stop',
                lambda api, ctx, inst, body: api.stop(ctx, inst)),
    'pause': ('os_compute_api:os-pause-server:pause',
              lambda api, ctx, inst, body: api.pause(ctx, inst)),
    'unpause': ('os_compute_api:os-pause-server:unpause',
                lambda api, ctx, inst, body: api.unpause(ctx, inst)),
    'suspend': ('os_compute_api:os-suspend-server:suspend',
                lambda api, ctx, inst, body: api.suspend(ctx, inst)),
    'resume': ('os_compute_api:os-suspend-server:resume',
               lambda api, ctx, inst, body: api.resume(ctx, inst)),
}


class ServerAction(servers.ServerResource):
    """``POST /servers/{server_id}/action``."""

    def on_post(self, req, resp, server_id):
        body = common.body(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid('Malformed request body')
        name = next(iter(body))
        if name not in ACTIONS:
            raise exception.Invalid('There is no such action: %s' % name)
        rule, call = ACTIONS[name]
        instance = self.get_server(req, server_id, rule)
        call(self.compute_api, req.context.ctx, instance, body)
        resp.status = falcon.HTTP_202
