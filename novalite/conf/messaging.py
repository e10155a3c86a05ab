"""Messaging options: the transport URL and oslo.messaging's own groups.

oslo.messaging 18.3 registers its tracing and metrics groups only on the
global cfg.CONF, so a private ConfigOpts needs them registered here or the
first RPC call fails with NoSuchOptError.
"""

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as om_opts

try:  # present in oslo.messaging >= 16
    from oslo_messaging._metrics import client as _metrics
    from oslo_messaging._tracing import client as _tracing
except ImportError:  # pragma: no cover - older releases register these themselves
    _metrics = _tracing = None

OPTS = [
    cfg.IntOpt('rpc_response_timeout', default=60,
               help='Seconds to wait for an RPC call to answer.'),
]


def register_opts(conf):
    # transport_url and the notification groups come from oslo.messaging itself.
    for group, opts in om_opts.list_opts():
        conf.register_opts(opts, group=None if group == 'DEFAULT' else group)
    if _tracing is not None:
        conf.register_opts(_tracing.oslo_messaging_tracing, group='oslo_messaging_tracing')
        conf.register_opts(_metrics.oslo_messaging_metrics, group='oslo_messaging_metrics')
    oslo_messaging.set_transport_defaults('novalite')


def list_opts():
    # oslo.messaging publishes its own options to the config generator.
    return []
