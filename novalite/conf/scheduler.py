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
            default={'RAMWeigher': 1.0},
            help='Multiplier per weigher, name:value.  Each weigher\'s scores are '
                 'normalised to [0, 1], multiplied by this and summed.  A weigher '
                 'not listed uses its own default (1.0 unless it says otherwise).  '
                 'A negative RAMWeigher multiplier packs instead of spreading.'),
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
