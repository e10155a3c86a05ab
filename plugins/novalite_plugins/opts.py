"""oslo.config.opts entry point: options the built-in plugins declare themselves.

A plugin module declaring options has a module-level ``list_opts()``; add the
module here so the sample config documents it.  Third-party packages register
their own ``oslo.config.opts`` entry point instead.
"""

import importlib

# Built-in plugin modules that declare options (the filters read the shared
# allocation ratios, which are core options).
MODULES = ('novalite_plugins.virt.fake.driver',)


def list_opts():
    grouped = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for group, opts in module.list_opts():
            grouped.setdefault(group or 'DEFAULT', []).extend(opts)
    return list(grouped.items())
