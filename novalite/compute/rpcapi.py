"""Client of the compute service: casts (and a few calls) to the host that owns a server."""

from novalite import rpc

TOPIC = 'compute'
VERSION = '1.0'


class ComputeAPI:
    """One method per compute operation; each goes to ``instance.host`` (or ``host``)."""

    def __init__(self, conf, transport=None):
        self.client = rpc.get_client(conf, TOPIC, VERSION, transport=transport)

    def _cast(self, ctx, host, method, **kwargs):
        self.client.prepare(server=host).cast(ctx, method, **kwargs)

    def build_and_run_instance(self, ctx, host, node, instance, request_spec,
                               filter_properties, limits):
        self._cast(ctx, host, 'build_and_run_instance', instance=instance.to_dict(),
                   request_spec=request_spec.to_dict(), filter_properties=filter_properties,
                   limits=limits, node=node)

    def terminate_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'terminate_instance', instance=instance.to_dict())

    def reboot_instance(self, ctx, instance, reboot_type):
        self._cast(ctx, instance.host, 'reboot_instance', instance=instance.to_dict(),
                   reboot_type=reboot_type)

    def stop_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'stop_instance', instance=instance.to_dict())

    def start_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'start_instance', instance=instance.to_dict())

    def pause_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'pause_instance', instance=instance.to_dict())

    def unpause_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'unpause_instance', instance=instance.to_dict())

    def suspend_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'suspend_instance', instance=instance.to_dict())

    def resume_instance(self, ctx, instance):
        self._cast(ctx, instance.host, 'resume_instance', instance=instance.to_dict())

    def change_instance_metadata(self, ctx, instance, diff):
        self._cast(ctx, instance.host, 'change_instance_metadata', instance=instance.to_dict(),
                   diff=diff)

    # -- 1.1: networking on the host ---------------------------------------------------------

    def _call(self, ctx, host, method, version='1.1', timeout=None, **kwargs):
        client = self.client.prepare(server=host, version=version, timeout=timeout)
        return client.call(ctx, method, **kwargs)

    def attach_interface(self, ctx, instance, network_uuid, requested_ip=None):
        """Allocate a VIF on ``network_uuid`` and plug it; returns the VIF (network_info entry)."""
        return self._call(ctx, instance.host, 'attach_interface', instance=instance.to_dict(),
                          network_uuid=network_uuid, requested_ip=requested_ip)

    def detach_interface(self, ctx, instance, port_id):
        """Unplug VIF ``port_id`` and release its fixed IP."""
        return self._call(ctx, instance.host, 'detach_interface', instance=instance.to_dict(),
                          port_id=port_id)

    def snapshot_instance(self, ctx, instance, image_id):
        self.client.prepare(server=instance.host, version='1.1').cast(
            ctx, 'snapshot_instance', instance=instance.to_dict(), image_id=image_id)

    def refresh_instance_security_rules(self, ctx, host, instance_uuid):
        """Re-render the firewall of one server after its groups or rules changed."""
        self.client.prepare(server=host, version='1.1').cast(
            ctx, 'refresh_instance_security_rules', instance_uuid=instance_uuid)
