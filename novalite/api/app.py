"""The API app factory: ``create_app(conf) -> falcon.App``.

One falcon app serves the Compute API v2.1 (``/`` and ``/v2.1/...``) plus the two
small endpoints the ``openstack`` CLI needs without a real Keystone and Glance
(``/identity/v3``, ``/image/v2``).  Routes come from one table
(``api/compute/routes.py``); errors become fault bodies at one edge
(``api/faults.py``).  Nothing opens a database connection or an RPC transport
before the first request that needs one, so each gunicorn worker makes its own
after the fork.
"""

import re
import threading
import uuid

import falcon

from novalite.api import auth
from novalite.api import faults
from novalite.api import policy
from novalite.api.compute import microversion
from novalite.api.compute import routes

REQUEST_ID_HEADER = 'X-OpenStack-Request-ID'
LEGACY_REQUEST_ID_HEADER = 'X-Compute-Request-ID'
_GLOBAL_ID = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


class Backends:
    """What the resources work with, built on first use (after a worker forks).

    ``db`` is the query API, ``compute_api`` the server operations
    (``novalite.compute.api``), ``keypairs`` and ``quotas`` their own small APIs,
    ``enforcer`` the policy enforcer; ``network_api`` (networks, fixed and floating IPs,
    info caches: ``novalite.network.api``) and ``security_group_api`` serve the
    networking resources.
    """

    def __init__(self, conf, db=None, compute_api=None, network_api=None,
                 security_group_api=None):
        self.conf = conf
        self.enforcer = policy.make_enforcer(conf)
        self._db = db
        self._compute_api = compute_api
        self._network_api = network_api
        self._security_group_api = security_group_api
        self._keypairs = None
        self._quotas = None
        self._lock = threading.Lock()

    @property
    def db(self):
        if self._db is None:
            with self._lock:
                if self._db is None:
                    from novalite.db import api as db_api
                    self._db = db_api.Database(self.conf)
        return self._db

    @property
    def compute_api(self):
        if self._compute_api is None:
            db = self.db
            with self._lock:
                if self._compute_api is None:
                    from novalite.compute import api as compute_api
                    self._compute_api = compute_api.build(self.conf, db)
        return self._compute_api

    @property
    def network_api(self):
        """The compute API's network facade (one per app: same DB and RPC clients)."""
        if self._network_api is None:
            compute_api = self.compute_api
            with self._lock:
                if self._network_api is None:
                    self._network_api = getattr(compute_api, 'network_api', None) \
                        or self._build_network_api(compute_api)
        return self._network_api

    def _build_network_api(self, compute_api):
        from novalite.compute import rpcapi as compute_rpcapi
        from novalite.network import api as network_api
        from novalite.network import rpcapi as network_rpcapi
        return network_api.API(self.conf, self.db, network_rpcapi.NetworkAPI(self.conf),
                               getattr(compute_api, 'compute_rpcapi', None)
                               or compute_rpcapi.ComputeAPI(self.conf))

    @property
    def security_group_api(self):
        if self._security_group_api is None:
            compute_api = self.compute_api
            with self._lock:
                if self._security_group_api is None:
                    api = getattr(compute_api, 'security_group_api', None)
                    if api is None:
                        from novalite.network import security_group_api
                        api = security_group_api.SecurityGroupAPI(
                            self.conf, self.db, getattr(compute_api, 'compute_rpcapi', None))
                    self._security_group_api = api
        return self._security_group_api

    @property
    def keypairs(self):
        if self._keypairs is None:
            from novalite.compute import keypairs
            self._keypairs = keypairs.KeypairAPI(self.conf, self.db)
        return self._keypairs

    @property
    def quotas(self):
        if self._quotas is None:
            from novalite.compute import quotas
            self._quotas = quotas.QuotaEngine(self.conf, self.db)
        return self._quotas

    def authorize(self, ctx, action, target=None):
        """Raise 403 PolicyNotAuthorized unless allowed."""
        return policy.authorize(self.enforcer, ctx, action, target)

    def allowed(self, ctx, action, target=None):
        return policy.check(self.enforcer, ctx, action, target)


class RequestIdMiddleware:
    """Give each request an id (``req-<uuid>``), echoed in the response like Nova's."""

    def process_request(self, req, resp):
        req.context.request_id = 'req-%s' % uuid.uuid4()
        inbound = req.get_header(REQUEST_ID_HEADER)
        # A caller's id is kept as the global id only if it has the expected form.
        req.context.global_request_id = inbound if inbound and _GLOBAL_ID.match(inbound) \
            else None

    def process_response(self, req, resp, resource, req_succeeded):
        request_id = getattr(req.context, 'request_id', None)
        if request_id:
            resp.set_header(REQUEST_ID_HEADER, request_id)
            if microversion.is_versioned(req.path):
                resp.set_header(LEGACY_REQUEST_ID_HEADER, request_id)


class App(falcon.App):
    """falcon.App whose WSGI entry can be fronted by WSGI middleware (keystone auth).

    ``create_app`` must return a falcon app, yet keystonemiddleware is plain WSGI
    middleware; when ``wsgi_entry`` is set, calls go through it and it calls back
    into falcon's own ``__call__``.
    """

    wsgi_entry = None

    def __call__(self, environ, start_response):
        if self.wsgi_entry is not None:
            return self.wsgi_entry(environ, start_response)
        return super().__call__(environ, start_response)


def create_app(conf, compute_api=None, db=None, network_api=None, security_group_api=None):
    """Build the API app; what is not given is built from ``conf`` on first use.

    The app's ``backends`` attribute holds what its resources use (tests reach in there).
    """
    backends = Backends(conf, db=db, compute_api=compute_api, network_api=network_api,
                        security_group_api=security_group_api)
    app = App(middleware=[RequestIdMiddleware(), auth.make_middleware(conf),
                          microversion.MicroversionMiddleware()])
    # openstacksdk asks for /v2.1 while the version links say /v2.1/.
    app.req_options.strip_url_path_trailing_slash = True
    # Nova tolerates e.g. "?all_tenants" without a value.
    app.req_options.keep_blank_qs_values = True
    faults.register(app)
    instances = {}
    for template, resource_class, suffix in routes.ROUTES:
        resource = instances.get(resource_class)
        if resource is None:
            resource = instances[resource_class] = resource_class(backends)
        if suffix:
            app.add_route(template, resource, suffix=suffix)
        else:
            app.add_route(template, resource)
    app.backends = backends
    return auth.wrap(app, conf)
