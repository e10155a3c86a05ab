"""One simulation run: a scenario replayed through the real scheduler on a simpy clock.

The flow of a boot request follows Nova's:

1. the request (a multi-create of ``count`` servers of one flavor) goes to a
   scheduler (round-robin over ``scheduler.schedulers``); the engine filters,
   weighs and consumes on that scheduler's own host state;
2. after ``message_delay_s`` each instance's build reaches its compute,
   which claims against the limits the filters computed (:meth:`SimCloud.claim`);
3. a failed claim (another scheduler got there first, the view was stale,
   the compute is down) is rescheduled, with the host added to the retry
   list, until ``max_attempts``; then the instance ends in ERROR;
4. a placed instance lives for its lifetime and is then deleted on its compute.

Schedulers learn about resources only from compute reports, every
``report_interval_s`` per host (staggered), and about dead computes only
after ``service_down_time_s`` -- the staleness that makes conflicts.
"""

import dataclasses
import functools
import gc
import math
import time

import numpy as np
import simpy

from novalite import exception
from novalite.objects import RequestSpec
from novalite_sim import cloud as cloud_mod
from novalite_sim import metrics as metrics_mod
from novalite_sim import schedulers as schedulers_mod

#: report buckets: hosts report in this many staggered phases per interval
REPORT_PHASES = 12
#: default seconds between timeline samples
SAMPLE_INTERVAL = 300.0
#: Nova's fault for an instance that used up its attempts
MAX_ATTEMPTS_REASON = 'max_attempts'


@dataclasses.dataclass
class Flavor:
    """A flavor as the simulation uses it: the engine's dict plus its numbers."""

    name: str
    spec: dict
    vcpus: int
    ram_mb: int
    disk_gb: int


class _Request:
    """A boot request in flight: its instances' lifetimes and how many are still undecided."""

    __slots__ = ('flavor', 'arrival', 'counted', 'lifetimes', 'pending', 'failed', 'retried',
                 'group', 'project', 'az', 'hints')

    def __init__(self, flavor, arrival, counted, lifetimes, group, project, az, hints):
        self.flavor = flavor
        self.arrival = arrival
        self.counted = counted
        self.lifetimes = lifetimes
        self.pending = len(lifetimes)
        self.failed = False
        self.retried = False
        self.group = group
        self.project = project
        self.az = az
        self.hints = hints


