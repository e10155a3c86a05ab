"""The payload of instance.* notifications, shared by the compute API and the compute manager."""


def notification_payload(instance):
    """The payload of instance.* notifications (a subset of Nova's)."""
    return {'instance_id': instance.uuid, 'display_name': instance.display_name,
            'tenant_id': instance.project_id, 'user_id': instance.user_id,
            'state': instance.vm_state, 'state_description': instance.task_state or '',
            'host': instance.host, 'node': instance.node,
            'instance_type': instance.flavor.get('name'),
            'memory_mb': instance.flavor.get('memory_mb'), 'vcpus': instance.flavor.get('vcpus'),
            'root_gb': instance.flavor.get('root_gb'), 'image_ref_url': instance.image_ref,
            'availability_zone': instance.availability_zone}
