"""The ``[libvirt]`` options of the libvirt driver (Nova's group and names where Nova had them)."""

import os

from oslo_config import cfg

GROUP = 'libvirt'

#: the connection URI each virt_type uses when connection_uri is empty (as Nova)
DEFAULT_URIS = {'kvm': 'qemu:///system', 'qemu': 'qemu:///system', 'test': 'test:///default'}

OPTS = [
    cfg.StrOpt('virt_type', default='kvm', choices=sorted(DEFAULT_URIS),
               help='Libvirt domain type. kvm and qemu (TCG, no hardware acceleration) '
                    'run real guests through libvirtd; test is libvirt\'s in-process test '
                    'driver (no daemon, no disks, no consoles), for development and CI.'),
    cfg.StrOpt('connection_uri', default='',
               help='Libvirt connection URI. Empty: qemu:///system for kvm and qemu, '
                    'test:///default for test. A user:password@ part is never logged.'),
    cfg.StrOpt('instances_path',
               help='Where instance directories (disk overlay, console log) live. '
                    'Empty: <state_path>/instances.'),
    cfg.StrOpt('image_cache_subdirectory_name', default='_base',
               help='Folder under instances_path holding cached images, one file per '
                    'image id (qcow2 or raw). Root disks are qcow2 overlays on them.'),
    cfg.StrOpt('storage_pool',
               help='Name of a libvirt storage pool whose capacity is reported as the '
                    'host\'s local disk. Empty: the file system holding instances_path.'),
    cfg.StrOpt('disk_bus', default='virtio', choices=['virtio', 'scsi', 'ide', 'sata'],
               help='Bus of the root disk and attached volumes unless the image sets '
                    'hw_disk_bus.'),
    cfg.StrOpt('nic_model', default='virtio',
               help='NIC model unless the image sets hw_vif_model.'),
    cfg.StrOpt('hw_machine_type',
               help='Machine type (e.g. pc, q35) unless the image sets hw_machine_type. '
                    'Empty: the hypervisor\'s default.'),
    cfg.HostAddressOpt('vnc_server_listen', default='127.0.0.1',
                       help='Address the guests\' VNC servers listen on (Nova: [vnc] '
                            'server_listen).'),
    cfg.HostAddressOpt('vnc_server_proxyclient_address',
                       help='Address the console proxy reaches the VNC servers at (Nova: '
                            '[vnc] server_proxyclient_address). Empty: vnc_server_listen, '
                            'or 127.0.0.1 when that is a wildcard.'),
    cfg.IntOpt('soft_reboot_timeout', default=120, min=0,
               help='Seconds a soft reboot waits for the guest to shut down after the ACPI '
                    'request before it reboots hard (Nova: wait_soft_reboot_seconds).'),
    cfg.StrOpt('snapshots_directory',
               help='Where snapshot() writes <image_id>.qcow2 for the image registry. '
                    'Empty: <instances_path>/snapshots.'),
]


def list_opts():
    return [(GROUP, OPTS)]


def connection_uri(opts):
    """The URI to open: connection_uri, or the virt_type's default."""
    return opts.connection_uri or DEFAULT_URIS[opts.virt_type]


def instances_path(conf):
    """[libvirt] instances_path, or <state_path>/instances."""
    path = conf[GROUP].instances_path
    if not path:
        # A bare ConfigOpts (a driver test) may not have the core's state_path.
        state_path = conf.state_path if 'state_path' in conf else '.'
        path = os.path.join(state_path, 'instances')
    return os.path.abspath(os.path.expanduser(path))
