"""Scheduler options: [scheduler], [filter_scheduler] and the shared allocation ratios.

Nova Kilo kept all of these in [DEFAULT] (``scheduler_default_filters`` ...);
the grouped names are Nova's later ones, and each keeps its Kilo name as a
deprecated alias so an existing nova.conf line still works.  The allocation
ratios stay in [DEFAULT]: several filters and the compute's claims read them.
"""

from oslo_config import cfg
from oslo_config import types

SCHEDULER_GROUP = 'scheduler'
FILTER_SCHEDULER_GROUP = 'filter_scheduler'

DEFAULT_FILTERS = ['AvailabilityZoneFilter', 'ComputeFilter', 'RamFilter',
                   'CoreFilter', 'DiskFilter', 'RetryFilter']

DEFAULT_OPTS = [
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='Virtual RAM to physical RAM ratio (RamFilter, compute claims). '
                      'A compute node reporting its own non-zero ratio overrides this.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPU to physical CPU ratio (CoreFilter, compute claims). '
                      'A compute node reporting its own non-zero ratio overrides this.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual disk to physical disk ratio (DiskFilter, compute claims). '
                      'A compute node reporting its own non-zero ratio overrides this.'),
]

SCHEDULER_OPTS = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               deprecated_name='scheduler_max_attempts', deprecated_group='DEFAULT',
               help='Times a build is scheduled (first try plus reschedules) '
                    'before it fails with NoValidHost.'),
]

FILTER_SCHEDULER_OPTS = [
    cfg.ListOpt('enabled_filters', default=DEFAULT_FILTERS,
                deprecated_name='scheduler_default_filters', deprecated_group='DEFAULT',
                help='Filters applied in this order; entry-point names in '
                     'novalite.scheduler.filters (Nova class names work unchanged).'),
    cfg.ListOpt('weight_classes', default=['RAMWeigher'],
                deprecated_name='scheduler_weight_classes', deprecated_group='DEFAULT',
                help='Weighers to apply; entry-point names in novalite.scheduler.weighers.'),
    # Dict(Float) rather than DictOpt so a typo in a value fails at start-up.
    cfg.Opt('weight_multipliers', type=types.Dict(types.Float()),
            default={},
            help='Multiplier per weigher, name:value (e.g. RAMWeigher:-1.0).  Each '
                 'weigher\'s scores are normalised to [0, 1], multiplied by this and '
                 'summed.  An entry here wins over the weigher\'s Nova option (e.g. '
                 'ram_weight_multiplier); a weigher with neither uses its own '
                 'default.  A name that is not in weight_classes stops the scheduler.  '
                 'A negative RAMWeigher multiplier packs instead of spreading.'),
    # Nova's per-weigher multipliers; a weigher names its option in multiplier_option.
    # Kilo had the first two in [DEFAULT].
    cfg.FloatOpt('ram_weight_multiplier', default=1.0, deprecated_group='DEFAULT',
                 help='RAMWeigher multiplier: positive spreads over hosts with more free '
                      'RAM, negative packs.'),
    cfg.FloatOpt('io_ops_weight_multiplier', default=-1.0, deprecated_group='DEFAULT',
                 help='IoOpsWeigher multiplier: negative prefers hosts with fewer '
                      'I/O-heavy operations in flight, positive busier ones.'),
    cfg.FloatOpt('cpu_weight_multiplier', default=1.0,
                 help='CPUWeigher multiplier: positive spreads over hosts with more free '
                      'vCPUs, negative packs.'),
    cfg.FloatOpt('disk_weight_multiplier', default=1.0,
                 help='DiskWeigher multiplier: positive spreads over hosts with more free '
                      'disk, negative packs.'),
    cfg.FloatOpt('num_instances_weight_multiplier', default=0.0,
                 help='NumInstancesWeigher multiplier: positive packs onto hosts with more '
                      'instances, negative spreads; 0 (default) switches it off.'),
    cfg.FloatOpt('soft_affinity_weight_multiplier', default=1.0, min=0.0,
                 help='ServerGroupSoftAffinityWeigher multiplier (soft-affinity groups).'),
    cfg.FloatOpt('soft_anti_affinity_weight_multiplier', default=1.0, min=0.0,
                 help='ServerGroupSoftAntiAffinityWeigher multiplier (soft-anti-affinity '
                      'groups).'),
    cfg.FloatOpt('build_failure_weight_multiplier', default=1000000.0,
                 help='BuildFailureWeigher multiplier: how much a host\'s recent failed '
                      'builds count against it.  The large default makes it outweigh '
                      'the other weighers; 0 ignores build failures.'),
    cfg.IntOpt('host_subset_size', default=1,
               deprecated_name='scheduler_host_subset_size', deprecated_group='DEFAULT',
               help='Choose at random among this many best-weighed hosts (values '
                    'below 1 count as 1); more than 1 reduces races between schedulers.'),
]


def register_opts(conf):
    conf.register_opts(DEFAULT_OPTS)
    conf.register_opts(SCHEDULER_OPTS, group=SCHEDULER_GROUP)
    conf.register_opts(FILTER_SCHEDULER_OPTS, group=FILTER_SCHEDULER_GROUP)


def list_opts():
    return [(None, DEFAULT_OPTS),
            (SCHEDULER_GROUP, SCHEDULER_OPTS),
            (FILTER_SCHEDULER_GROUP, FILTER_SCHEDULER_OPTS)]
