"""The one route table of the API: (URI template, resource class, responder suffix).

A class listed twice is one resource object; the suffix picks its responders
(``on_get_detail`` for ``/servers/detail``).  Literal segments win over
``{fields}`` in falcon's router, so ``/servers/detail`` never reaches ``Server``.
Methods a resource lacks answer 405; unknown paths 404 (both as Nova faults).
"""

from novalite.api import glance
from novalite.api.compute import aggregates
from novalite.api.compute import availability_zones
from novalite.api.compute import flavor_extra_specs
from novalite.api.compute import flavors
from novalite.api.compute import floating_ip_pools
from novalite.api.compute import floating_ips
from novalite.api.compute import hypervisors
from novalite.api.compute import images
from novalite.api.compute import interfaces
from novalite.api.compute import ips
from novalite.api.compute import keypairs
from novalite.api.compute import limits
from novalite.api.compute import networks
from novalite.api.compute import quota_sets
from novalite.api.compute import security_group_rules
from novalite.api.compute import security_groups
from novalite.api.compute import server_actions
from novalite.api.compute import server_groups
from novalite.api.compute import server_metadata
from novalite.api.compute import servers
from novalite.api.compute import services
from novalite.api.compute import versions

V = '/v2.1'

ROUTES = [
    # version documents (no token needed)
    ('/', versions.Versions, None),
    (V, versions.VersionV21, None),

    # servers
    (V + '/servers', servers.ServerCollection, None),
    (V + '/servers/detail', servers.ServerCollection, 'detail'),
    (V + '/servers/{server_id}', servers.Server, None),
    (V + '/servers/{server_id}/action', server_actions.ServerAction, None),
    (V + '/servers/{server_id}/metadata', server_metadata.ServerMetadata, None),
    (V + '/servers/{server_id}/metadata/{key}', server_metadata.ServerMetadataItem, None),
    (V + '/servers/{server_id}/ips', ips.ServerIps, None),
    (V + '/servers/{server_id}/ips/{network_label}', ips.ServerIpsByNetwork, None),
    (V + '/servers/{server_id}/os-interface', interfaces.ServerInterfaces, None),
    (V + '/servers/{server_id}/os-interface/{port_id}', interfaces.ServerInterface, None),
    (V + '/servers/{server_id}/os-security-groups', security_groups.ServerSecurityGroups,
     None),

    # flavors
    (V + '/flavors', flavors.FlavorCollection, None),
    (V + '/flavors/detail', flavors.FlavorCollection, 'detail'),
    (V + '/flavors/{flavor_id}', flavors.Flavor, None),
    (V + '/flavors/{flavor_id}/os-extra_specs', flavor_extra_specs.FlavorExtraSpecs, None),
    (V + '/flavors/{flavor_id}/os-extra_specs/{key}', flavor_extra_specs.FlavorExtraSpec,
     None),

    # images (the local registry; 404 from 2.36 like Nova's proxy)
    (V + '/images', images.ImageCollection, None),
    (V + '/images/detail', images.ImageCollection, 'detail'),
    (V + '/images/{image_id}', images.Image, None),

    # key pairs
    (V + '/os-keypairs', keypairs.KeypairCollection, None),
    (V + '/os-keypairs/{keypair_name}', keypairs.Keypair, None),

    # server groups
    (V + '/os-server-groups', server_groups.ServerGroupCollection, None),
    (V + '/os-server-groups/{group_id}', server_groups.ServerGroup, None),

    # services, hypervisors, availability zones (admin, zones list: all)
    (V + '/os-services', services.ServiceCollection, None),
    (V + '/os-services/{service_id}', services.Service, None),
    (V + '/os-hypervisors', hypervisors.HypervisorCollection, None),
    (V + '/os-hypervisors/detail', hypervisors.HypervisorCollection, 'detail'),
    (V + '/os-hypervisors/statistics', hypervisors.HypervisorStatistics, None),
    (V + '/os-hypervisors/{hypervisor_id}', hypervisors.Hypervisor, None),
    (V + '/os-hypervisors/{hypervisor_id}/search', hypervisors.HypervisorSearch, None),
    (V + '/os-hypervisors/{hypervisor_id}/servers', hypervisors.HypervisorServers, None),
    (V + '/os-availability-zone', availability_zones.AvailabilityZones, None),
    (V + '/os-availability-zone/detail', availability_zones.AvailabilityZones, 'detail'),
    (V + '/os-aggregates', aggregates.AggregateCollection, None),
    (V + '/os-aggregates/{aggregate_id}', aggregates.Aggregate, None),
    (V + '/os-aggregates/{aggregate_id}/action', aggregates.AggregateAction, None),

    # networking (nova-network's proxy APIs: 404 from 2.36, as in Nova)
    (V + '/os-networks', networks.NetworkCollection, None),
    (V + '/os-networks/add', networks.NetworkAdd, None),
    (V + '/os-networks/{network_id}', networks.Network, None),
    (V + '/os-networks/{network_id}/action', networks.NetworkAction, None),
    (V + '/os-floating-ip-pools', floating_ip_pools.FloatingIpPools, None),
    (V + '/os-floating-ips', floating_ips.FloatingIpCollection, None),
    (V + '/os-floating-ips/{floating_ip_id}', floating_ips.FloatingIp, None),
    (V + '/os-security-groups', security_groups.SecurityGroupCollection, None),
    (V + '/os-security-groups/{security_group_id}', security_groups.SecurityGroup, None),
    (V + '/os-security-group-rules', security_group_rules.SecurityGroupRuleCollection, None),
    (V + '/os-security-group-rules/{security_group_rule_id}',
     security_group_rules.SecurityGroupRule, None),

    # limits and quotas
    (V + '/limits', limits.Limits, None),
    (V + '/os-quota-sets/{project_id}', quota_sets.QuotaSet, None),
    (V + '/os-quota-sets/{project_id}/defaults', quota_sets.QuotaSetDefaults, None),
    (V + '/os-quota-sets/{project_id}/detail', quota_sets.QuotaSetDetail, None),

    # what the openstack CLI needs besides compute (components.md §8)
    ('/identity/v3', glance.IdentityV3, None),
    ('/image/v2', glance.ImageVersions, None),
    ('/image/v2/images', glance.GlanceImages, None),
    ('/image/v2/images/{image_id}', glance.GlanceImage, None),
]
