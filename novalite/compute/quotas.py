"""Quotas: the [quota] defaults, per-project overrides, usage counted from the database."""

from novalite import exception

# resources shown by os-quota-sets and enforced or reported by novalite
RESOURCES = ('instances', 'cores', 'ram', 'metadata_items', 'key_pairs', 'server_groups',
             'server_group_members', 'injected_files', 'injected_file_content_bytes',
             'injected_file_path_length',
             # nova-network's (os-quota-sets shows them up to 2.35, like Nova)
             'floating_ips', 'security_groups', 'security_group_rules')


class QuotaEngine:
    """Limits and usage for a project; ``check_deltas`` refuses what would exceed them."""

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def defaults(self):
        return {name: getattr(self.conf.quota, name) for name in RESOURCES}

    def get_limits(self, project_id):
        limits = self.defaults()
        limits.update({k: v for k, v in self.db.quota_get_all(project_id).items()
                       if k in limits})
        return limits

    def get_usage(self, project_id):
        usage = dict(self.db.quota_usage(project_id))
        usage['server_groups'] = self.db.instance_group_count(project_id)
        usage['security_groups'] = self.db.security_group_count_by_project(project_id)
        usage['floating_ips'] = self.db.floating_ip_count_by_project(project_id)
        return usage

    def check_deltas(self, project_id, deltas):
        """Raise TooManyInstances (Nova's 403 wording) if adding ``deltas`` exceeds a limit."""
        limits = self.get_limits(project_id)
        usage = self.get_usage(project_id)
        overs = [name for name, delta in deltas.items()
                 if limits.get(name, -1) >= 0 and usage.get(name, 0) + delta > limits[name]]
        if overs:
            name = overs[0]
            raise exception.TooManyInstances(
                overs=', '.join(sorted(overs)), req=deltas[name], used=usage.get(name, 0),
                allowed=limits[name])
        return limits, usage

    def max_count_allowed(self, project_id, per_instance, wanted):
        """How many of ``wanted`` servers fit the instances/cores/ram quotas (>= 0)."""
        limits = self.get_limits(project_id)
        usage = self.get_usage(project_id)
        allowed = wanted
        for name, each in per_instance.items():
            limit = limits.get(name, -1)
            if limit < 0 or each <= 0:
                continue
            allowed = min(allowed, max(0, (limit - usage.get(name, 0)) // each))
        return allowed
