"""``/os-server-groups[/{group_id}]``: server groups (affinity and anti-affinity).

Bodies follow Nova's by microversion: ``policies`` and an empty ``metadata``
before 2.64, ``policy`` and ``rules`` from 2.64, ``project_id``/``user_id`` from
2.13.  Create answers 200 and delete 204, as Nova does.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.compute import server_groups as server_groups_mod

RULE = 'os_compute_api:os-server-groups:%s'


def group_view(req, group):
    version = req.context.version
    body = {'id': group.uuid, 'name': group.name}
    if version >= (2, 64):
        body['policy'] = group.policy
        body['rules'] = dict(group.rules or {})
    else:
        body['policies'] = [group.policy]
        body['metadata'] = {}
    body['members'] = list(group.members)
    if version >= (2, 13):
        body['project_id'] = group.project_id
        body['user_id'] = group.user_id
    return body


class _Resource(common.Resource):
    _api = None

    @property
    def server_groups(self):
        if self._api is None:
            self._api = server_groups_mod.ServerGroupAPI(self.conf, self.backends.db)
        return self._api


def _check_policies(req, data):
    """Name the field when a 2.1-2.63 ``policies`` item is not allowed (the schema's
    own message would name the array index)."""
    group = data.get('server_group') if isinstance(data, dict) else None
    policies = group.get('policies') if isinstance(group, dict) else None
    if not isinstance(policies, list):
        return
    allowed = list(server_groups_mod.policies_for(req.context.version))
    for policy in policies:
        if policy not in allowed:
            raise exception.ValidationError(
                'Invalid input for field/attribute policies. Value: %s. %r is not one of %s'
                % (policies, policy, allowed))


class ServerGroupCollection(_Resource):
    """``GET /os-server-groups`` (``all_projects`` for admins, limit/offset) and ``POST``."""

    def on_get(self, req, resp):
        ctx = req.context.ctx
        self.authorize(req, RULE % 'index', {'project_id': ctx.project_id})
        all_projects = 'all_projects' in req.params
        if all_projects:
            self.authorize(req, RULE % 'index:all_projects', {'project_id': ctx.project_id})
        limit = common.int_param(req, 'limit', minimum=0)
        limit = self.conf.api.max_limit if limit is None else min(limit, self.conf.api.max_limit)
        offset = common.int_param(req, 'offset', minimum=0) or 0
        groups = self.server_groups.get_all(ctx, all_projects=all_projects, limit=limit,
                                            offset=offset)
        resp.media = {'server_groups': [group_view(req, g) for g in groups]}

    def on_post(self, req, resp):
        version = req.context.version
        data = common.body(req)
        _check_policies(req, data)
        group = schemas.validate(schemas.server_group_create(version), data)['server_group']
        ctx = req.context.ctx
        self.authorize(req, RULE % 'create', {'project_id': ctx.project_id,
                                              'user_id': ctx.user_id})
        if version >= (2, 64):
            policy, rules = group['policy'], group.get('rules') or {}
        else:
            policy, rules = group['policies'][0], {}
        created = self.server_groups.create(ctx, group['name'], policy, rules)
        resp.media = {'server_group': group_view(req, created)}


class ServerGroup(_Resource):
    """``GET`` and ``DELETE /os-server-groups/{group_id}``."""

    def _get(self, req, group_id, action):
        group = self.server_groups.get(req.context.ctx, group_id)
        self.authorize(req, RULE % action, {'project_id': group.project_id,
                                            'user_id': group.user_id})
        return group

    def on_get(self, req, resp, group_id):
        resp.media = {'server_group': group_view(req, self._get(req, group_id, 'show'))}

    def on_delete(self, req, resp, group_id):
        group = self._get(req, group_id, 'delete')
        self.server_groups.delete(req.context.ctx, group)
        resp.status = falcon.HTTP_204
