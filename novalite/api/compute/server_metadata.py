"""``/servers/{server_id}/metadata[/{key}]``: a server's key/value metadata."""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.api.compute import servers

RULE = 'os_compute_api:server-metadata:%s'


class ServerMetadata(servers.ServerResource):
    """The whole set: GET, POST (merge), PUT (replace)."""

    def on_get(self, req, resp, server_id):
        instance = self.get_server(req, server_id, RULE % 'index')
        resp.media = {'metadata': dict(instance.metadata or {})}

    def on_post(self, req, resp, server_id):
        metadata = schemas.validate(schemas.METADATA_SET, common.body(req))['metadata']
        instance = self.get_server(req, server_id, RULE % 'create')
        merged = self.compute_api.update_metadata(req.context.ctx, instance, metadata)
        resp.media = {'metadata': merged}

    def on_put(self, req, resp, server_id):
        metadata = schemas.validate(schemas.METADATA_SET, common.body(req))['metadata']
        instance = self.get_server(req, server_id, RULE % 'update_all')
        replaced = self.compute_api.update_metadata(req.context.ctx, instance, metadata,
                                                    delete=True)
        resp.media = {'metadata': replaced}


class ServerMetadataItem(servers.ServerResource):
    """One key: GET, PUT ``{"meta": {key: value}}``, DELETE."""

    def on_get(self, req, resp, server_id, key):
        instance = self.get_server(req, server_id, RULE % 'show')
        metadata = instance.metadata or {}
        if key not in metadata:
            raise exception.MetadataItemNotFound()
        resp.media = {'meta': {key: metadata[key]}}

    def on_put(self, req, resp, server_id, key):
        meta = schemas.validate(schemas.METADATA_ITEM, common.body(req))['meta']
        if key not in meta:
            raise exception.Invalid('Request body and URI mismatch')
        instance = self.get_server(req, server_id, RULE % 'update')
        self.compute_api.update_metadata(req.context.ctx, instance, meta)
        resp.media = {'meta': meta}

    def on_delete(self, req, resp, server_id, key):
        instance = self.get_server(req, server_id, RULE % 'delete')
        self.compute_api.delete_metadata_item(req.context.ctx, instance, key)
        resp.status = falcon.HTTP_204
