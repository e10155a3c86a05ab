"""Messaging options: the transport URL and oslo.messaging's own groups.

oslo.messaging 18.3 registers its tracing and metrics groups only on the
global cfg.CONF, so a private ConfigOpts needs them registered here or the
first RPC call fails with NoSuchOptError.
"""

import oslo_messaging
from oslo_messaging import transport as om_transport
from oslo_messaging.notify import notifier as om_notifier
from oslo_messaging.rpc import client as om_client

try:  # present in oslo.messaging >= 16
    from oslo_messaging._metrics import client as _metrics
    from oslo_messaging._tracing import client as _tracing
except ImportError:  # pragma: no cover - older releases register these themselves
    _metrics = _tracing = None



def register_opts(conf):
    # The very option objects oslo.messaging registers lazily (an equal copy
    # would be a DuplicateOptError), so transport_url, rpc_response_timeout and
    # the notifier's driver can be read before any transport exists.
    conf.register_opts(om_transport._transport_opts)
    conf.register_opts(om_client._client_opts)
    conf.register_opts(om_notifier._notifier_opts, group='oslo_messaging_notifications')
    if _tracing is not None:
        conf.register_opts(_tracing.oslo_messaging_tracing, group='oslo_messaging_tracing')
        conf.register_opts(_metrics.oslo_messaging_metrics, group='oslo_messaging_metrics')
    oslo_messaging.set_transport_defaults('novalite')


def list_opts():
    # oslo.messaging publishes its own options to the config generator.
    return []
