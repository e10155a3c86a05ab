"""HostNamePrefixFilter: keep servers on hosts whose name starts with a prefix."""

from oslo_config import cfg

from novalite.scheduler import interfaces

GROUP = 'example_filter'
HINT = 'host_prefix'

OPTS = [
    cfg.ListOpt('host_prefix', default=[],
                help='HostNamePrefixFilter: host name prefixes a server may be placed on '
                     '(e.g. "rack1-,rack2-").  Empty: every host passes.  A request can '
                     'narrow this with the scheduler hint "host_prefix".'),
]


def list_opts():
    """The options of this module, for oslo-config-generator (oslo.config.opts entry point)."""
    return [(GROUP, OPTS)]


class HostNamePrefixFilter(interfaces.BaseFilter):
    """Rejects hosts whose name starts with none of the configured (or hinted) prefixes."""

    @classmethod
    def register_opts(cls, conf):
        # The loader calls this before __init__, so the option exists when read.
        conf.register_opts(OPTS, group=GROUP)

    def __init__(self, conf):
        super().__init__(conf)
        self.prefixes = tuple(p for p in conf.example_filter.host_prefix if p)

    def prepare(self, spec, cycle_state):
        # Once per request: the hint (if any) replaces the configured prefixes.
        hint = (spec.scheduler_hints or {}).get(HINT)
        if isinstance(hint, str):
            hint = [hint]
        prefixes = tuple(p for p in hint or () if p) or self.prefixes
        cycle_state['HostNamePrefixFilter'] = prefixes

    def _prefixes(self, cycle_state):
        return cycle_state.get('HostNamePrefixFilter', self.prefixes)

    def host_passes(self, host_state, spec, cycle_state):
        prefixes = self._prefixes(cycle_state)
        return not prefixes or host_state.host.startswith(prefixes)

    def reject_reason(self, host_state, spec, cycle_state):
        return 'name does not start with %s' % ' or '.join(
            repr(p) for p in self._prefixes(cycle_state))
