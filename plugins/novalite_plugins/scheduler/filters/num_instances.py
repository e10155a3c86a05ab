"""NumInstancesFilter: hosts with fewer instances than ``max_instances_per_host``."""

import numpy as np

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import options

OPTS = [options.MAX_INSTANCES_PER_HOST]


def list_opts():
    return [(options.GROUP, OPTS)]


class NumInstancesFilter(interfaces.BaseFilter):
    """Rejects hosts with ``max_instances_per_host`` ([filter_scheduler]) instances or more."""

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        self.max_instances = conf[options.GROUP].max_instances_per_host

    def host_passes(self, host_state, spec, cycle_state):
        return host_state.num_instances < self.max_instances

    def vec_key(self, spec, cycle_state):
        # The verdict reads one column and an option: no request dependency.
        return ()

    def filter_vec(self, hosts, spec, cycle_state):
        return np.less(hosts.num_instances, self.max_instances)

    def reject_reason(self, host_state, spec, cycle_state):
        return '%d instances >= max %d' % (host_state.num_instances, self.max_instances)
