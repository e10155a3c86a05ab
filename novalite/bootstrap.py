"""Default content for a new deployment: Nova's m1.* flavors and one image."""

import uuid

from novalite import exception

# Nova's classic default flavors: (flavorid, name, memory_mb, vcpus, root_gb)
DEFAULT_FLAVORS = (
    ('1', 'm1.tiny', 512, 1, 1),
    ('2', 'm1.small', 2048, 1, 20),
    ('3', 'm1.medium', 4096, 2, 40),
    ('4', 'm1.large', 8192, 4, 80),
    ('5', 'm1.xlarge', 16384, 8, 160),
)

# A stable id, so scripts and docs can name the default image.
DEFAULT_IMAGE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, 'novalite:image:cirros-0.6.2-x86_64'))
DEFAULT_IMAGE = {
    'id': DEFAULT_IMAGE_ID, 'name': 'cirros-0.6.2-x86_64-disk', 'status': 'active',
    'visibility': 'public', 'disk_format': 'qcow2', 'container_format': 'bare',
    'size': 21430272, 'min_disk': 0, 'min_ram': 0,
    'properties': {'architecture': 'x86_64', 'os_distro': 'cirros',
                   'hypervisor_type': 'qemu'},
}


def ensure_defaults(db):
    """Create the default flavors and image where missing; returns what was created."""
    created = []
    for flavorid, name, ram, vcpus, disk in DEFAULT_FLAVORS:
        try:
            db.flavor_get(flavorid)
        except exception.FlavorNotFound:
            try:
                db.flavor_create({'flavorid': flavorid, 'name': name, 'memory_mb': ram,
                                  'vcpus': vcpus, 'root_gb': disk})
                created.append(name)
            except exception.FlavorExists:
                pass  # same name under another id: the operator's choice stands
    try:
        db.image_get(DEFAULT_IMAGE_ID)
    except exception.ImageNotFound:
        db.image_create(dict(DEFAULT_IMAGE))
        created.append(DEFAULT_IMAGE['name'])
    return created
