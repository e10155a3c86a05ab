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
    #: seconds a placement is remembered for requests naming it (until the DB shows it)
    RECENT_SECONDS = 60.0

    def __init__(self, conf, db, engine=None):
        self.conf = conf
        self.db = db
        self.engine = engine or sched_engine.Engine.from_conf(conf, rng=random.Random())
        self.host_manager = host_manager.HostManager(conf)
        self._lock = threading.Lock()
        self._services = {}
        self._services_read = -1e9
        self._nodes_read_at = None
        # what aggregates_signature() said when the aggregates were last read
        self._aggregates_signature = None
        # uuid -> ((host, node), expiry) of this scheduler's recent placements, oldest first.
        self._recent = {}

    def _refresh(self):
        now = utcnow()
        mono = time.monotonic()
        full = mono - self._services_read >= self.SERVICE_REFRESH
        aggregates = None           # None: the host manager keeps the map it has
        if full:
            self._services = {
                svc.host: {'disabled': svc.disabled, 'disabled_reason': svc.disabled_reason,
                           'forced_down': svc.forced_down,
                           'is_up': servicegroup.is_up(self.conf, svc, now)}
                for svc in self.db.service_get_all(binary=COMPUTE_BINARY)}
            self._services_read = mono
            nodes = self.db.compute_node_get_all()
            # Aggregates only when their one-query signature moved; read it first, so
            # a change landing while the aggregates are read is caught next time.
            signature = self.db.aggregates_signature()
            if signature != self._aggregates_signature:
                aggregates = self.db.aggregates_by_host()
                self._aggregates_signature = signature
        else:
            # Rows written in the same clock tick as our last read are read again:
            # re-applying a report is harmless, missing one is not.
            since = self._nodes_read_at - datetime.timedelta(seconds=1)
            nodes = self.db.compute_node_get_all(updated_since=since)
        self._nodes_read_at = now
        nodes = [n for n in nodes if n.host in self._services]
        self.host_manager.update_nodes(nodes, self._services, aggregates_by_host=aggregates,
                                       now=now, full=full)

    def select_destinations(self, ctx, request_spec):
        """Place every instance of the request; [{host, nodename, limits}] or NoValidHost."""
        spec = objects.RequestSpec.from_dict(request_spec)
        referenced = referenced_instances(spec)
        # Outside the lock: other requests need not wait for this query.
        locations = self.db.instance_get_locations(referenced) if referenced else {}
        with self._lock:
            self._refresh()
            if referenced:
                self._add_recent(referenced, locations)
            noted = self.host_manager.note_instances(locations)
            try:
                selections = self.engine.select_destinations(
                    self.host_manager.get_all_host_states(), spec)
            finally:
                self.host_manager.forget_instances(noted)
            self._remember(spec, selections)
        return [{'host': s.host, 'nodename': s.nodename, 'limits': s.limits}
                for s in selections]

    def _add_recent(self, referenced, locations):
        """Fill in referenced instances this scheduler placed but the database does not show yet."""
        for uuid in referenced:
            if uuid not in locations:
                recent = self._recent.get(uuid)
                if recent is not None:
                    locations[uuid] = recent[0]

    def _remember(self, spec, selections):
        """Forget the engine's per-request additions to host state; remember where they went.

        A later request naming these servers (same group, same_host ...) may
        come before the conductor records their host in the database.
        """
        now = time.monotonic()
        placed = []
        for index, selection in enumerate(selections):
            if index < len(spec.instance_uuids):
                uuid = spec.instance_uuids[index]
                where = (selection.host, selection.nodename)
                # Re-inserted, so the dict stays ordered by expiry.
                self._recent.pop(uuid, None)
                self._recent[uuid] = (where, now + self.RECENT_SECONDS)
                state = self.host_manager.get_host_state(*where)
                if state is not None:
                    placed.append((state, uuid))
        self.host_manager.forget_instances(placed)
        recent = self._recent
        while recent:
            uuid = next(iter(recent))
            if recent[uuid][1] > now:
                break
            del recent[uuid]


def referenced_instances(spec):
    """Uuids of existing servers the request's filters and weighers look at."""
    uuids = set()
    hints = spec.scheduler_hints or {}
    for key in ('same_host', 'different_host'):
        value = hints.get(key)
        if isinstance(value, str):
            uuids.add(value)
        elif isinstance(value, (list, tuple)):
            uuids.update(v for v in value if isinstance(v, str))
    group = spec.instance_group
    if group:
        uuids.update(group.get('members') or ())
    uuids.difference_update(spec.instance_uuids)
    return sorted(uuids)
