"""/servers: create, list (with filters and paging), show, update, delete."""

import secrets
import string

import falcon
from oslo_utils import strutils

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.api.compute import views
from novalite.compute import states

_PASSWORD_CHARS = string.ascii_letters + string.digits


def server_target(instance):
    """The policy target of an existing server."""
    return {'project_id': instance.project_id, 'user_id': instance.user_id}


def generate_password(length=12):
    return ''.join(secrets.choice(_PASSWORD_CHARS) for _ in range(length))


class ServerResource(common.Resource):
    """Shared by the server resources: fetch a server the caller may see."""

    @property
    def compute_api(self):
        return self.backends.compute_api

    def get_server(self, req, server_id, action):
        instance = self.compute_api.get(req.context.ctx, server_id)
        self.authorize(req, action, server_target(instance))
        return instance


class ServerCollection(ServerResource):
    """``GET /servers``, ``GET /servers/detail``, ``POST /servers``."""

    def on_get(self, req, resp):
        self._list(req, resp, detail=False)

    def on_get_detail(self, req, resp):
        self._list(req, resp, detail=True)

    # -- list -----------------------------------------------------------------------------

    def _list(self, req, resp, detail):
        ctx = req.context.ctx
        kind = 'detail' if detail else 'index'
        self.authorize(req, 'os_compute_api:servers:%s' % kind)
        filters = self._filters(req, kind)
        if filters is None:  # a status no server can have (before 2.38)
            resp.media = {'servers': []}
            return
        flavor = req.get_param('flavor')
        limit, marker = common.pagination(req, self.conf)
        sort_key = req.get_param('sort_key') or 'created_at'
        sort_dir = req.get_param('sort_dir') or 'desc'
        if sort_dir not in ('asc', 'desc'):
            raise common.invalid_query('sort_dir', sort_dir,
                                       "'%s' is not one of ['asc', 'desc']" % sort_dir)
        if flavor is None:
            instances = self.compute_api.get_all(ctx, filters, limit=limit, marker=marker,
                                                 sort_key=sort_key, sort_dir=sort_dir)
        else:
            # The flavor is a snapshot on the instance, so this filter runs here.
            flavor_id = common.id_from_href(flavor)
            instances = [i for i in self.compute_api.get_all(
                ctx, filters, sort_key=sort_key, sort_dir=sort_dir)
                if str((i.flavor or {}).get('flavorid')) == flavor_id]
            instances = _page(instances, marker, limit)
        builder = views.ServerViewBuilder(self, req)
        if detail:
            servers = builder.detail_list(instances, self.compute_api)
        else:
            servers = [builder.basic(i) for i in instances]
        resp.media = {'servers': servers}
        path = 'servers/detail' if detail else 'servers'
        links = common.next_links(req, self.conf, path, servers, limit, lambda s: s['id'])
        if links:
            resp.media['servers_links'] = links

    def _filters(self, req, kind):
        ctx = req.context.ctx
        version = req.context.version
        filters = {}
        name = req.get_param('name')
        if name:
            filters['name'] = name
        statuses = req.get_param_as_list('status')
        if statuses:
            vm_states = set()
            for value in statuses:
                value = value.upper()
                if value not in states.VM_STATES_BY_STATUS:
                    if version >= (2, 38):
                        raise exception.Invalid('Invalid status value')
                    return None
                vm_states.update(states.VM_STATES_BY_STATUS[value])
            filters['vm_state'] = sorted(vm_states)
        image = req.get_param('image')
        if image:
            filters['image_ref'] = common.id_from_href(image)
        since = common.datetime_param(req, 'changes-since')
        if since is not None:
            filters['changes-since'] = since
            filters['deleted'] = None  # Nova lists servers deleted since then too
        if 'all_tenants' in req.params:
            if common.bool_param(req, 'all_tenants'):
                self.authorize(req, 'os_compute_api:servers:%s:get_all_tenants' % kind)
                project = req.get_param('tenant_id') or req.get_param('project_id')
                if project:
                    filters['project_id'] = project
            else:
                filters['project_id'] = ctx.project_id
        else:
            # Without all_tenants even an admin sees only their project (tenant_id ignored).
            filters['project_id'] = ctx.project_id
        if ctx.is_admin:
            # Admin-only filters; Nova drops them silently for other callers.
            for param, key in (('host', 'host'), ('node', 'node'),
                               ('availability_zone', 'availability_zone')):
                value = req.get_param(param)
                if value:
                    filters[key] = value
            if 'deleted' in req.params:
                filters['deleted'] = common.bool_param(req, 'deleted')
            elif 'deleted' in filters.get('vm_state', ()):
                filters['deleted'] = None  # ?status=DELETED means deleted rows
        return filters

    # -- create ---------------------------------------------------------------------------

    def on_post(self, req, resp):
        ctx = req.context.ctx
        version = req.context.version
        data = common.body(req)
        if isinstance(data, dict) and isinstance(data.get('server'), dict):
            schemas.coerce_ints(data['server'], ('min_count', 'max_count'))
        data = schemas.validate(schemas.server_create(version), data)
        server = data['server']
        self.authorize(req, 'os_compute_api:servers:create')
        image_ref = _image_ref(server)
        min_count = server.get('min_count', 1)
        max_count = server.get('max_count', min_count)
        if min_count > max_count:
            raise exception.Invalid('min_count must be <= max_count')
        hints = data.get('os:scheduler_hints') or data.get('OS-SCH-HNT:scheduler_hints') or {}
        instances, reservation_id = self.compute_api.create(
            ctx,
            flavor_id=common.id_from_href(server['flavorRef']),
            image_ref=common.id_from_href(image_ref),
            name=server['name'],
            min_count=min_count,
            max_count=max_count,
            key_name=server.get('key_name'),
            metadata=server.get('metadata'),
            availability_zone=server.get('availability_zone'),
            user_data=server.get('user_data'),
            description=server.get('description'),
            access_ip_v4=server.get('accessIPv4'),
            access_ip_v6=server.get('accessIPv6'),
            scheduler_hints=hints,
            config_drive=_bool(server.get('config_drive', False)),
            tags=server.get('tags'),
            networks=_networks(server.get('networks')),
            security_groups=[g['name'] for g in server.get('security_groups') or []] or None,
            hostname=server.get('hostname'))
        resp.status = falcon.HTTP_202
        if _bool(server.get('return_reservation_id', False)):
            resp.media = {'reservation_id': reservation_id}
            return
        first = instances[0]
        links = common.links(req, self.conf, 'servers', first.uuid)
        resp.media = {'server': {
            'id': first.uuid, 'links': links, 'OS-DCF:diskConfig': 'MANUAL',
            'adminPass': server.get('adminPass') or generate_password()}}
        resp.set_header('Location', links[0]['href'])


