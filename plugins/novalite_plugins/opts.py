"""oslo.config.opts entry point: options the built-in plugins declare themselves.

A plugin module declaring options has a module-level ``list_opts()``; add the
module here so the sample config documents it.  Third-party packages register
their own ``oslo.config.opts`` entry point instead.
"""

import importlib

# Built-in plugin modules that declare options (the filters read the shared
# allocation ratios, which are core options).
MODULES = (
    'novalite_plugins.virt.fake.driver',
    'novalite_plugins.virt.xenapi.options',
    'novalite_plugins.virt.libvirt.options',
    'novalite_plugins.virt.vmwareapi.options',
    'novalite_plugins.scheduler.filters.aggregate_image_properties_isolation',
    'novalite_plugins.scheduler.filters.aggregate_io_ops',
    'novalite_plugins.scheduler.filters.aggregate_num_instances',
    'novalite_plugins.scheduler.filters.image_properties',
    'novalite_plugins.scheduler.filters.io_ops',
    'novalite_plugins.scheduler.filters.isolated_hosts',
    'novalite_plugins.scheduler.filters.num_instances',
)


def list_opts():
    grouped = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for group, opts in module.list_opts():
            listed = grouped.setdefault(group or 'DEFAULT', [])
            # Several plugins share an option (IoOpsFilter and AggregateIoOpsFilter
            # both read max_io_ops_per_host): document it once.
            listed.extend(o for o in opts if all(o.dest != seen.dest for seen in listed))
    return list(grouped.items())
