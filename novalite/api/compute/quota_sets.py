"""``/os-quota-sets/{project_id}[/defaults|/detail]``: per-project quotas.

Limits are the ``[quota]`` defaults overridden per project (QuotaEngine); 2.36
dropped the network quotas (floating IPs, security groups and their rules) from
the bodies, 2.57 the injected file quotas.
"""

import falcon
from oslo_utils import strutils

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.compute import quotas as quota_mod

RULE = 'os_compute_api:os-quota-sets:%s'
_INJECTED = ('injected_files', 'injected_file_content_bytes', 'injected_file_path_length')
_NETWORK = ('floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules', 'networks')


def resources(version):
    """The quota names shown and settable at ``version``."""
    return [r for r in quota_mod.RESOURCES
            if (version < (2, 57) or r not in _INJECTED)
            and (version < (2, 36) or r not in _NETWORK)]


class _QuotaResource(common.Resource):
    def _target(self, project_id):
        return {'project_id': project_id}


class QuotaSet(_QuotaResource):
    """``GET``/``PUT``/``DELETE /os-quota-sets/{project_id}``."""

    def on_get(self, req, resp, project_id):
        self.authorize(req, RULE % 'show', self._target(project_id))
        limits = self.backends.quotas.get_limits(project_id)
        body = {name: limits[name] for name in resources(req.context.version)}
        resp.media = {'quota_set': {'id': project_id, **body}}

    def on_put(self, req, resp, project_id):
        names = resources(req.context.version)
        data = common.body(req)
        if isinstance(data, dict) and isinstance(data.get('quota_set'), dict):
            schemas.coerce_ints(data['quota_set'], names)
        quota_set = schemas.validate(schemas.quota_set_update(names), data)['quota_set']
        self.authorize(req, RULE % 'update', self._target(project_id))
        force = quota_set.pop('force', False)
        if isinstance(force, str):
            force = strutils.bool_from_string(force, strict=True)
        quotas = self.backends.quotas
        if not force:
            usage = quotas.get_usage(project_id)
            for name, limit in quota_set.items():
                used = usage.get(name, 0)
                if limit != -1 and limit < used:
                    raise exception.Invalid(
                        'Quota limit %s for %s must be greater than or equal to already used '
                        'and reserved %s.' % (limit, name, used))
        for name, limit in quota_set.items():
            self.backends.db.quota_set(project_id, name, limit)
        limits = quotas.get_limits(project_id)
        resp.media = {'quota_set': {name: limits[name] for name in names}}

    def on_delete(self, req, resp, project_id):
        self.authorize(req, RULE % 'delete', self._target(project_id))
        self.backends.db.quota_delete_all(project_id)
        resp.status = falcon.HTTP_202


class QuotaSetDefaults(_QuotaResource):
    """``GET /os-quota-sets/{project_id}/defaults``."""

    def on_get(self, req, resp, project_id):
        self.authorize(req, RULE % 'defaults', self._target(project_id))
        defaults = self.backends.quotas.defaults()
        body = {name: defaults[name] for name in resources(req.context.version)}
        resp.media = {'quota_set': {'id': project_id, **body}}


class QuotaSetDetail(_QuotaResource):
    """``GET /os-quota-sets/{project_id}/detail``: limit, in_use and reserved of each."""

    def on_get(self, req, resp, project_id):
        self.authorize(req, RULE % 'detail', self._target(project_id))
        quotas = self.backends.quotas
        limits = quotas.get_limits(project_id)
        usage = dict(quotas.get_usage(project_id))
        # key pairs belong to users: count the named user's (default: the caller's)
        user_id = req.get_param('user_id') or req.context.ctx.user_id
        usage['key_pairs'] = self.backends.db.keypair_count(user_id)
        body = {name: {'limit': limits[name], 'in_use': usage.get(name, 0), 'reserved': 0}
                for name in resources(req.context.version)}
        resp.media = {'quota_set': {'id': project_id, **body}}
