"""Compute's ``/images[/detail]`` and ``/images/{image_id}``: the local image registry.

Nova proxied Glance here until 2.35; from 2.36 these answer 404, as in Nova.
"""

from novalite import exception
from novalite.api.compute import common

RULE = 'os_compute_api:images'
PROXY_MAX_VERSION = (2, 35)

# Glance image status -> Nova image status
_STATUS = {'active': 'ACTIVE', 'queued': 'SAVING', 'saving': 'SAVING', 'importing': 'SAVING',
           'uploading': 'SAVING', 'deleted': 'DELETED', 'pending_delete': 'DELETED',
           'killed': 'ERROR', 'deactivated': 'ERROR'}


def image_view(resource, req, image, detail=True):
    base = common.base_url(req, resource.conf)
    links = common.links(req, resource.conf, 'images', image['id'])
    links.append({'rel': 'alternate', 'type': 'application/vnd.openstack.image',
                  'href': '%s/image/v2/images/%s' % (base, image['id'])})
    body = {'id': image['id'], 'name': image['name'], 'links': links}
    if not detail:
        return body
    status = _STATUS.get(image['status'], 'UNKNOWN')
    body.update({
        'status': status,
        'progress': {'ACTIVE': 100, 'SAVING': 25}.get(status, 0),
        'minDisk': image.get('min_disk') or 0,
        'minRam': image.get('min_ram') or 0,
        'metadata': dict(image.get('properties') or {}),
        'created': common.isotime(image.get('created_at')),
        'updated': common.isotime(image.get('updated_at')),
        'OS-EXT-IMG-SIZE:size': image.get('size') or 0,
    })
    return body


class ImageCollection(common.Resource):
    """``GET /images`` and ``GET /images/detail``."""

    def on_get(self, req, resp):
        self._list(req, resp, detail=False)

    def on_get_detail(self, req, resp):
        self._list(req, resp, detail=True)

    def _list(self, req, resp, detail):
        common.require_version(req, maximum=PROXY_MAX_VERSION)
        self.authorize(req, RULE)
        limit, marker = common.pagination(req, self.conf)
        images = [i for i in self.backends.db.image_get_all() if _visible(req, i)]
        name, status = req.get_param('name'), req.get_param('status')
        if name:
            images = [i for i in images if i['name'] == name]
        if status:
            images = [i for i in images if _STATUS.get(i['status']) == status.upper()]
        images = _page(images, marker, limit)
        resp.media = {'images': [image_view(self, req, i, detail) for i in images]}
        links = common.next_links(req, self.conf, 'images/detail' if detail else 'images',
                                  images, limit, lambda i: i['id'])
        if links:
            resp.media['images_links'] = links


class Image(common.Resource):
    """``GET /images/{image_id}``."""

    def on_get(self, req, resp, image_id):
        common.require_version(req, maximum=PROXY_MAX_VERSION)
        self.authorize(req, RULE)
        image = self.backends.db.image_get(image_id)
        if not _visible(req, image):
            raise exception.ImageNotFound(image_id=image_id)
        resp.media = {'image': image_view(self, req, image)}


def _visible(req, image):
    """Public images for all, the others for their owner and admins (no image members)."""
    ctx = req.context.ctx
    return (ctx.is_admin or image.get('visibility') in ('public', 'community', None)
            or image.get('owner') == ctx.project_id)


def _page(images, marker, limit):
    if marker is not None:
        ids = [i['id'] for i in images]
        if marker not in ids:
            raise exception.Invalid('marker [%s] not found' % marker)
        images = images[ids.index(marker) + 1:]
    return images[:limit] if limit is not None else images
