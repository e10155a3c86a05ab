"""``POST /servers/{server_id}/action``: each action one row of ACTIONS or NETWORK_ACTIONS.

The body names one action (``{"reboot": {"type": "SOFT"}}``, ``{"os-stop": null}``);
an accepted action answers 202 and runs asynchronously.  A server in a state that
does not allow the action is a 409 raised by the compute API.  The networking
actions (floating IPs, multinic, security groups) use the network and security
group APIs; Nova removed the floating IP and multinic ones at 2.44, so they are a
404 from that version, as Nova answers.
"""

import falcon
import netaddr

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.api.compute import servers
from novalite.network import model


def _reboot(api, ctx, instance, body):
    reboot = schemas.validate(schemas.REBOOT, body)['reboot']
    api.reboot(ctx, instance, reboot['type'].upper())


def _create_image(api, ctx, instance, body):
    """202 with the image's Location (and, from 2.45, ``{"image_id"}`` in the body)."""
    action = schemas.validate(schemas.CREATE_IMAGE, body)['createImage']
    image = api.snapshot(ctx, instance, action['name'], action.get('metadata'))

    def respond(req, resp):
        resp.set_header('Location', common.links(req, api.conf, 'images',
                                                 image['id'])[0]['href'])
        if req.context.version >= (2, 45):
            resp.media = {'image_id': image['id']}
    return respond


# action name -> (policy rule, call(compute_api, ctx, instance, body)); a call may
# return respond(req, resp) to add headers or a body to the 202
ACTIONS = {
    'createImage': ('os_compute_api:servers:create_image', _create_image),
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


# -- networking actions: call(backends, ctx, instance, body) -------------------------------

def _add_floating_ip(backends, ctx, instance, body):
    """Nova's checks: the server needs a fixed IP (the named one, else its first IPv4)."""
    action = schemas.validate(schemas.ADD_FLOATING_IP, body)['addFloatingIp']
    address = action['address']
    network_info = backends.network_api.get_instance_nw_info(ctx, instance.uuid)
    if not network_info:
        raise exception.Invalid('Instance network is not ready yet')
    fixed = [ip['address'] for ip in model.fixed_ips(network_info)]
    if not fixed:
        raise exception.Invalid('No fixed IPs associated to instance')
    fixed_address = action.get('fixed_address')
    if fixed_address is not None and fixed_address not in fixed:
        raise exception.Invalid('Specified fixed address not assigned to instance')
    if fixed_address is None:
        fixed_address = next((a for a in fixed if netaddr.valid_ipv4(a)), None)
        if fixed_address is None:
            raise exception.Invalid(
                'Unable to associate floating IP %s to any fixed IPs for instance %s. '
                'Instance has no fixed IPv4 addresses to associate.' % (address, instance.uuid))
    _floating_ip(backends, ctx, address)
    try:
        backends.network_api.associate_floating_ip(ctx, instance, address, fixed_address)
    except exception.FloatingIpAssociated:
        raise exception.Invalid('floating IP is already associated') from None
    except exception.FloatingIpNotFound:
        raise exception.FloatingIpNotFound('floating IP not found') from None


def _remove_floating_ip(backends, ctx, instance, body):
    address = schemas.validate(schemas.REMOVE_FLOATING_IP, body)['removeFloatingIp']['address']
    floating_ip = _floating_ip(backends, ctx, address)
    if floating_ip.get('instance_uuid') != instance.uuid or not floating_ip.get('fixed_ip'):
        raise exception.FloatingIpNotAssociated(
            'Floating IP %s is not associated with instance %s.' % (address, instance.uuid))
    try:
        backends.network_api.disassociate_floating_ip(ctx, instance, address)
    except exception.FloatingIpNotAssociated:
        raise exception.Invalid('Floating IP is not associated') from None


def _floating_ip(backends, ctx, address):
    """The caller's floating IP ``address`` (404 'floating IP not found' otherwise)."""
    try:
        floating_ip = backends.network_api.get_floating_ip_by_address(ctx, address)
    except exception.NotFound:
        floating_ip = None
    if floating_ip is None or (not ctx.is_admin
                               and floating_ip.get('project_id') != ctx.project_id):
        raise exception.FloatingIpNotFound('floating IP not found')
    return floating_ip


def _add_fixed_ip(backends, ctx, instance, body):
    network_id = schemas.validate(schemas.ADD_FIXED_IP, body)['addFixedIp']['networkId']
    try:
        backends.network_api.add_fixed_ip_to_instance(ctx, instance, str(network_id))
    except exception.NoMoreFixedIps as exc:
        raise exception.Invalid(exc.message) from None


def _remove_fixed_ip(backends, ctx, instance, body):
    address = schemas.validate(schemas.REMOVE_FIXED_IP, body)['removeFixedIp']['address']
    try:
        backends.network_api.remove_fixed_ip_from_instance(ctx, instance, address)
    except exception.FixedIpNotFound:
        raise exception.Invalid('There is no fixed IP %s on instance %s'
                                % (address, instance.uuid)) from None


def _security_group_name(body, action):
    """Nova's parsing of ``{"addSecurityGroup": {"name": ...}}``."""
    value = body[action]
    if not isinstance(value, dict):
        raise exception.Invalid('Missing parameter dict')
    if 'name' not in value:
        raise exception.Invalid('Security group not specified')
    name = value['name']
    if not isinstance(name, str) or not name.strip():
        raise exception.Invalid('Security group name cannot be empty')
    return name


def _add_security_group(backends, ctx, instance, body):
    backends.security_group_api.add_to_instance(
        ctx, instance, _security_group_name(body, 'addSecurityGroup'))


def _remove_security_group(backends, ctx, instance, body):
    backends.security_group_api.remove_from_instance(
        ctx, instance, _security_group_name(body, 'removeSecurityGroup'))


# action name -> (policy rule, call(backends, ctx, instance, body), last microversion)
NETWORK_ACTIONS = {
    'addFloatingIp': ('os_compute_api:os-floating-ips', _add_floating_ip, (2, 43)),
    'removeFloatingIp': ('os_compute_api:os-floating-ips', _remove_floating_ip, (2, 43)),
    'addFixedIp': ('os_compute_api:os-multinic', _add_fixed_ip, (2, 43)),
    'removeFixedIp': ('os_compute_api:os-multinic', _remove_fixed_ip, (2, 43)),
    'addSecurityGroup': ('os_compute_api:os-security-groups:add', _add_security_group, None),
    'removeSecurityGroup': ('os_compute_api:os-security-groups:remove',
                            _remove_security_group, None),
}


class ServerAction(servers.ServerResource):
    """``POST /servers/{server_id}/action``."""

    def on_post(self, req, resp, server_id):
        body = common.body(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid('Malformed request body')
        name = next(iter(body))
        if name in NETWORK_ACTIONS:
            rule, call, maximum = NETWORK_ACTIONS[name]
            if maximum is not None and req.context.version > maximum:
                raise exception.NotFound('API version %s is not supported on this method.'
                                         % str(req.context.version))
            instance = self.get_server(req, server_id, rule)
            call(self.backends, req.context.ctx, instance, body)
            resp.status = falcon.HTTP_202
            return
        if name not in ACTIONS:
            raise exception.Invalid('There is no such action: %s' % name)
        rule, call = ACTIONS[name]
        instance = self.get_server(req, server_id, rule)
        respond = call(self.compute_api, req.context.ctx, instance, body)
        resp.status = falcon.HTTP_202
        if respond is not None:
            respond(req, resp)
