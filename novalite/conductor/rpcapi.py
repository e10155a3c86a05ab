"""Clients of the conductor: the DB proxy computes use, and the build workflow the API uses."""

from novalite import objects
from novalite import rpc

TOPIC = 'conductor'
VERSION = '1.0'


class ConductorAPI:
    """What a compute service asks the conductor (it never opens the database itself)."""

    def __init__(self, conf, transport=None):
        self.client = rpc.get_client(conf, TOPIC, VERSION, transport=transport)

    def service_get_or_create(self, ctx, host, binary, topic, timeout=None):
        client = self.client.prepare(timeout=timeout) if timeout else self.client
        return objects.Service.from_dict(client.call(
            ctx, 'service_get_or_create', host=host, binary=binary, topic=topic))

    def service_heartbeat(self, ctx, service_id):
        self.client.call(ctx, 'service_heartbeat', service_id=service_id)

    def service_disable(self, ctx, host, binary, reason):
        """Disable the service (host, binary) with ``reason``; needs a 1.1 conductor."""
        return objects.Service.from_dict(self.client.prepare(version='1.1').call(
            ctx, 'service_disable', host=host, binary=binary, reason=reason))

    def instance_update(self, ctx, instance_uuid, updates, expected_task_state='__unset__'):
        kwargs = {'instance_uuid': instance_uuid, 'updates': updates}
        if expected_task_state != '__unset__':
            kwargs['expected_task_state'] = expected_task_state
        return objects.Instance.from_dict(self.client.call(ctx, 'instance_update', **kwargs))

    def instance_destroy(self, ctx, instance_uuid):
        self.client.call(ctx, 'instance_destroy', instance_uuid=instance_uuid)

    def instance_fault_create(self, ctx, instance_uuid, code, message, details, host):
        self.client.call(ctx, 'instance_fault_create', instance_uuid=instance_uuid, code=code,
                         message=message, details=details, host=host)

    def instance_get_all_by_host(self, ctx, host):
        return [objects.Instance.from_dict(d) for d in self.client.call(
            ctx, 'instance_get_all_by_host', host=host)]

    def image_update(self, ctx, image_id, values):
        """Update an image record (a snapshot's); needs a 1.2 conductor."""
        return self.client.prepare(version='1.2').call(ctx, 'image_update',
                                                       image_id=image_id, values=values)

    def image_destroy(self, ctx, image_id):
        self.client.prepare(version='1.2').call(ctx, 'image_destroy', image_id=image_id)

    def compute_node_update(self, ctx, host, nodename, values):
        self.client.cast(ctx, 'compute_node_update', host=host, nodename=nodename,
                         values=values)


class ComputeTaskAPI:
    """Build orchestration (namespace ``compute_task``): schedule, then cast to computes."""

    def __init__(self, conf, transport=None):
        client = rpc.get_client(conf, TOPIC, VERSION, transport=transport)
        self.client = client.prepare(namespace='compute_task')

    def build_instances(self, ctx, instances, request_spec, filter_properties=None):
        self.client.cast(ctx, 'build_instances',
                         instances=[i.to_dict() for i in instances],
                         request_spec=request_spec.to_dict(),
                         filter_properties=filter_properties or {})
