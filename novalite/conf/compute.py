"""Compute options: which virt driver, reserved resources, build behaviour."""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('compute_driver', default='fake',
               help='Virt driver: an entry-point name in novalite.virt.drivers '
                    '(fake, libvirt, xenapi, vmwareapi, or a third-party one).'),
    cfg.IntOpt('reserved_host_memory_mb', default=512, min=0,
               help='RAM kept for the host, counted as used.'),
    cfg.IntOpt('reserved_host_disk_mb', default=0, min=0,
               help='Disk kept for the host, counted as used.'),
    cfg.IntOpt('reserved_host_cpus', default=0, min=0,
               help='vCPUs kept for the host, counted as used.'),
    cfg.IntOpt('sync_power_state_interval', default=600,
               help='Seconds between power-state syncs with the hypervisor (<0 disables).'),
    cfg.IntOpt('shutdown_timeout', default=60, min=0,
               help='Seconds a clean shutdown may take before power off is forced.'),
    cfg.IntOpt('instance_build_timeout', default=0, min=0,
               help='Seconds a server may stay in BUILD before it is set to ERROR (0: never).'),
    cfg.BoolOpt('notify_on_state_change', default=True,
                help='Emit instance.update notifications on state changes.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


def list_opts():
    return [(None, OPTS)]
