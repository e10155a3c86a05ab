"""Server groups: create, list, show, delete (quota ``server_groups``), and the
``group`` scheduler hint of a server create (quota ``server_group_members``).

Nova's policies by microversion: 2.1 ``affinity``/``anti-affinity``, 2.15 adds
the soft ones, 2.64 adds ``rules`` (``max_server_per_host``, anti-affinity only).
Membership is written with the servers (``Database.instances_create`` with the group), so a
create over the member quota leaves nothing behind.
"""

from novalite import exception
from novalite.compute import quotas as quota_mod
from novalite.objects import instance_group

POLICIES = instance_group.POLICIES
HARD_POLICIES = ('affinity', 'anti-affinity')


def policies_for(version):
    """The policies a client may ask for at ``version`` (a (major, minor) tuple)."""
    return POLICIES if version >= (2, 15) else HARD_POLICIES


class ServerGroupAPI:
    """Server group operations on behalf of a request context."""

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota_mod.QuotaEngine(conf, db)

    def create(self, ctx, name, policy, rules=None):
        rules = dict(rules or {})
        if policy not in POLICIES:
            raise exception.Invalid('Invalid policy %s; must be one of %s.'
                                    % (policy, ', '.join(POLICIES)))
        if rules and policy != 'anti-affinity':
            raise exception.Invalid('Only anti-affinity policy supports rules.')
        if 'max_server_per_host' in rules:
            try:
                per_host = int(rules['max_server_per_host'])
            except (TypeError, ValueError):
                per_host = 0
            if per_host < 1:
                raise exception.Invalid('max_server_per_host must be an integer >= 1.')
            rules['max_server_per_host'] = per_host
        limit = self.quotas.get_limits(ctx.project_id)['server_groups']
        return self.db.instance_group_create(
            {'name': name, 'user_id': ctx.user_id, 'project_id': ctx.project_id,
             'policy': policy, 'rules': rules}, max_groups=limit)

    def get(self, ctx, group_uuid):
        """Any project's group: the API authorizes against its project_id."""
        return self.db.instance_group_get(group_uuid)

    def get_all(self, ctx, all_projects=False, limit=None, offset=None):
        project_id = None if all_projects else ctx.project_id
        return self.db.instance_group_get_all(project_id, limit=limit, offset=offset)

    def delete(self, ctx, group):
        self.db.instance_group_delete(group.uuid)

    # -- the ``group`` hint of a server create --------------------------------------------

    def get_for_hint(self, ctx, group_uuid):
        """The group a server create names; 400 naming the hint if there is none."""
        project_id = None if ctx.is_admin else ctx.project_id
        try:
            return self.db.instance_group_get(group_uuid, project_id=project_id)
        except exception.NotFound:
            raise exception.Invalid('Invalid scheduler hint group: Instance group %s could '
                                    'not be found.' % group_uuid) from None

    def member_limit(self, ctx, group):
        return self.quotas.get_limits(group.project_id)['server_group_members']

    def check_members(self, ctx, group, count):
        """Fail early (403) when ``count`` more servers do not fit the member quota."""
        limit = self.member_limit(ctx, group)
        if 0 <= limit < len(group.members) + count:
            raise exception.QuotaExceeded(
                'Quota exceeded, too many servers in group')
