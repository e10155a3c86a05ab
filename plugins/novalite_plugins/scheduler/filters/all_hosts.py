"""AllHostsFilter: Nova's no-op filter."""

import numpy as np

from novalite.scheduler import interfaces


class AllHostsFilter(interfaces.BaseFilter):
    """Rejects nothing; reads no options."""

    def host_passes(self, host_state, spec, cycle_state):
        return True

    def filter_all(self, host_states, spec, cycle_state):
        return [True] * len(host_states)

    def vec_key(self, spec, cycle_state):
        return ()

    def filter_vec(self, hosts, spec, cycle_state):
        return np.ones(len(hosts), dtype=bool)
