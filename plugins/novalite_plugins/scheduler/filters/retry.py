"""RetryFilter: skip nodes a rescheduled build already failed on."""

import numpy as np

from novalite.scheduler import interfaces


class RetryFilter(interfaces.BaseFilter):
    """Rejects (host, node) pairs listed in ``spec.retry['hosts']``; reads no options."""

    def prepare(self, spec, cycle_state):
        # A set once per request instead of a list scan per host.
        cycle_state['RetryFilter'] = self._tried(spec)

    @staticmethod
    def _tried(spec):
        retry = spec.retry or {}
        return {tuple(pair) for pair in retry.get('hosts') or ()}

    def host_passes(self, host_state, spec, cycle_state):
        tried = cycle_state.get('RetryFilter')
        if tried is None:
            tried = self._tried(spec)
        return (host_state.host, host_state.nodename) not in tried

    def vec_key(self, spec, cycle_state):
        tried = cycle_state.get('RetryFilter')
        return frozenset(self._tried(spec) if tried is None else tried)

    def filter_vec(self, hosts, spec, cycle_state):
        tried = cycle_state.get('RetryFilter')
        if tried is None:
            tried = self._tried(spec)
        if not tried:
            return np.ones(len(hosts), dtype=bool)
        return np.array([(h.host, h.nodename) not in tried for h in hosts.states], dtype=bool)

    def reject_reason(self, host_state, spec, cycle_state):
        return 'already tried (attempt %s)' % (spec.retry or {}).get('num_attempts', '?')