class Server(ServerResource):
    """``GET``/``PUT``/``DELETE /servers/{server_id}``."""

    def on_get(self, req, resp, server_id):
        instance = self.get_server(req, server_id, 'os_compute_api:servers:show')
        fault = None
        if views.status(instance) in ('ERROR', 'DELETED'):
            fault = self.compute_api.get_faults([instance.uuid]).get(instance.uuid)
        resp.media = {'server': views.ServerViewBuilder(self, req).show(instance, fault)}

    def on_put(self, req, resp, server_id):
        version = req.context.version
        server = schemas.validate(schemas.server_update(version), common.body(req))['server']
        instance = self.get_server(req, server_id, 'os_compute_api:servers:update')
        values = {}
        for field, column in (('name', 'display_name'), ('description', 'display_description'),
                              ('accessIPv4', 'access_ip_v4'), ('accessIPv6', 'access_ip_v6'),
                              ('hostname', 'hostname')):
            if field in server:
                values[column] = server[field]
        if values:
            instance = self.compute_api.update(req.context.ctx, instance, **values)
        body = views.ServerViewBuilder(self, req).show(instance)
        if version < (2, 75):
            # Before 2.75 an update answered with only the basic server fields.
            body = {k: v for k, v in body.items() if k in _UPDATE_FIELDS}
        resp.media = {'server': body}

    def on_delete(self, req, resp, server_id):
        instance = self.get_server(req, server_id, 'os_compute_api:servers:delete')
        self.compute_api.delete(req.context.ctx, instance)
        resp.status = falcon.HTTP_204


_UPDATE_FIELDS = frozenset((
    'id', 'name', 'status', 'tenant_id', 'user_id', 'metadata', 'hostId', 'image', 'flavor',
    'created', 'updated', 'addresses', 'accessIPv4', 'accessIPv6', 'links', 'progress',
    'fault', 'locked', 'description', 'tags', 'trusted_image_certificates', 'locked_reason',
    'OS-DCF:diskConfig'))


def _bool(value):
    return strutils.bool_from_string(value, strict=False) if isinstance(value, str) \
        else bool(value)


def _image_ref(server):
    """The image to boot: imageRef, or the image->local boot device the CLI sends.

    novalite has no block storage: any other block device is refused.
    """
    image_ref = server.get('imageRef')
    for bdm in server.get('block_device_mapping_v2') or []:
        if (bdm.get('source_type') != 'image' or bdm.get('destination_type', 'local') != 'local'
                or str(bdm.get('boot_index')) != '0'):
            raise exception.Invalid('Block Device Mapping is Invalid: only the boot image on '
                                    'local disk is supported.')
        bdm_image = bdm.get('uuid') or bdm.get('image_id')
        if image_ref and bdm_image and common.id_from_href(image_ref) != bdm_image:
            raise exception.Invalid('Block Device Mapping is Invalid: the boot image differs '
                                    'from imageRef.')
        image_ref = image_ref or bdm_image
    if not image_ref:
        raise exception.Invalid('Missing imageRef attribute')
    return image_ref


def _networks(networks):
    """'auto' and absent mean the default networks, 'none' none, else [{uuid, fixed_ip}]."""
    if networks is None or networks == 'auto':
        return None
    if networks == 'none':
        return []
    requested = []
    for entry in networks:
        if entry.get('port'):
            # nova-network has no ports (Nova: PortNotFound, 400 under nova-network)
            raise exception.Invalid('Port %s could not be found: this cloud has no ports; '
                                    'ask for a network uuid.' % entry['port'])
        if not entry.get('uuid'):
            raise exception.Invalid('Bad networks format: network uuid is not in proper '
                                    'format (%s)' % entry.get('uuid'))
        requested.append({'uuid': entry['uuid'], 'fixed_ip': entry.get('fixed_ip')})
    return requested


def _page(items, marker, limit):
    if marker is not None:
        for index, item in enumerate(items):
            if item.uuid == marker:
                items = items[index + 1:]
                break
        else:
            raise exception.Invalid('marker [%s] not found' % marker)
    return items[:limit] if limit is not None else items
