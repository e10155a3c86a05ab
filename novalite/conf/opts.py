"""Entry point for oslo-config-generator: every core option, by group."""

import collections

from novalite import conf as novalite_conf


def list_opts():
    grouped = collections.OrderedDict()
    for module in novalite_conf.MODULES:
        for group, opts in module.list_opts():
            grouped.setdefault(group or 'DEFAULT', []).extend(opts)
    return list(grouped.items())
