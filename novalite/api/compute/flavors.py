"""``/flavors``: list, detail and show for everyone; create, update, delete for admins."""

import uuid

import falcon
from oslo_utils import strutils

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas

RULE = 'os_compute_api:os-flavor-manage:%s'


def flavor_view(resource, req, flavor, detail=True):
    """Nova's flavor body for the request's microversion."""
    version = req.context.version
    body = {'id': flavor.flavorid, 'name': flavor.name,
            'links': common.links(req, resource.conf, 'flavors', flavor.flavorid)}
    if version >= (2, 55):
        body['description'] = flavor.description
    if not detail:
        return body
    body.update({
        'ram': flavor.memory_mb,
        'vcpus': flavor.vcpus,
        'disk': flavor.root_gb,
        # Before 2.75 Nova showed no swap as "" rather than 0.
        'swap': flavor.swap if flavor.swap or version >= (2, 75) else '',
        'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
        'OS-FLV-DISABLED:disabled': flavor.disabled,
        'os-flavor-access:is_public': flavor.is_public,
        'rxtx_factor': flavor.rxtx_factor,
    })
    if version >= (2, 61) and resource.allowed(req, 'os_compute_api:os-flavor-extra-specs:index'):
        body['extra_specs'] = dict(flavor.extra_specs or {})
    return body


def _is_public(req):
    """Nova's is_public filter: default public only, the string 'none' means all."""
    value = req.get_param('is_public')
    if value is None:
        return True
    if value.strip().lower() == 'none':
        return None
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid('Invalid is_public filter [%s]' % value) from None


def _min_filter(req, name):
    value = req.get_param(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise exception.Invalid('Invalid %s filter [%s]' % (name, value)) from None
    if number < 0:
        raise exception.Invalid('Invalid %s filter [%s]' % (name, value))
    return number


class FlavorCollection(common.Resource):
    """``GET /flavors``, ``GET /flavors/detail``, ``POST /flavors``."""

    def on_get(self, req, resp):
        self._list(req, resp, detail=False)

    def on_get_detail(self, req, resp):
        self._list(req, resp, detail=True)

    def _list(self, req, resp, detail):
        ctx = req.context.ctx
        # Only admins may look at private flavors; the others always get public ones.
        is_public = _is_public(req) if ctx.is_admin else True
        limit, marker = common.pagination(req, self.conf)
        sort_dir = req.get_param('sort_dir') or 'asc'
        sort_key = req.get_param('sort_key') or 'flavorid'
        if sort_dir not in ('asc', 'desc'):
            raise exception.Invalid('Invalid sort_dir %s' % sort_dir)
        if sort_key not in _SORT_KEYS:
            raise exception.Invalid('Invalid sort_key %s' % sort_key)
        try:
            flavors = self.backends.db.flavor_get_all(
                is_public=is_public, min_memory_mb=_min_filter(req, 'minRam'),
                min_root_gb=_min_filter(req, 'minDisk'), sort_key=_SORT_KEYS[sort_key],
                sort_dir=sort_dir, limit=limit, marker=marker)
        except exception.FlavorNotFound:
            raise exception.Invalid('marker [%s] not found' % marker) from None
        resp.media = {'flavors': [flavor_view(self, req, f, detail) for f in flavors]}
        links = common.next_links(req, self.conf, 'flavors/detail' if detail else 'flavors',
                                  flavors, limit, lambda f: f.flavorid)
        if links:
            resp.media['flavors_links'] = links

    def on_post(self, req, resp):
        version = req.context.version
        data = common.body(req)
        if isinstance(data, dict) and isinstance(data.get('flavor'), dict):
            schemas.coerce_ints(data['flavor'], schemas.FLAVOR_INT_FIELDS)
            rxtx = data['flavor'].get('rxtx_factor')
            if isinstance(rxtx, str):
                try:
                    data['flavor']['rxtx_factor'] = float(rxtx)
                except ValueError:
                    pass  # the schema reports it
        flavor = schemas.validate(schemas.flavor_create(version), data)['flavor']
        self.authorize(req, RULE % 'create')
        is_public = flavor.get('os-flavor-access:is_public', True)
        if isinstance(is_public, str):
            is_public = strutils.bool_from_string(is_public, strict=True)
        created = self.backends.db.flavor_create({
            'flavorid': str(flavor.get('id') or uuid.uuid4()),
            'name': flavor['name'],
            'memory_mb': flavor['ram'],
            'vcpus': flavor['vcpus'],
            'root_gb': flavor['disk'],
            'ephemeral_gb': flavor.get('OS-FLV-EXT-DATA:ephemeral', 0),
            'swap': flavor.get('swap', 0),
            'rxtx_factor': float(flavor.get('rxtx_factor', 1.0)),
            'is_public': is_public,
            'description': flavor.get('description'),
        })
        resp.media = {'flavor': flavor_view(self, req, created)}


# API sort keys -> Flavor fields
_SORT_KEYS = {'flavorid': 'flavorid', 'id': 'flavorid', 'name': 'name',
              'memory_mb': 'memory_mb', 'ram': 'memory_mb', 'vcpus': 'vcpus',
              'root_gb': 'root_gb', 'disk': 'root_gb', 'ephemeral_gb': 'ephemeral_gb',
              'swap': 'swap', 'rxtx_factor': 'rxtx_factor', 'is_public': 'is_public',
              'created_at': 'created_at'}


class Flavor(common.Resource):
    """``GET``/``PUT`` (2.55)/``DELETE /flavors/{flavor_id}``."""

    def on_get(self, req, resp, flavor_id):
        resp.media = {'flavor': flavor_view(self, req, self.backends.db.flavor_get(flavor_id))}

    def on_put(self, req, resp, flavor_id):
        common.require_version(req, minimum=(2, 55))
        flavor = schemas.validate(schemas.FLAVOR_UPDATE, common.body(req))['flavor']
        self.authorize(req, RULE % 'update')
        updated = self.backends.db.flavor_update(flavor_id,
                                                 {'description': flavor['description']})
        resp.media = {'flavor': flavor_view(self, req, updated)}

    def on_delete(self, req, resp, flavor_id):
        self.authorize(req, RULE % 'delete')
        self.backends.db.flavor_delete(flavor_id)
        resp.status = falcon.HTTP_202
