"""The scheduler service endpoint: keeps host state fresh and runs the pure engine.

Host state is cached between requests.  Each request reads only the compute
nodes whose report changed since the last read, and the services' liveness at
most every few seconds, so a request costs the engine's work, not a full table
scan.  Decisions are serialised by one lock: the engine consumes resources on
the cached host state right after choosing, and the next request must see it.
"""

import datetime
import random
import threading
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from novalite import objects
from novalite import servicegroup
from novalite.scheduler import engine as sched_engine
from novalite.scheduler import host_manager
from novalite.utils import utcnow

LOG = logging.getLogger(__name__)

COMPUTE_BINARY = 'novalite-compute'


class SchedulerManager:
    """RPC endpoint of novalite-scheduler."""

    target = messaging.Target(version='1.0')

    #: seconds between re-reads of service liveness (heartbeats are 10 s apart)
    SERVICE_REFRESH = 2.0

    def __init__(self, conf, db, engine=None):
        self.conf = conf
        self.db = db
        self.engine = engine or sched_engine.Engine.from_conf(conf, rng=random.Random())
        self.host_manager = host_manager.HostManager(conf)
        self._lock = threading.Lock()
        self._services = {}
        self._services_read = -1e9
        self._nodes_read_at = None

    def _refresh(self):
        now = utcnow()
        mono = time.monotonic()
        full = mono - self._services_read >= self.SERVICE_REFRESH
        if full:
            self._services = {
                svc.host: {'disabled': svc.disabled, 'disabled_reason': svc.disabled_reason,
                           'forced_down': svc.forced_down,
                           'is_up': servicegroup.is_up(self.conf, svc, now)}
                for svc in self.db.service_get_all(binary=COMPUTE_BINARY)}
            self._services_read = mono
            nodes = self.db.compute_node_get_all()
        else:
            # Rows written in the same clock tick as our last read are read again:
            # re-applying a report is harmless, missing one is not.
            since = self._nodes_read_at - datetime.timedelta(seconds=1)
            nodes = self.db.compute_node_get_all(updated_since=since)
        self._nodes_read_at = now
        nodes = [n for n in nodes if n.host in self._services]
        self.host_manager.update_nodes(nodes, self._services, now=now, full=full)

    def select_destinations(self, ctx, request_spec):
        """Place every instance of the request; [{host, nodename, limits}] or NoValidHost."""
        spec = objects.RequestSpec.from_dict(request_spec)
        with self._lock:
            self._refresh()
            selections = self.engine.select_destinations(
                self.host_manager.get_all_host_states(), spec)
        return [{'host': s.host, 'nodename': s.nodename, 'limits': s.limits}
                for s in selections]
