"""HostManager: the scheduler's cache of HostStates, fed by whoever reads the DB."""

import datetime
import logging

from novalite.objects import base as objects_base
from novalite.scheduler import host_arrays as host_arrays_mod
from novalite.scheduler import host_state as host_state_mod

LOG = logging.getLogger(__name__)

AZ_KEY = 'availability_zone'


class HostManager:
    """Cached :class:`HostState` objects keyed by ``(host, nodename)``.

    It never queries anything itself: the scheduler manager (or the
    simulator) reads compute nodes, services and aggregates and passes them
    to :meth:`update_nodes`.  HostStates are kept between requests so the
    scheduler's own placements survive until the computes report them.

    Reads ``[DEFAULT] default_availability_zone``, ``service_down_time`` and
    the three ``*_allocation_ratio`` options from ``conf``.

    The same states are also kept as columns in a :class:`HostArrays`
    (``self.arrays``), which each HostState updates as it changes; the
    engine's vectorised filters and weighers read those.
    """

    def __init__(self, conf):
        self.conf = conf
        self._states = {}
        self._aggregates_by_host = {}
        self.arrays = host_arrays_mod.HostArrays()
        self._all = None
        self._service_views = {}

    def _default_ratios(self):
        conf = self.conf
        return {'ram': conf.ram_allocation_ratio,
                'cpu': conf.cpu_allocation_ratio,
                'disk': conf.disk_allocation_ratio}

    def _service_view(self, service, now):
        """The service as a dict with ``is_up`` decided once, here, not by each filter."""
        svc = host_state_mod._service_dict(service)
        if 'is_up' not in svc:
            svc['is_up'] = self._is_up(svc, now)
        try:
            key = frozenset(svc.items())
        except TypeError:  # an unhashable value: not shared
            return svc
        # One dict for all hosts whose services look alike (read-only for plugins).
        return self._service_views.setdefault(key, svc)

    def _is_up(self, svc, now):
        # As Nova's DB servicegroup driver: forced_down wins, else the heartbeat age.
        if svc.get('forced_down'):
            return False
        last = svc.get('last_seen_up') or svc.get('updated_at') or svc.get('created_at')
        if last is None:
            return False
        if isinstance(last, str):
            last = objects_base.str_to_dt(last)
        elapsed = now - last
        if isinstance(elapsed, datetime.timedelta):
            elapsed = elapsed.total_seconds()
        return abs(elapsed) <= self.conf.service_down_time

    def _availability_zone(self, aggregates):
        zones = sorted({agg.get('metadata', {}).get(AZ_KEY) for agg in aggregates} - {None})
        # Nova shows a host in several zoned aggregates as "az1,az2".
        return ','.join(zones) if zones else self.conf.default_availability_zone

    def update_nodes(self, compute_nodes, services_by_host, aggregates_by_host=None,
                     now=None, full=True):
        """Refresh the cache from compute node records.

        ``compute_nodes``: iterable of :class:`ComputeNode`.  ``services_by_host``:
        ``{host: Service or dict}`` of the nova-compute services; a node whose
        host has no service is skipped.  A service dict may carry a
        precomputed ``is_up``; otherwise liveness is judged from its
        ``last_seen_up``/``updated_at`` against ``now`` and ``service_down_time``.
        ``aggregates_by_host``: ``{host: [{'name', 'metadata'}]}``; None keeps
        the last map given (and applies it to new nodes).  ``now`` is a naive-UTC datetime (default: now),
        or whatever clock the node and service timestamps use.  With
        ``full=True`` the nodes given are all there are, and cached nodes
        missing from them are dropped; with ``full=False`` only the nodes
        given (e.g. those reported since the last call) are touched.
        """
        if now is None:
            now = host_state_mod.utcnow()
        if aggregates_by_host is not None:
            self._aggregates_by_host = {h: list(aggs) for h, aggs in aggregates_by_host.items()}
        ratios = self._default_ratios()
        if full:
            self._service_views = {}
        seen = set()
        new = []
        for node in compute_nodes:
            service = services_by_host.get(node.host)
            if service is None:
                LOG.debug('No compute service record for host %s; ignoring node %s',
                          node.host, node.hypervisor_hostname)
                continue
            key = (node.host, node.hypervisor_hostname)
            seen.add(key)
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = host_state_mod.HostState(*key)
                self.arrays.add(state)
                self._all = None
                new.append(state)
            state.update_from_compute_node(node, self._service_view(service, now), ratios, now)
        if full:
            gone = []
            for key in [k for k in self._states if k not in seen]:
                LOG.info('Removing node %s/%s: no longer reported', *key)
                gone.append(self._states.pop(key))
            if gone:
                self.arrays.remove(gone)
                self._all = None
        # A new aggregate map concerns every cached host; otherwise only new
        # hosts need a zone, so a small update stays O(nodes given).
        targets = self._states.values() if aggregates_by_host is not None else new
        for state in targets:
            aggs = self._aggregates_by_host.get(state.host, ())
            state.aggregates = aggs
            state.availability_zone = self._availability_zone(aggs)
        if aggregates_by_host is not None:
            # Zones and aggregate metadata are no columns: cached verdicts may be stale.
            self.arrays.reshaped()

    def note_instances(self, locations):
        """Add instances to ``HostState.instances``: ``locations`` maps uuid -> (host, node).

        The scheduler does not follow every instance.  Per request it learns
        where the servers the request refers to are (server group members,
        ``same_host`` / ``different_host`` uuids), notes them here for the
        filters and weighers, and forgets them afterwards
        (:meth:`forget_instances`), so host state never accumulates uuids of
        deleted servers.  Returns the ``(state, uuid)`` pairs noted; unknown
        nodes are skipped.
        """
        noted = []
        for uuid, where in locations.items():
            state = self._states.get(tuple(where))
            if state is not None and uuid not in state.instances:
                state.add_instance(uuid)
                noted.append((state, uuid))
        return noted

    def forget_instances(self, noted):
        """Undo :meth:`note_instances` (and the engine's own additions): ``(state, uuid)`` pairs."""
        for state, uuid in noted:
            state.discard_instance(uuid)

    def get_all_host_states(self):
        """Every cached HostState, in the order of ``self.arrays`` rows.

        A :class:`HostStateList` shared until the set of hosts changes: do not
        modify it (copy it first).  It carries the arrays, so the engine
        needs no per-request rebuild.
        """
        if self._all is None:
            self._all = HostStateList(self.arrays.states)
            self._all.host_arrays = self.arrays
        return self._all

    def get_host_state(self, host, nodename):
        """The cached HostState of one node, or None."""
        return self._states.get((host, nodename))


class HostStateList(list):
    """A list of HostStates that are exactly the rows of ``host_arrays``, in order."""

    host_arrays = None
