"""RPC in one place: transports, versioned clients and servers, the serializer, the notifier.

Payloads are plain dicts (dataclasses' ``to_dict()``); the context travels as
oslo.context's dict form.  ``inproc://`` (novalite.transport.inproc) is the
embedded default; ``rabbit://`` is for real deployments.
"""

import threading

import oslo_messaging as messaging

from novalite import context as nl_context

EXMODS = ['novalite.exception']
_transports = {}
_lock = threading.Lock()


class RequestContextSerializer(messaging.NoOpSerializer):
    """Serialises novalite's RequestContext; entities are already JSON-friendly."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict() if hasattr(ctxt, 'to_dict') else dict(ctxt or {})

    def deserialize_context(self, ctxt):
        return nl_context.RequestContext.from_dict(ctxt)


def get_transport(conf):
    """The RPC transport for ``conf.transport_url`` (shared per conf and URL)."""
    key = (id(conf), conf.transport_url)
    with _lock:
        transport = _transports.get(key)
        if transport is None:
            transport = messaging.get_rpc_transport(
                conf, url=conf.transport_url, allowed_remote_exmods=EXMODS)
            _transports[key] = transport
        return transport


def cleanup():
    """Close every transport this process opened."""
    with _lock:
        for transport in _transports.values():
            transport.cleanup()
        _transports.clear()


def get_client(conf, topic, version, transport=None, timeout=None):
    """An RPC client on ``topic`` pinned to ``version``."""
    target = messaging.Target(topic=topic, version=version)
    return messaging.get_rpc_client(
        transport or get_transport(conf), target, serializer=RequestContextSerializer(),
        timeout=timeout or conf.rpc_response_timeout)


def get_server(conf, topic, host, endpoints, transport=None):
    """An RPC server consuming ``topic`` (shared queue), ``topic.host`` and fanout."""
    target = messaging.Target(topic=topic, server=host)
    return messaging.get_rpc_server(
        transport or get_transport(conf), target, endpoints,
        serializer=RequestContextSerializer(), access_policy=messaging.DefaultRPCAccessPolicy)


_notification_transports = {}


def get_notifier(conf, publisher_id):
    """An oslo.messaging Notifier publishing as ``publisher_id`` (e.g. ``compute.host1``).

    The driver comes from ``[oslo_messaging_notifications] driver``; with none
    configured notifications are dropped, exactly as oslo.messaging does.
    """
    key = (id(conf), conf.transport_url)
    with _lock:
        transport = _notification_transports.get(key)
        if transport is None:
            url = conf.oslo_messaging_notifications.transport_url or conf.transport_url
            transport = messaging.get_notification_transport(conf, url=url)
            _notification_transports[key] = transport
    return messaging.Notifier(transport, publisher_id=publisher_id,
                              serializer=RequestContextSerializer())
