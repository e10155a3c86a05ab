"""[api] options: the Compute API's listener, auth and paging."""

from oslo_config import cfg

GROUP = 'api'

OPTS = [
    cfg.HostAddressOpt('osapi_compute_listen', default='127.0.0.1',
                       help='Address the Compute API listens on (novalite-all, novalite-api).'),
    cfg.PortOpt('osapi_compute_listen_port', default=8774, help='Port of the Compute API.'),
    cfg.IntOpt('osapi_compute_workers', default=1, min=1,
               help='API worker processes when novalite-api runs its own server.'),
    cfg.StrOpt('auth_strategy', default='noauth2', choices=['noauth2', 'keystone'],
               help='noauth2: X-Auth-Token "user:project" (user "admin" is admin; '
                    'development only).  keystone: keystonemiddleware auth_token.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most items one list request returns.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL put in links (default: from the request).'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
