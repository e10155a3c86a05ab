"""Compute options: which virt driver, reserved resources, build behaviour.

``[compute]`` holds the options Nova added there later (Pike and on).
"""

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
               help='Seconds between power-state syncs with the hypervisor (checked on each '
                    'periodic_interval tick; < 0 disables).'),
    cfg.IntOpt('shutdown_timeout', default=60, min=0,
               help='Seconds a clean shutdown (stop) may take before the driver forces '
                    'power off.'),
]

COMPUTE_GROUP = 'compute'

COMPUTE_OPTS = [
    cfg.IntOpt('consecutive_build_service_disable_threshold', default=10, min=0,
               help='Consecutive failed builds after which this compute service disables '
                    'itself (disabled_reason "Auto-disabled due to N build failures"; an '
                    'operator re-enables it).  Any non-zero value also reports the count '
                    'of consecutive failures (reset by a successful build) to the '
                    'scheduler, for BuildFailureWeigher.  0 turns both off.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)
    conf.register_opts(COMPUTE_OPTS, group=COMPUTE_GROUP)


def list_opts():
    return [(None, OPTS), (COMPUTE_GROUP, COMPUTE_OPTS)]