class Simulation:
    """Build with a :class:`~novalite_sim.scenario.Scenario`, then :meth:`run`.

    ``seed`` overrides the scenario's.  ``progress`` (optional) has
    ``update(sim_time_s, events)``.  ``load_workload(spec_kind, spec, rng)``
    turns a scenario workload into a :class:`~novalite_sim.workload.Workload`
    (default: the trace readers and the synthetic generator).
    """

    def __init__(self, scenario, seed=None, progress=None, load_workload=None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        sc = scenario.scheduler
        self.conf = schedulers_mod.make_conf(sc)
        ratios = {'cpu': self.conf.cpu_allocation_ratio, 'ram': self.conf.ram_allocation_ratio,
                  'disk': self.conf.disk_allocation_ratio}
        self.env = simpy.Environment()
        self.cloud = cloud_mod.SimCloud(ratios)
        self.metrics = metrics_mod.Metrics(self.cloud, scenario.warmup_s)
        clock = functools.partial(getattr, self.env, 'now')
        self.schedulers = [schedulers_mod.SimScheduler(self.conf, self.seed * 7919 + i, clock)
                           for i in range(sc.schedulers)]
        self.rng = np.random.default_rng(self.seed)
        self.max_attempts = sc.max_attempts
        self.delay = sc.message_delay_s
        self.down_time = sc.service_down_time_s
        self.progress = progress
        self._load_workload = load_workload or _load_workload
        self.flavors = []
        self._flavor_index = {}
        for name, body in scenario.flavors.items():
            self._flavor(name, body['vcpus'], body['ram_mb'], body['disk_gb'],
                         body.get('extra_specs'))
        self.instances = {}          # id -> [row, flavor, request]
        self.by_workload = {}        # workload name -> ids booted from it
        self.groups = {}             # group uuid -> {id: row}
        self._next_id = 0
        self._next_group = 0
        self._rr = 0
        self.visible_up = []         # per row: what the schedulers' servicegroup says
        self.inflight = 0
        self._idle = None
        self.feeders = []
        self._phases = REPORT_PHASES
        self.dirty = [set() for _ in range(self._phases)]
        self.end = None
        self.wall_seconds = None
        self.workload_summaries = {}

    # -- flavors ---------------------------------------------------------------

    def _flavor(self, name, vcpus, ram_mb, disk_gb, extra_specs=None):
        key = (int(vcpus), int(ram_mb), int(disk_gb))
        if name is None:
            index = self._flavor_index.get(key)
            if index is not None:
                return index
            name = '%dvcpu-%dMB' % key[:2] + ('-%dGB' % key[2] if key[2] else '')
        index = self._flavor_index.get(name)
        if index is not None:
            return index
        spec = {'name': name, 'vcpus': key[0], 'memory_mb': key[1], 'root_gb': key[2],
                'ephemeral_gb': 0, 'swap': 0, 'extra_specs': dict(extra_specs or {})}
        index = len(self.flavors)
        self.flavors.append(Flavor(name, spec, *key))
        self._flavor_index[name] = index
        self._flavor_index.setdefault(key, index)
        return index

    # -- the run -----------------------------------------------------------------

    def run(self):
        """Run to the end; return ``(report dict, speed dict)``."""
        env = self.env
        # Workloads are read before the clock starts: a bad trace fails at once.
        self._workloads = {}
        for index, op in enumerate(self.scenario.ops):
            if op['op'] == 'boot' and 'workload' in op:
                meta = self.scenario.workloads[op['workload']]
                self._workloads[index] = self._load_workload(
                    meta['kind'], meta['spec'], self.rng, self.scenario.base_dir)
        done = env.event()
        env.process(self._ops(done))
        env.process(self._reporter())
        interval = self.scenario.sample_interval_s or SAMPLE_INTERVAL
        env.process(self._sampler(interval))
        until = done
        if self.scenario.duration_s is not None:
            until = env.timeout(self.scenario.duration_s)
        start = time.perf_counter()
        try:
            env.run(until=until)
        finally:
            gc.unfreeze()
        self.wall_seconds = time.perf_counter() - start
        self.end = env.now
        if not self.metrics.timeline or self.metrics.timeline[-1][0] != self.end:
            self.metrics.sample(self.end)
        return self.report(), self.metrics.speed(self.wall_seconds, self.end)

    def report(self):
        """The run's deterministic report (``report.json``)."""
        sc = self.scenario.scheduler
        cloud = self.cloud
        body = self.metrics.report(self.end)
        body.update({
            'format': 1,
            'scenario': {'name': self.scenario.name, 'params_set': self.scenario.params_set,
                         'params': self.scenario.params, 'seed': self.seed,
                         'labels': self.scenario.labels, 'file': self.scenario.path.name},
            'scheduler': {'filters': list(sc.filters), 'weighers': dict(sc.weighers),
                          'host_subset_size': sc.host_subset_size,
                          'max_attempts': sc.max_attempts, 'schedulers': sc.schedulers,
                          'message_delay_s': sc.message_delay_s,
                          'report_interval_s': sc.report_interval_s,
                          'allocation_ratios': dict(cloud.default_ratios)},
            'hosts': {'count': cloud.n, 'vcpus': int(cloud.vcpus[:cloud.n].sum()),
                      'ram_mb': int(cloud.ram_mb[:cloud.n].sum()),
                      'disk_gb': int(cloud.disk_gb[:cloud.n].sum())},
            'workloads': self.workload_summaries,
            'simulated_seconds': self.end, 'warmup_s': self.metrics.warmup_s,
        })
        return body

    def _ops(self, done):
        env = self.env
        for index, op in enumerate(self.scenario.ops):
            self._op_index = index
            handler = getattr(self, '_op_' + op['op'])
            result = handler(op)
            if result is not None:
                yield result
        if self.feeders:
            yield env.all_of(self.feeders)
        while self.inflight:
            self._idle = env.event()
            yield self._idle
        done.succeed()

    def _reporter(self):
        """Computes report their resources every interval, in staggered phases."""
        step = self.scenario.scheduler.report_interval_s / self._phases
        phase = 0
        while True:
            yield self.env.timeout(step)
            rows = self.dirty[phase]
            if rows:
                self.dirty[phase] = set()
                self._report(sorted(rows))
            phase = (phase + 1) % self._phases

    def _sampler(self, interval):
        while True:
            self.metrics.sample(self.env.now)
            yield self.env.timeout(interval)

    def _report(self, rows, aggregates=None):
        cloud = self.cloud
        now = self.env.now
        nodes = [cloud.node(r, now) for r in rows]
        services = {cloud.names[r]: cloud.service(r, self.visible_up[r]) for r in rows}
        for sched in self.schedulers:
            sched.update(nodes, services, now, aggregates_by_host=aggregates)
        self.metrics.events += 1

    def _dirty(self, row):
        self.dirty[row % self._phases].add(row)

    # -- ops -----------------------------------------------------------------------

    def _op_create_hosts(self, op):
        group = self.scenario.host_groups[op['group']]
        rows = self.cloud.add_hosts(group, op.get('count', group.count))
        self.visible_up.extend([True] * len(rows))
        # Only hosts in aggregates are listed: the host manager keeps the map.
        cloud = self.cloud
        aggregates = {}
        for name, group_rows in cloud.group_rows.items():
            aggs = self.scenario.host_groups[name].aggregates
            if aggs:
                aggregates.update((cloud.names[r], aggs) for r in group_rows)
        self._report(rows, aggregates=aggregates)
        self.metrics.changed(self.env.now)
        # The host population lives as long as the run: keep the cyclic collector
        # from walking it again and again (a running scheduler does the same).
        gc.collect()
        gc.freeze()

    def _op_advance(self, op):
        return self.env.timeout(op['seconds'])

    def _op_boot(self, op):
        if 'workload' in op:
            meta = self.scenario.workloads[op['workload']]
            workload = self._workloads[self._op_index]
            self.workload_summaries[op['workload']] = _summary(workload)
            self.feeders.append(self.env.process(
                self._feed(workload, meta, op['workload'], self.env.now)))
            return None
        body = self.scenario.flavors[op['flavor']]
        index = self._flavor(op['flavor'], body['vcpus'], body['ram_mb'], body['disk_gb'])
        self._submit(index, [math.inf] * op.get('count', 1), self.env.now,
                     op.get('server_group'), op.get('project', 'sim'),
                     op.get('availability_zone'), op.get('hints'), None)
        return None

    def _op_delete(self, op):
        if 'workload' in op:
            ids = [i for i in self.by_workload.get(op['workload'], ()) if i in self.instances]
        else:
            ids = list(self.instances)
        if 'all' in op:
            chosen = ids if op['all'] else []
        else:
            want = op['count'] if 'count' in op else int(round(op['fraction'] * len(ids)))
            want = min(want, len(ids))
            picks = self.rng.choice(len(ids), size=want, replace=False) if want else []
            chosen = [ids[k] for k in sorted(int(p) for p in picks)]
        for instance_id in chosen:
            self._delete(instance_id)

    def _hosts_op(self, op):
        try:
            return self.cloud.rows_for(op)
        except ValueError as exc:
            raise ValueError('%s (line %s): %s' % (op['op'], op.get('line'), exc)) from None

    def _op_fail_host(self, op):
        rows = [r for r in self._hosts_op(op) if self.cloud.set_up(r, False)]
        self.metrics.changed(self.env.now)
        if rows:
            # The schedulers notice only when the heartbeats are overdue.
            ev = self.env.timeout(self.down_time)
            ev.callbacks.append(functools.partial(self._noticed_down, rows))

    def _noticed_down(self, rows, _event):
        rows = [r for r in rows if not self.cloud.up[r]]
        for r in rows:
            self.visible_up[r] = False
        if rows:
            self._report(rows)

    def _op_recover_host(self, op):
        rows = [r for r in self._hosts_op(op) if self.cloud.set_up(r, True)]
        for r in rows:
            self.visible_up[r] = True
        if rows:
            self._report(rows)
        self.metrics.changed(self.env.now)

    def _op_disable_service(self, op):
        rows = self._hosts_op(op)
        for r in rows:
            self.cloud.set_enabled(r, False, op.get('reason', 'disabled by the scenario'))
        if rows:
            self._report(rows)

    def _op_enable_service(self, op):
        rows = self._hosts_op(op)
        for r in rows:
            self.cloud.set_enabled(r, True)
        if rows:
            self._report(rows)

    # -- workloads --------------------------------------------------------------------

    def _feed(self, workload, meta, name, t0):
        env = self.env
        request = np.asarray(workload.request)
        n = len(request)
        if n == 0:
            return
        starts = np.flatnonzero(np.r_[True, request[1:] != request[:-1]])
        stops = np.r_[starts[1:], n].tolist()
        flavor_names = getattr(workload, 'flavor', None)
        if flavor_names is not None:
            kinds = [self._named_flavor(flavor_names[s], workload, s) for s in starts.tolist()]
        else:
            keys = np.stack([np.asarray(workload.vcpus)[starts],
                             np.asarray(workload.ram_mb)[starts],
                             np.asarray(workload.disk_gb)[starts]], axis=1)
            uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
            index = [self._flavor(None, *row) for row in uniq.tolist()]
            kinds = [index[k] for k in np.asarray(inverse).reshape(-1).tolist()]
        times = (np.asarray(workload.arrival_s)[starts] + t0).tolist()
        lifetimes = np.asarray(workload.lifetime_s, dtype=float).tolist()
        starts = starts.tolist()
        policy = meta.get('server_group')
        project = meta.get('project', 'sim')
        submit = self._submit
        progress = self.progress
        for k, when in enumerate(times):
            if when > env.now:
                yield env.timeout(when - env.now)
            submit(kinds[k], lifetimes[starts[k]:stops[k]], when, policy, project, None, None,
                   name)
            if progress is not None and not k & 255:
                progress.update(env.now, self.metrics.events)

    def _named_flavor(self, name, workload, row):
        if name in self._flavor_index:
            return self._flavor_index[name]
        return self._flavor(name, workload.vcpus[row], workload.ram_mb[row], workload.disk_gb[row])

    # -- the request flow ------------------------------------------------------------------

    def _submit(self, flavor_index, lifetimes, arrival, policy, project, az, hints, workload):
        metrics = self.metrics
        flavor = self.flavors[flavor_index]
        count = len(lifetimes)
        counted = arrival >= metrics.warmup_s
        metrics.events += 1
        metrics.note_request_size(flavor.vcpus, flavor.ram_mb)
        if counted:
            metrics.requests_submitted += 1
            metrics.submitted += count
            metrics.flavor(flavor.name).submitted += count
        group = None
        if policy is not None:
            group = {'uuid': 'group-%d' % self._next_group, 'name': 'sim-group-%d'
                     % self._next_group, 'policy': policy, 'rules': {}, 'members': [],
                     'hosts': []}
            self._next_group += 1
            self.groups[group['uuid']] = {}
        request = _Request(flavor, arrival, counted, lifetimes, group, project, az, hints)
        ids = list(range(self._next_id, self._next_id + count))
        self._next_id += count
        if workload is not None:
            self.by_workload.setdefault(workload, []).extend(ids)
        self._schedule(request, ids, list(range(count)), attempt=1, tried=())

    def _spec(self, request, ids, attempt, tried):
        spec = RequestSpec(flavor=request.flavor.spec, num_instances=len(ids),
                           project_id=request.project, availability_zone=request.az,
                           scheduler_hints=dict(request.hints or {}),
                           retry=({'num_attempts': attempt, 'hosts': [list(t) for t in tried]}
                                  if self.max_attempts > 1 else None))
        locations = None
        group = request.group
        if group is not None:
            spec.instance_uuids = ['sim-%d' % i for i in ids]
            placed = self.groups[group['uuid']]
            names = self.cloud.names
            locations = {'sim-%d' % i: (names[row], names[row]) for i, row in placed.items()}
            hosts = []
            for row in placed.values():
                if names[row] not in hosts:
                    hosts.append(names[row])
            spec.instance_group = dict(group, members=sorted(locations) + spec.instance_uuids,
                                       hosts=hosts)
        return spec, locations

    def _schedule(self, request, ids, slots, attempt, tried):
        """Ask a scheduler for hosts for ``ids`` (``slots``: their index in the request)."""
        spec, locations = self._spec(request, ids, attempt, tried)
        scheduler = self.schedulers[self._rr % len(self.schedulers)]
        self._rr += 1
        metrics = self.metrics
        t0 = time.perf_counter()
        try:
            selections = scheduler.select(spec, locations)
        except exception.NoValidHost as exc:
            metrics.latencies_us.append((time.perf_counter() - t0) * 1e6)
            step = getattr(exc, 'explanation', None)
            step = step.failed_step if step is not None else None
            reason = step.name if step is not None else 'NoValidHost'
            for _ in ids:
                self._failed(request, reason)
            return
        metrics.latencies_us.append((time.perf_counter() - t0) * 1e6)
        row_of = self.cloud.row
        for instance_id, slot, sel in zip(ids, slots, selections):
            row = row_of(sel.host)
            if self.delay:
                self.inflight += 1
                ev = self.env.timeout(self.delay)
                ev.callbacks.append(functools.partial(
                    self._arrived, request, instance_id, slot, row, sel.limits, attempt, tried))
            else:
                self._claim(request, instance_id, slot, row, sel.limits, attempt, tried)

    def _arrived(self, request, instance_id, slot, row, limits, attempt, tried, _event):
        self.inflight -= 1
        self._claim(request, instance_id, slot, row, limits, attempt, tried)
        self._maybe_idle()

    def _maybe_idle(self):
        if not self.inflight and self._idle is not None and not self._idle.triggered:
            self._idle.succeed()

    def _claim(self, request, instance_id, slot, row, limits, attempt, tried):
        cloud = self.cloud
        flavor = request.flavor
        metrics = self.metrics
        metrics.events += 1
        why = cloud.claim(row, flavor.vcpus, flavor.ram_mb, flavor.disk_gb, limits)
        if why is None:
            self.instances[instance_id] = [row, flavor, request]
            if request.group is not None:
                self.groups[request.group['uuid']][instance_id] = row
            metrics.live += 1
            self._dirty(row)
            if request.counted:
                metrics.accepted += 1
                metrics.flavor(flavor.name).accepted += 1
            metrics.changed(self.env.now)
            self._decided(request)
            lifetime = request.lifetimes[slot]
            if lifetime != math.inf:
                ev = self.env.timeout(lifetime)
                ev.callbacks.append(functools.partial(self._expire, instance_id))
            return
        if request.counted:
            metrics.conflicts += 1
        if attempt >= self.max_attempts:
            if request.counted:
                metrics.exhausted += 1
            self._failed(request, MAX_ATTEMPTS_REASON)
            return
        if request.counted:
            metrics.reschedules += 1
            if not request.retried:
                metrics.requests_retried += 1
        request.retried = True
        name = cloud.names[row]
        tried = tuple(tried) + ((name, name),)
        if self.delay:
            # The conductor's hop back to the scheduler.
            self.inflight += 1
            ev = self.env.timeout(self.delay)
            ev.callbacks.append(functools.partial(
                self._rescheduled, request, instance_id, slot, attempt + 1, tried))
        else:
            self._schedule(request, [instance_id], [slot], attempt + 1, tried)

    def _rescheduled(self, request, instance_id, slot, attempt, tried, _event):
        self.inflight -= 1
        self._schedule(request, [instance_id], [slot], attempt, tried)
        self._maybe_idle()

    def _failed(self, request, reason):
        self.metrics.rejected_instances(self.env.now, request.flavor.name, 1, reason,
                                        request.arrival)
        request.failed = True
        self._decided(request)

    def _decided(self, request):
        request.pending -= 1
        if request.pending == 0 and request.counted:
            if request.failed:
                self.metrics.requests_rejected += 1
            else:
                self.metrics.requests_accepted += 1

    def _expire(self, instance_id, _event):
        self._delete(instance_id)

    def _delete(self, instance_id):
        entry = self.instances.pop(instance_id, None)
        if entry is None:
            return
        row, flavor, request = entry
        self.cloud.release(row, flavor.vcpus, flavor.ram_mb, flavor.disk_gb)
        if request.group is not None:
            self.groups[request.group['uuid']].pop(instance_id, None)
        metrics = self.metrics
        metrics.live -= 1
        metrics.events += 1
        self._dirty(row)
        metrics.changed(self.env.now)


def _load_workload(kind, spec, rng, base_dir):
    # Imported here: the trace readers are only needed by scenarios that replay traces.
    if kind == 'trace':
        from novalite_sim import traces
        return traces.load(spec, rng=rng, base_dir=base_dir)
    from novalite_sim import workload
    return workload.synthetic(rng, **spec)


def _summary(workload):
    summary = getattr(workload, 'summary', None)
    if summary is None:
        return {'instances': len(workload.request)}
    return _jsonable(summary())


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return value
