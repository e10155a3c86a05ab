"""``GET /limits``: a project's absolute limits and what it uses (no rate limits)."""

from novalite.api.compute import common

# (API name, quota resource or a constant when novalite does not track it, last version)
_ABSOLUTE = [
    ('maxServerMeta', 'metadata_items', None),
    ('maxPersonality', 'injected_files', (2, 56)),
    ('maxPersonalitySize', 'injected_file_content_bytes', (2, 56)),
    ('maxImageMeta', 'metadata_items', (2, 38)),
    ('maxTotalKeypairs', 'key_pairs', None),
    # nova-network's, shown up to 2.35 as in Nova
    ('maxSecurityGroups', 'security_groups', (2, 35)),
    ('maxSecurityGroupRules', 'security_group_rules', (2, 35)),
    ('maxTotalFloatingIps', 'floating_ips', (2, 35)),
    ('maxServerGroups', 'server_groups', None),
    ('maxServerGroupMembers', 'server_group_members', None),
    ('maxTotalInstances', 'instances', None),
    ('maxTotalCores', 'cores', None),
    ('maxTotalRAMSize', 'ram', None),
]

_USED = [
    ('totalInstancesUsed', 'instances', None),
    ('totalCoresUsed', 'cores', None),
    ('totalRAMUsed', 'ram', None),
    ('totalSecurityGroupsUsed', 'security_groups', (2, 35)),
    ('totalFloatingIpsUsed', 'floating_ips', (2, 35)),
    ('totalServerGroupsUsed', 'server_groups', None),
]


class Limits(common.Resource):
    """``GET /limits[?tenant_id=]`` (another project's: admin)."""

    def on_get(self, req, resp):
        ctx = req.context.ctx
        version = req.context.version
        self.authorize(req, 'os_compute_api:limits')
        project_id = req.get_param('tenant_id')
        if project_id and project_id != ctx.project_id:
            self.authorize(req, 'os_compute_api:limits:other_project',
                           {'project_id': project_id})
        else:
            project_id = ctx.project_id
        quotas = self.backends.quotas
        limits = quotas.get_limits(project_id)
        usage = quotas.get_usage(project_id)
        absolute = {}
        for name, source, last in _ABSOLUTE:
            if last is None or version <= last:
                absolute[name] = limits.get(source, -1) if isinstance(source, str) else source
        for name, resource, last in _USED:
            if last is None or version <= last:
                absolute[name] = usage.get(resource, 0)
        resp.media = {'limits': {'rate': [], 'absolute': absolute}}
