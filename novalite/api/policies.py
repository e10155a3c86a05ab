"""Default policy rules of the Compute API (Nova's names and legacy defaults).

``list_rules()`` is the ``oslo.policy.policies`` entry point, so
``oslopolicy-sample-generator --namespace novalite`` documents them; a policy file
named by ``[oslo_policy] policy_file`` overrides any of them.
"""

from oslo_policy import policy

ADMIN_OR_OWNER = 'rule:admin_or_owner'
ADMIN_API = 'rule:admin_api'
ANY = '@'

BASE_RULES = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Who counts as an administrator.'),
    policy.RuleDefault('admin_or_owner', 'is_admin:True or project_id:%(project_id)s',
                       description='An administrator, or a member of the owning project.'),
    policy.RuleDefault('admin_api', 'is_admin:True',
                       description='Administrators only.'),
]

# (name, check string, description, [(method, path), ...])
_API = [
    # servers
    ('os_compute_api:servers:index', ADMIN_OR_OWNER, 'List servers',
     [('GET', '/servers')]),
    ('os_compute_api:servers:detail', ADMIN_OR_OWNER, 'List servers with details',
     [('GET', '/servers/detail')]),
    ('os_compute_api:servers:index:get_all_tenants', ADMIN_API,
     'List servers of all projects (all_tenants)', [('GET', '/servers')]),
    ('os_compute_api:servers:detail:get_all_tenants', ADMIN_API,
     'List servers of all projects with details (all_tenants)',
     [('GET', '/servers/detail')]),
    ('os_compute_api:servers:show', ADMIN_OR_OWNER, 'Show a server',
     [('GET', '/servers/{server_id}')]),
    ('os_compute_api:servers:show:host_status', ADMIN_API,
     'Show host_status of a server (2.16)', [('GET', '/servers/{server_id}')]),
    ('os_compute_api:os-extended-server-attributes', ADMIN_API,
     'Show the OS-EXT-SRV-ATTR:* fields of a server', [('GET', '/servers/{server_id}')]),
    ('os_compute_api:servers:create', ADMIN_OR_OWNER, 'Create a server',
     [('POST', '/servers')]),
    ('os_compute_api:servers:update', ADMIN_OR_OWNER, 'Update a server',
     [('PUT', '/servers/{server_id}')]),
    ('os_compute_api:servers:delete', ADMIN_OR_OWNER, 'Delete a server',
     [('DELETE', '/servers/{server_id}')]),
    ('os_compute_api:servers:reboot', ADMIN_OR_OWNER, 'Reboot a server',
     [('POST', '/servers/{server_id}/action (reboot)')]),
    ('os_compute_api:servers:start', ADMIN_OR_OWNER, 'Start a server',
     [('POST', '/servers/{server_id}/action (os-start)')]),
    ('os_compute_api:servers:stop', ADMIN_OR_OWNER, 'Stop a server',
     [('POST', '/servers/{server_id}/action (os-stop)')]),
    ('os_compute_api:os-pause-server:pause', ADMIN_OR_OWNER, 'Pause a server',
     [('POST', '/servers/{server_id}/action (pause)')]),
    ('os_compute_api:os-pause-server:unpause', ADMIN_OR_OWNER, 'Unpause a server',
     [('POST', '/servers/{server_id}/action (unpause)')]),
    ('os_compute_api:os-suspend-server:suspend', ADMIN_OR_OWNER, 'Suspend a server',
     [('POST', '/servers/{server_id}/action (suspend)')]),
    ('os_compute_api:os-suspend-server:resume', ADMIN_OR_OWNER, 'Resume a server',
     [('POST', '/servers/{server_id}/action (resume)')]),
    # server metadata
    ('os_compute_api:server-metadata:index', ADMIN_OR_OWNER, 'List server metadata',
     [('GET', '/servers/{server_id}/metadata')]),
    ('os_compute_api:server-metadata:show', ADMIN_OR_OWNER, 'Show a server metadata item',
     [('GET', '/servers/{server_id}/metadata/{key}')]),
    ('os_compute_api:server-metadata:create', ADMIN_OR_OWNER, 'Add server metadata',
     [('POST', '/servers/{server_id}/metadata')]),
    ('os_compute_api:server-metadata:update_all', ADMIN_OR_OWNER,
     'Replace all server metadata', [('PUT', '/servers/{server_id}/metadata')]),
    ('os_compute_api:server-metadata:update', ADMIN_OR_OWNER, 'Set a server metadata item',
     [('PUT', '/servers/{server_id}/metadata/{key}')]),
    ('os_compute_api:server-metadata:delete', ADMIN_OR_OWNER,
     'Delete a server metadata item', [('DELETE', '/servers/{server_id}/metadata/{key}')]),
    # flavors
    ('os_compute_api:os-flavor-manage:create', ADMIN_API, 'Create a flavor',
     [('POST', '/flavors')]),
    ('os_compute_api:os-flavor-manage:update', ADMIN_API, 'Update a flavor description',
     [('PUT', '/flavors/{flavor_id}')]),
    ('os_compute_api:os-flavor-manage:delete', ADMIN_API, 'Delete a flavor',
     [('DELETE', '/flavors/{flavor_id}')]),
    ('os_compute_api:os-flavor-extra-specs:index', ANY, 'List flavor extra specs',
     [('GET', '/flavors/{flavor_id}/os-extra_specs')]),
    ('os_compute_api:os-flavor-extra-specs:show', ANY, 'Show a flavor extra spec',
     [('GET', '/flavors/{flavor_id}/os-extra_specs/{key}')]),
    ('os_compute_api:os-flavor-extra-specs:create', ADMIN_API, 'Add flavor extra specs',
     [('POST', '/flavors/{flavor_id}/os-extra_specs')]),
    ('os_compute_api:os-flavor-extra-specs:update', ADMIN_API, 'Set a flavor extra spec',
     [('PUT', '/flavors/{flavor_id}/os-extra_specs/{key}')]),
    ('os_compute_api:os-flavor-extra-specs:delete', ADMIN_API, 'Delete a flavor extra spec',
     [('DELETE', '/flavors/{flavor_id}/os-extra_specs/{key}')]),
    # images (the local registry through the compute API)
    ('os_compute_api:images', ANY, 'List and show images',
     [('GET', '/images'), ('GET', '/images/detail'), ('GET', '/images/{image_id}')]),
    # keypairs: the target's user_id is the key pair's owner
    ('os_compute_api:os-keypairs:index', 'rule:admin_api or user_id:%(user_id)s',
     'List key pairs', [('GET', '/os-keypairs')]),
    ('os_compute_api:os-keypairs:show', 'rule:admin_api or user_id:%(user_id)s',
     'Show a key pair', [('GET', '/os-keypairs/{keypair_name}')]),
    ('os_compute_api:os-keypairs:create', 'rule:admin_api or user_id:%(user_id)s',
     'Create or import a key pair', [('POST', '/os-keypairs')]),
    ('os_compute_api:os-keypairs:delete', 'rule:admin_api or user_id:%(user_id)s',
     'Delete a key pair', [('DELETE', '/os-keypairs/{keypair_name}')]),
    # server groups: show and delete check the group's own project
    ('os_compute_api:os-server-groups:index', ADMIN_OR_OWNER, 'List server groups',
     [('GET', '/os-server-groups')]),
    ('os_compute_api:os-server-groups:index:all_projects', ADMIN_API,
     'List the server groups of all projects', [('GET', '/os-server-groups')]),
    ('os_compute_api:os-server-groups:show', ADMIN_OR_OWNER, 'Show a server group',
     [('GET', '/os-server-groups/{server_group_id}')]),
    ('os_compute_api:os-server-groups:create', ADMIN_OR_OWNER, 'Create a server group',
     [('POST', '/os-server-groups')]),
    ('os_compute_api:os-server-groups:delete', ADMIN_OR_OWNER, 'Delete a server group',
     [('DELETE', '/os-server-groups/{server_group_id}')]),
    # services, hypervisors, zones
    ('os_compute_api:os-services:list', ADMIN_API, 'List services',
     [('GET', '/os-services')]),
    ('os_compute_api:os-services:update', ADMIN_API, 'Enable, disable or force down a service',
     [('PUT', '/os-services/{service_id}')]),
    ('os_compute_api:os-services:delete', ADMIN_API, 'Delete a service',
     [('DELETE', '/os-services/{service_id}')]),
    ('os_compute_api:os-hypervisors:list', ADMIN_API, 'List hypervisors',
     [('GET', '/os-hypervisors')]),
    ('os_compute_api:os-hypervisors:list-detail', ADMIN_API, 'List hypervisors with details',
     [('GET', '/os-hypervisors/detail')]),
    ('os_compute_api:os-hypervisors:statistics', ADMIN_API, 'Hypervisor statistics',
     [('GET', '/os-hypervisors/statistics')]),
    ('os_compute_api:os-hypervisors:show', ADMIN_API, 'Show a hypervisor',
     [('GET', '/os-hypervisors/{hypervisor_id}')]),
    ('os_compute_api:os-hypervisors:search', ADMIN_API, 'Search hypervisors by name',
     [('GET', '/os-hypervisors/{hypervisor_hostname_pattern}/search')]),
    ('os_compute_api:os-hypervisors:servers', ADMIN_API, 'List servers on hypervisors',
     [('GET', '/os-hypervisors/{hypervisor_hostname_pattern}/servers')]),
    ('os_compute_api:os-availability-zone:list', ANY, 'List availability zones',
     [('GET', '/os-availability-zone')]),
    ('os_compute_api:os-availability-zone:detail', ADMIN_API,
     'List availability zones with their hosts', [('GET', '/os-availability-zone/detail')]),
    # host aggregates (admin)
    ('os_compute_api:os-aggregates:index', ADMIN_API, 'List host aggregates',
     [('GET', '/os-aggregates')]),
    ('os_compute_api:os-aggregates:create', ADMIN_API, 'Create a host aggregate',
     [('POST', '/os-aggregates')]),
    ('os_compute_api:os-aggregates:show', ADMIN_API, 'Show a host aggregate',
     [('GET', '/os-aggregates/{aggregate_id}')]),
    ('os_compute_api:os-aggregates:update', ADMIN_API, 'Rename a host aggregate or change its zone',
     [('PUT', '/os-aggregates/{aggregate_id}')]),
    ('os_compute_api:os-aggregates:delete', ADMIN_API, 'Delete a host aggregate',
     [('DELETE', '/os-aggregates/{aggregate_id}')]),
    ('os_compute_api:os-aggregates:add_host', ADMIN_API, 'Add a host to an aggregate',
     [('POST', '/os-aggregates/{aggregate_id}/action (add_host)')]),
    ('os_compute_api:os-aggregates:remove_host', ADMIN_API, 'Remove a host from an aggregate',
     [('POST', '/os-aggregates/{aggregate_id}/action (remove_host)')]),
    ('os_compute_api:os-aggregates:set_metadata', ADMIN_API, 'Set host aggregate metadata',
     [('POST', '/os-aggregates/{aggregate_id}/action (set_metadata)')]),
    # limits and quotas
    ('os_compute_api:limits', ANY, 'Show rate and absolute limits', [('GET', '/limits')]),
    ('os_compute_api:limits:other_project', ADMIN_API,
     'Show the limits of another project (tenant_id)', [('GET', '/limits')]),
    ('os_compute_api:os-quota-sets:show', ADMIN_OR_OWNER, 'Show a project\'s quotas',
     [('GET', '/os-quota-sets/{tenant_id}')]),
    ('os_compute_api:os-quota-sets:detail', ADMIN_OR_OWNER,
     'Show a project\'s quotas with usage', [('GET', '/os-quota-sets/{tenant_id}/detail')]),
    ('os_compute_api:os-quota-sets:defaults', ANY, 'Show the default quotas',
     [('GET', '/os-quota-sets/{tenant_id}/defaults')]),
    ('os_compute_api:os-quota-sets:update', ADMIN_API, 'Update a project\'s quotas',
     [('PUT', '/os-quota-sets/{tenant_id}')]),
    ('os_compute_api:os-quota-sets:delete', ADMIN_API, 'Revert a project\'s quotas to defaults',
     [('DELETE', '/os-quota-sets/{tenant_id}')]),
]


def list_rules():
    """Every default rule: the base rules, then one documented rule per API operation."""
    return BASE_RULES + [
        policy.DocumentedRuleDefault(name, check, description,
                                     [{'method': m, 'path': p} for m, p in operations])
        for name, check, description, operations in _API]
