"""``/os-security-groups[/{id}]`` and ``/servers/{server_id}/os-security-groups``.

Bodies, status codes and messages follow Nova's nova-network security groups:
create and update answer 200, delete 202; a duplicate name, the ``default``
group and a group still in use are 400s with Nova's messages.  The group API
itself is ``novalite.network.security_group_api`` (validation, quotas, records).
``/os-security-groups`` is a proxy API in Nova: gone (404) from 2.36; a
server's groups stay available.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import servers

MAX_VERSION = (2, 35)
RULE = 'os_compute_api:os-security-groups:%s'


def from_body(body, key):
    """``body[key]``, with Nova's messages when the body or the key is missing."""
    if not body:
        raise exception.Invalid("The request body can't be empty")
    value = body.get(key) if isinstance(body, dict) else None
    if value is None:
        raise exception.Invalid('Missing parameter %s' % key)
    if not isinstance(value, dict):
        raise exception.ValidationError(
            'Invalid input for field/attribute %s. Value: %s. %r is not of type \'object\''
            % (key, value, value))
    return value


def as_bad_request(exc):
    """Nova answers these conflicts with 400 (its SecurityGroupExists and friends are
    Invalid): keep the message, change the status."""
    return exception.Invalid(exc.message)


class _GroupResource(common.Resource):
    @property
    def security_group_api(self):
        return self.backends.security_group_api


class SecurityGroupCollection(_GroupResource):
    """``GET /os-security-groups[?all_tenants=1]`` and ``POST /os-security-groups``."""

    def on_get(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'get')
        all_tenants = common.bool_param(req, 'all_tenants') if 'all_tenants' in req.params \
            else False
        resp.media = {'security_groups': self.security_group_api.list(
            req.context.ctx, all_tenants=all_tenants)}

    def on_post(self, req, resp):
        common.require_version(req, maximum=MAX_VERSION)
        group = from_body(common.body(req), 'security_group')
        self.authorize(req, RULE % 'create')
        try:
            created = self.security_group_api.create(req.context.ctx, group.get('name'),
                                                     group.get('description'))
        except exception.SecurityGroupExists as exc:
            raise exception.Invalid('Security group %s already exists'
                                    % exc.kwargs.get('name', group.get('name'))) from None
        resp.media = {'security_group': created}


class SecurityGroup(_GroupResource):
    """``GET``, ``PUT`` and ``DELETE /os-security-groups/{security_group_id}``."""

    def on_get(self, req, resp, security_group_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'show')
        resp.media = {'security_group': self.security_group_api.get(req.context.ctx,
                                                                    security_group_id)}

    def on_put(self, req, resp, security_group_id):
        common.require_version(req, maximum=MAX_VERSION)
        group = from_body(common.body(req), 'security_group')
        self.authorize(req, RULE % 'update')
        try:
            updated = self.security_group_api.update(
                req.context.ctx, security_group_id, group.get('name'), group.get('description'))
        except exception.SecurityGroupExists:
            raise exception.Invalid('Security group %s already exists'
                                    % group.get('name')) from None
        resp.media = {'security_group': updated}

    def on_delete(self, req, resp, security_group_id):
        common.require_version(req, maximum=MAX_VERSION)
        self.authorize(req, RULE % 'delete')
        try:
            self.security_group_api.destroy(req.context.ctx, security_group_id)
        except exception.SecurityGroupInUse as exc:
            raise as_bad_request(exc) from None
        resp.status = falcon.HTTP_202


class ServerSecurityGroups(servers.ServerResource):
    """``GET /servers/{server_id}/os-security-groups``: the server's groups."""

    def on_get(self, req, resp, server_id):
        instance = self.get_server(req, server_id, RULE % 'list')
        groups = self.backends.security_group_api.get_instance_security_groups(
            req.context.ctx, instance.uuid)
        resp.media = {'security_groups': sorted(
            groups, key=lambda g: (g['tenant_id'] or '', g['name']))}
