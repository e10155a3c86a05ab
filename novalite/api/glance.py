"""A read-only Image API v2 over the local image registry, and a Keystone v3 version doc.

They let the ``openstack`` CLI run without Keystone and Glance, given
``identity_endpoint_override=<api>/identity/v3`` and
``image_endpoint_override=<api>/image/v2`` (components.md §8): it discovers both
services and looks up image names with ``GET /image/v2/images?id=in:...``.
"""

from novalite import exception
from novalite.api.compute import common

IMAGE_VERSIONS = ['2.16', '2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9', '2.8',
                  '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0']


def _glance_time(value):
    return common.isotime(value)


def image_body(image):
    """An image as Glance v2 shows it; custom properties are top-level keys."""
    body = dict(image.get('properties') or {})
    body.update({
        'id': image['id'],
        'name': image['name'],
        'status': image['status'],
        'visibility': image.get('visibility') or 'public',
        'protected': False,
        'os_hidden': False,
        'owner': image.get('owner'),
        'disk_format': image.get('disk_format'),
        'container_format': image.get('container_format'),
        'size': image.get('size'),
        'virtual_size': None,
        'min_disk': image.get('min_disk') or 0,
        'min_ram': image.get('min_ram') or 0,
        'checksum': image.get('checksum'),
        'os_hash_algo': None,
        'os_hash_value': None,
        'tags': [],
        'created_at': _glance_time(image.get('created_at')),
        'updated_at': _glance_time(image.get('updated_at')),
        'self': '/v2/images/%s' % image['id'],
        'file': '/v2/images/%s/file' % image['id'],
        'schema': '/v2/schemas/image',
    })
    return body


def _in_filter(value):
    """Glance's ``in:a,b`` operator, or a plain value."""
    if value is None:
        return None
    if value.startswith('in:'):
        return set(v.strip('"') for v in value[3:].split(','))
    return {value}


def _visible(ctx, image):
    return (ctx.is_admin or image.get('visibility') in ('public', 'community', None)
            or image.get('owner') == ctx.project_id)


class ImageVersions(common.Resource):
    """``GET /image/v2``: Glance's version list (what keystoneauth discovers)."""

    def on_get(self, req, resp):
        href = '%s/image/v2/' % common.base_url(req, self.conf)
        resp.media = {'versions': [
            {'id': 'v%s' % v, 'status': 'CURRENT' if i == 0 else 'SUPPORTED',
             'links': [{'rel': 'self', 'href': href}]}
            for i, v in enumerate(IMAGE_VERSIONS)]}


class GlanceImages(common.Resource):
    """``GET /image/v2/images`` with ``id``, ``name``, ``status``, ``visibility`` filters."""

    def on_get(self, req, resp):
        ctx = req.context.ctx
        images = [i for i in self.backends.db.image_get_all() if _visible(ctx, i)]
        for param in ('id', 'name', 'status', 'visibility'):
            wanted = _in_filter(req.get_param(param))
            if wanted is not None:
                images = [i for i in images if str(i.get(param)) in wanted]
        marker = req.get_param('marker')
        if marker:
            ids = [i['id'] for i in images]
            if marker not in ids:
                raise exception.Invalid('marker [%s] not found' % marker)
            images = images[ids.index(marker) + 1:]
        limit = common.int_param(req, 'limit', minimum=0)
        body = {'schema': '/v2/schemas/images', 'first': '/v2/images'}
        if limit is not None and len(images) > limit:
            images = images[:limit]
            body['next'] = '/v2/images?marker=%s&limit=%d' % (images[-1]['id'], limit)
        body['images'] = [image_body(i) for i in images]
        resp.media = body


class GlanceImage(common.Resource):
    """``GET /image/v2/images/{image_id}``."""

    def on_get(self, req, resp, image_id):
        image = self.backends.db.image_get(image_id)
        if not _visible(req.context.ctx, image):
            raise exception.ImageNotFound(image_id=image_id)
        resp.media = image_body(image)


class IdentityV3(common.Resource):
    """``GET /identity/v3``: a Keystone v3 version document, nothing behind it."""

    def on_get(self, req, resp):
        resp.media = {'version': {
            'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
            'links': [{'rel': 'self',
                       'href': '%s/identity/v3/' % common.base_url(req, self.conf)}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.identity-v3+json'}]}}
