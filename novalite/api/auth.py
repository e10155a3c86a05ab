"""Authentication: who is asking, as a RequestContext on ``req.context.ctx``.

Two strategies (``[api] auth_strategy``):

* ``noauth2`` (development): ``X-Auth-Token: user:project``, or a single word that
  is both user and project (openstacksdk's ``auth_type: none`` sends ``notused``).
  The user ``admin`` is an administrator.  No token: 401.
* ``keystone``: keystonemiddleware's ``auth_token`` validates the token in front of
  the app (options from ``[keystone_authtoken]`` of our own ConfigOpts) and this
  middleware builds the context from the headers it sets (X-User-Id, X-Project-Id,
  X-Roles).

The version documents are public in both, as in Nova: clients discover versions
before they authenticate.
"""

import functools

import falcon
from keystonemiddleware import auth_token

from novalite import context

# Version documents, answered without a token (paths after trailing-slash stripping).
PUBLIC_PATHS = frozenset({'/', '/v2.1', '/identity/v3', '/image/v2'})

ADMIN_ROLES = ['admin', 'member', 'reader']
MEMBER_ROLES = ['member', 'reader']


def is_public(path):
    return (path.rstrip('/') or '/') in PUBLIC_PATHS


def _request_id(req):
    return getattr(req.context, 'request_id', None)


class NoAuthMiddleware:
    """noauth2: trust ``X-Auth-Token: user[:project]`` (never use in production)."""

    def process_request(self, req, resp):
        req.context.ctx = None
        if is_public(req.path):
            return
        token = (req.get_header('X-Auth-Token') or '').strip()
        if not token:
            raise falcon.HTTPUnauthorized(description=(
                'The request you have made requires authentication.'))
        user_id, _, project_id = token.partition(':')
        project_id = project_id or user_id
        is_admin = user_id == 'admin'
        req.context.ctx = context.RequestContext(
            auth_token=token, user_id=user_id, project_id=project_id, is_admin=is_admin,
            roles=list(ADMIN_ROLES if is_admin else MEMBER_ROLES),
            request_id=_request_id(req),
            global_request_id=getattr(req.context, 'global_request_id', None))


class KeystoneContextMiddleware:
    """keystone: the context from the identity headers keystonemiddleware set."""

    def process_request(self, req, resp):
        req.context.ctx = None
        if is_public(req.path):
            return
        # auth_token strips these headers from the client's request and sets them
        # only for a valid token, so "Confirmed" can be trusted here.
        if req.get_header('X-Identity-Status') != 'Confirmed':
            raise falcon.HTTPUnauthorized(description=(
                'The request you have made requires authentication.'))
        roles = [r.strip().lower() for r in (req.get_header('X-Roles') or '').split(',')
                 if r.strip()]
        req.context.ctx = context.RequestContext.from_environ(
            req.env, roles=roles, is_admin='admin' in roles,
            request_id=_request_id(req),
            global_request_id=getattr(req.context, 'global_request_id', None))


def make_middleware(conf):
    """The falcon middleware that builds the request context for the configured strategy."""
    if conf.api.auth_strategy == 'keystone':
        return KeystoneContextMiddleware()
    return NoAuthMiddleware()


class KeystoneDispatch:
    """WSGI front for the keystone strategy: auth_token in front of all but the version docs.

    keystonemiddleware is WSGI middleware, so it wraps the app's WSGI entry rather
    than being a falcon middleware.  ``oslo_config_config`` makes it read
    ``[keystone_authtoken]`` from our ConfigOpts instead of the global CONF.
    """

    def __init__(self, wsgi_app, conf):
        self.public = wsgi_app
        self.protected = auth_token.AuthProtocol(wsgi_app, {'oslo_config_config': conf})

    def __call__(self, environ, start_response):
        if is_public(environ.get('PATH_INFO') or '/'):
            return self.public(environ, start_response)
        return self.protected(environ, start_response)


def wrap(app, conf):
    """Install the keystone front on a falcon app when the strategy asks for it."""
    if conf.api.auth_strategy == 'keystone':
        app.wsgi_entry = KeystoneDispatch(functools.partial(falcon.App.__call__, app), conf)
    return app
