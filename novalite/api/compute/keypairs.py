"""``/os-keypairs[/{keypair_name}]``: a user's key pairs."""

import falcon

from novalite.api.compute import common
from novalite.api.compute import schemas

RULE = 'os_compute_api:os-keypairs:%s'


def _user_id(req, resource, action, user_id=None):
    """The key pairs' owner: the caller, or (2.10, admin) the user_id asked for."""
    ctx = req.context.ctx
    if user_id is None and req.context.version >= (2, 10):
        user_id = req.get_param('user_id')
    user_id = user_id or ctx.user_id
    resource.authorize(req, RULE % action, {'user_id': user_id, 'project_id': ctx.project_id})
    return user_id


def keypair_view(req, keypair, fields):
    body = {k: keypair[k] for k in fields}
    if req.context.version >= (2, 2):
        body['type'] = keypair.get('type') or 'ssh'
    return body


class KeypairCollection(common.Resource):
    """``GET /os-keypairs`` and ``POST /os-keypairs`` (create or import)."""

    def on_get(self, req, resp):
        version = req.context.version
        user_id = _user_id(req, self, 'index')
        limit = marker = None
        if version >= (2, 35):
            limit, marker = common.pagination(req, self.conf)
        keypairs = self.backends.keypairs.get_all(user_id, limit=limit, marker=marker)
        resp.media = {'keypairs': [
            {'keypair': keypair_view(req, k, ('name', 'public_key', 'fingerprint'))}
            for k in keypairs]}
        if version >= (2, 35):
            links = common.next_links(req, self.conf, 'os-keypairs', keypairs, limit,
                                      lambda k: k['name'])
            if links:
                resp.media['keypairs_links'] = links

    def on_post(self, req, resp):
        version = req.context.version
        keypair = schemas.validate(schemas.keypair_create(version), common.body(req))['keypair']
        ctx = req.context.ctx
        user_id = _user_id(req, self, 'create', keypair.get('user_id'))
        created, private_key = self.backends.keypairs.create(
            ctx.project_id, user_id, keypair['name'], key_type=keypair.get('type', 'ssh'),
            public_key=keypair.get('public_key'), allow_special_chars=version >= (2, 92))
        body = keypair_view(req, created, ('name', 'public_key', 'fingerprint', 'user_id'))
        if private_key is not None:
            body['private_key'] = private_key
        # 2.2 made create a 201 (it was 200).
        resp.status = falcon.HTTP_201 if version >= (2, 2) else falcon.HTTP_200
        resp.media = {'keypair': body}


class Keypair(common.Resource):
    """``GET`` and ``DELETE /os-keypairs/{keypair_name}``."""

    def on_get(self, req, resp, keypair_name):
        user_id = _user_id(req, self, 'show')
        keypair = self.backends.keypairs.get(user_id, keypair_name)
        body = keypair_view(req, keypair, ('name', 'public_key', 'fingerprint', 'user_id',
                                           'id'))
        body.update({'created_at': common.isotime_micro(keypair.get('created_at')),
                     'updated_at': common.isotime_micro(keypair.get('updated_at')),
                     'deleted': False, 'deleted_at': None})
        resp.media = {'keypair': body}

    def on_delete(self, req, resp, keypair_name):
        user_id = _user_id(req, self, 'delete')
        self.backends.keypairs.delete(user_id, keypair_name)
        # 2.2 made delete a 204 (it was 202).
        resp.status = falcon.HTTP_204 if req.context.version >= (2, 2) else falcon.HTTP_202
