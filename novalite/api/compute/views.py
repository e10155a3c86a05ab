"""The server view: Nova's server body for a microversion and a caller.

Fields follow nova/api/openstack/compute/views/servers.py.  Admin-only fields
(``OS-EXT-SRV-ATTR:*``, ``host_status``) depend on policy, checked once per
request.  ``addresses`` come from the servers' network info caches and
``security_groups`` (``[{"name"}]``, left out for a server without groups, as
Nova) from the group associations: one query each for a whole list.
"""

import hashlib

from novalite import exception
from novalite import servicegroup
from novalite.api.compute import common
from novalite.compute import states
from novalite.network import model as network_model

COMPUTE_BINARY = 'novalite-compute'

# Nova shows "progress" only in these statuses, and "fault" only in these.
_PROGRESS_STATUSES = ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING')
_FAULT_STATUSES = ('ERROR', 'DELETED')


def host_id(project_id, host):
    """Nova's hostId: an opaque per-project hash of the host ('' when unplaced)."""
    if not host:
        return ''
    return hashlib.sha224(((project_id or '') + host).encode('utf-8')).hexdigest()


def status(instance):
    return states.status_from_state(instance.vm_state, instance.task_state)


class ServerViewBuilder:
    """Builds server bodies for one request (policy answers and host lookups cached)."""

    def __init__(self, resource, req):
        self.resource = resource
        self.req = req
        self.conf = resource.conf
        self.db = resource.backends.db
        self.version = req.context.version
        self.ctx = req.context.ctx
        self._allowed = {}
        self._services = None
        self._network_info = {}
        self._security_groups = {}

    def allowed(self, action):
        if action not in self._allowed:
            self._allowed[action] = self.resource.allowed(self.req, action)
        return self._allowed[action]

    def basic(self, instance):
        return {'id': instance.uuid, 'name': instance.display_name,
                'links': common.links(self.req, self.conf, 'servers', instance.uuid)}

    def detail_list(self, instances, compute_api):
        """Full bodies for many servers, with one fault query for all of them."""
        uuids = [i.uuid for i in instances if status(i) in _FAULT_STATUSES]
        faults = compute_api.get_faults(uuids) if uuids else {}
        self._prefetch_network([i.uuid for i in instances])
        return [self.show(i, faults.get(i.uuid), server_groups=False) for i in instances]

    def _prefetch_network(self, uuids):
        """Network info caches and group names of many servers (one query each)."""
        uuids = [u for u in uuids if u not in self._network_info]
        if not uuids:
            return
        infos = self.resource.backends.network_api.get_nw_info_for_instances(self.ctx, uuids)
        groups = self.db.security_group_names_by_instances(uuids)
        for uuid in uuids:
            self._network_info[uuid] = infos.get(uuid) or []
            self._security_groups[uuid] = groups.get(uuid) or []

    def show(self, instance, fault=None, server_groups=True):
        """One server's body; ``server_groups`` (2.71) only off the list, as Nova."""
        version = self.version
        server_status = status(instance)
        self._prefetch_network([instance.uuid])
        server = {
            'id': instance.uuid,
            'name': instance.display_name,
            'status': server_status,
            'tenant_id': instance.project_id,
            'user_id': instance.user_id,
            'metadata': dict(instance.metadata or {}),
            'hostId': host_id(instance.project_id, instance.host),
            'image': self._image(instance),
            'flavor': self._flavor(instance),
            'created': common.isotime(instance.created_at),
            'updated': common.isotime(instance.updated_at or instance.created_at),
            'addresses': network_model.addresses(self._network_info[instance.uuid]),
            'accessIPv4': instance.access_ip_v4 or '',
            'accessIPv6': instance.access_ip_v6 or '',
            'links': common.links(self.req, self.conf, 'servers', instance.uuid),
            'key_name': instance.key_name,
            'config_drive': instance.config_drive or '',
            'OS-DCF:diskConfig': 'MANUAL',
            'OS-EXT-AZ:availability_zone': self._availability_zone(instance),
            'OS-EXT-STS:power_state': instance.power_state,
            'OS-EXT-STS:task_state': instance.task_state,
            'OS-EXT-STS:vm_state': instance.vm_state,
            'OS-SRV-USG:launched_at': common.isotime_micro(instance.launched_at),
            'OS-SRV-USG:terminated_at': common.isotime_micro(instance.terminated_at),
            'os-extended-volumes:volumes_attached': [],
        }
        if self._security_groups[instance.uuid]:
            server['security_groups'] = [{'name': name}
                                         for name in self._security_groups[instance.uuid]]
        if server_status in _PROGRESS_STATUSES:
            server['progress'] = instance.progress or 0
        if server_status in _FAULT_STATUSES and fault:
            server['fault'] = self._fault(fault)
        if self.allowed('os_compute_api:os-extended-server-attributes'):
            server.update(self._extended_attributes(instance))
        elif version >= (2, 90):
            server['OS-EXT-SRV-ATTR:hostname'] = instance.hostname
        if version >= (2, 9):
            server['locked'] = bool(instance.locked)
        if version >= (2, 16) and self.allowed('os_compute_api:servers:show:host_status'):
            server['host_status'] = self._host_status(instance)
        if version >= (2, 19):
            server['description'] = instance.display_description
        if version >= (2, 26):
            server['tags'] = list(instance.tags or [])
        if version >= (2, 63):
            server['trusted_image_certificates'] = None
        if version >= (2, 71) and server_groups:
            server['server_groups'] = self._server_groups(instance)
        if version >= (2, 73):
            server['locked_reason'] = (instance.system_metadata or {}).get('locked_reason')
        if version >= (2, 96):
            # Nova shows the zone the request pinned the server to (its request spec's).
            server['pinned_availability_zone'] = instance.availability_zone
        return server

    # -- pieces ---------------------------------------------------------------------------

    def _image(self, instance):
        if not instance.image_ref:
            return ''  # booted from a volume, as Nova shows it
        return {'id': instance.image_ref,
                'links': common.bookmark(self.req, self.conf, 'images', instance.image_ref)}

    def _flavor(self, instance):
        flavor = instance.flavor or {}
        if self.version < (2, 47):
            flavor_id = flavor.get('flavorid')
            return {'id': flavor_id,
                    'links': common.bookmark(self.req, self.conf, 'flavors', flavor_id)}
        body = {'vcpus': flavor.get('vcpus'), 'ram': flavor.get('memory_mb'),
                'disk': flavor.get('root_gb'), 'ephemeral': flavor.get('ephemeral_gb', 0),
                'swap': flavor.get('swap', 0), 'original_name': flavor.get('name')}
        if self.allowed('os_compute_api:os-flavor-extra-specs:index'):
            body['extra_specs'] = dict(flavor.get('extra_specs') or {})
        return body

    def _availability_zone(self, instance):
        if instance.availability_zone:
            return instance.availability_zone
        # Placed without a requested zone: the host's zone (no aggregates: the default).
        return self.conf.default_availability_zone if instance.host else ''

    def _server_groups(self, instance):
        """The uuids of the groups the server is in (at most one)."""
        try:
            return [self.db.instance_group_get_by_instance(instance.uuid).uuid]
        except exception.NotFound:
            return []

    def _extended_attributes(self, instance):
        attrs = {
            'OS-EXT-SRV-ATTR:host': instance.host,
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.node,
            'OS-EXT-SRV-ATTR:instance_name':
                'instance-%08x' % instance.id if instance.id is not None else '',
        }
        if self.version >= (2, 3):
            attrs.update({
                'OS-EXT-SRV-ATTR:reservation_id': instance.reservation_id,
                'OS-EXT-SRV-ATTR:launch_index': instance.launch_index,
                'OS-EXT-SRV-ATTR:hostname': instance.hostname,
                'OS-EXT-SRV-ATTR:kernel_id': '',
                'OS-EXT-SRV-ATTR:ramdisk_id': '',
                'OS-EXT-SRV-ATTR:root_device_name': None,
                'OS-EXT-SRV-ATTR:user_data': instance.user_data,
            })
        return attrs

    def _fault(self, fault):
        body = {'code': fault['code'], 'created': common.isotime(fault.get('created_at')),
                'message': fault['message']}
        # Nova hides the traceback of internal errors from non-admins.
        if fault.get('details') and (self.ctx.is_admin or fault['code'] != 500):
            body['details'] = fault['details']
        return body

    def _host_status(self, instance):
        """Nova's host_status: UP, DOWN (forced), MAINTENANCE (disabled), UNKNOWN, ''."""
        if not instance.host:
            return ''
        if self._services is None:
            self._services = {s.host: s for s in self.db.service_get_all(binary=COMPUTE_BINARY)}
        service = self._services.get(instance.host)
        if service is None:
            return ''
        if service.forced_down:
            return 'DOWN'
        if service.disabled:
            return 'MAINTENANCE'
        return 'UP' if servicegroup.is_up(self.conf, service) else 'UNKNOWN'
