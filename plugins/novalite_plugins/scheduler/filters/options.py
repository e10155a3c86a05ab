"""Options of the catalogue filters, shared by the modules that read them.

Nova's later names in ``[filter_scheduler]``; each keeps its Kilo ``[DEFAULT]``
name as a deprecated alias, so a Kilo nova.conf works unchanged.  Each filter
registers only the options it reads (``register_opts``) and lists them in its
module's ``list_opts()``; registering one Opt object twice is harmless.
"""

from oslo_config import cfg

GROUP = 'filter_scheduler'


def _kilo(name):
    # The Kilo option had the same name in [DEFAULT].
    return dict(deprecated_name=name, deprecated_group='DEFAULT')


MAX_IO_OPS_PER_HOST = cfg.IntOpt(
    'max_io_ops_per_host', default=8, min=0, **_kilo('max_io_ops_per_host'),
    help='IoOpsFilter / AggregateIoOpsFilter: hosts with this many or more concurrent '
         'I/O-heavy operations (builds, resizes, snapshots ...) are rejected.  '
         'AggregateIoOpsFilter reads an aggregate\'s max_io_ops_per_host metadata first.')

MAX_INSTANCES_PER_HOST = cfg.IntOpt(
    'max_instances_per_host', default=50, min=1, **_kilo('max_instances_per_host'),
    help='NumInstancesFilter / AggregateNumInstancesFilter: hosts with this many or more '
         'instances are rejected.  AggregateNumInstancesFilter reads an aggregate\'s '
         'max_instances_per_host metadata first.')

ISOLATED_IMAGES = cfg.ListOpt(
    'isolated_images', default=[], **_kilo('isolated_images'),
    help='IsolatedHostsFilter: image ids that may only boot on isolated_hosts.')

ISOLATED_HOSTS = cfg.ListOpt(
    'isolated_hosts', default=[], **_kilo('isolated_hosts'),
    help='IsolatedHostsFilter: hosts that may only boot isolated_images.')

RESTRICT_ISOLATED_HOSTS = cfg.BoolOpt(
    'restrict_isolated_hosts_to_isolated_images', default=True,
    **_kilo('restrict_isolated_hosts_to_isolated_images'),
    help='IsolatedHostsFilter: isolated_hosts take only isolated_images.  False lets '
         'them take any image (isolated images still go to isolated hosts only).')

AGGREGATE_IMAGE_NAMESPACE = cfg.StrOpt(
    'aggregate_image_properties_isolation_namespace',
    **_kilo('aggregate_image_properties_isolation_namespace'),
    help='AggregateImagePropertiesIsolation: only aggregate metadata keys starting with '
         'this namespace (and the separator) are compared with image properties; unset '
         'compares every key.')

AGGREGATE_IMAGE_SEPARATOR = cfg.StrOpt(
    'aggregate_image_properties_isolation_separator', default='.',
    **_kilo('aggregate_image_properties_isolation_separator'),
    help='AggregateImagePropertiesIsolation: separator between the namespace and the key.')

IMAGE_DEFAULT_ARCHITECTURE = cfg.StrOpt(
    'image_properties_default_architecture',
    help='ImagePropertiesFilter: the architecture assumed for an image without '
         'hw_architecture (Nova Stein and later); unset means "any".')


def register(conf, opts):
    conf.register_opts(opts, group=GROUP)
