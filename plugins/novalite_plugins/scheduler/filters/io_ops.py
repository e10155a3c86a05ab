"""IoOpsFilter: hosts with fewer concurrent I/O-heavy operations than ``max_io_ops_per_host``."""

import numpy as np

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import options

OPTS = [options.MAX_IO_OPS_PER_HOST]


def list_opts():
    return [(options.GROUP, OPTS)]


class IoOpsFilter(interfaces.BaseFilter):
    """Rejects hosts with ``max_io_ops_per_host`` ([filter_scheduler], Kilo [DEFAULT]) I/O ops or more.

    ``num_io_ops`` is the compute's ``io_workload`` stat (instances building,
    resizing, snapshotting ...) plus the builds this scheduler placed since.
    """

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        self.max_io_ops = conf[options.GROUP].max_io_ops_per_host

    def host_passes(self, host_state, spec, cycle_state):
        return host_state.num_io_ops < self.max_io_ops

    def vec_key(self, spec, cycle_state):
        # The verdict reads one column and an option: no request dependency.
        return ()

    def filter_vec(self, hosts, spec, cycle_state):
        return np.less(hosts.num_io_ops, self.max_io_ops)

    def reject_reason(self, host_state, spec, cycle_state):
        return '%d I/O ops >= max %d' % (host_state.num_io_ops, self.max_io_ops)
