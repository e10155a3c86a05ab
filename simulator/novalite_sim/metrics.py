"""What a run measures, and the report it turns into.

Every figure is defined in doc/simulator.md ("Metrics").  In short:

* acceptance: instances (and requests) placed over submitted, counted for
  requests arriving at or after ``warmup_s``;
* allocation per resource: used / capacity over the hosts that are up, its
  time average over [warmup, end] (exact: integrated at every change) and peak;
* stranded capacity: schedulable vCPUs left on hosts whose RAM cannot fit the
  smallest flavor seen, and RAM left on hosts whose vCPUs cannot; averaged
  over the samples after warm-up;
* hosts used: up hosts with at least one instance (integrated like allocation);
* retries: reschedules after failed claims, claim conflicts, requests that
  needed one, instances that ran out of attempts.

Wall-clock figures (latency per decision, events/s) are kept apart, in
:meth:`Metrics.speed`, so the simulated report stays byte-identical.
"""

import array
import resource
import sys

import numpy as np

RESOURCES = ('vcpus', 'ram_mb', 'disk_gb')
TIMELINE_COLUMNS = ('time_s', 'live_instances', 'hosts_used', 'hosts_up', 'alloc_vcpus',
                    'alloc_ram_mb', 'alloc_disk_gb', 'submitted', 'accepted', 'rejected',
                    'reschedules', 'conflicts', 'stranded_vcpus', 'stranded_ram_mb')


class _Integral:
    """Time average and peak of a step function, from ``start`` on."""

    __slots__ = ('start', 'last_t', 'value', 'area', 'peak')

    def __init__(self, start):
        self.start = start
        self.last_t = start
        self.value = 0.0
        self.area = 0.0
        self.peak = 0.0

    def set(self, t, value):
        if t > self.last_t:
            if t > self.start:
                self.area += self.value * (t - max(self.last_t, self.start))
            self.last_t = t
        self.value = value
        if t >= self.start and value > self.peak:
            self.peak = value

    def average(self, end):
        """The time average over [start, end]; None when the run ended before ``start``."""
        if end < self.start:
            return None
        self.set(end, self.value)
        span = end - self.start
        return self.area / span if span > 0 else self.value

    def peak_value(self, end):
        """The peak from ``start`` on; None when the run ended before ``start``."""
        return None if end < self.start else self.peak


class FlavorCounts:
    """Submitted, accepted and rejected instances of one flavor."""

    __slots__ = ('submitted', 'accepted', 'rejected')

    def __init__(self):
        self.submitted = self.accepted = self.rejected = 0


class Metrics:
    """Counters, integrals and samples of one run; ``report()`` renders them."""

    def __init__(self, cloud, warmup_s=0.0):
        self.cloud = cloud
        self.warmup_s = float(warmup_s)
        self.requests_submitted = self.requests_accepted = self.requests_rejected = 0
        self.submitted = self.accepted = self.rejected = 0     # instances
        self.first_rejection_s = None
        self.by_flavor = {}
        self.rejected_by = {}
        self.reschedules = self.conflicts = self.requests_retried = self.exhausted = 0
        self.live = 0
        self.events = 0
        self.alloc = {r: _Integral(self.warmup_s) for r in RESOURCES}
        self.hosts_used = _Integral(self.warmup_s)
        self.live_instances = _Integral(self.warmup_s)
        self.timeline = []
        self.stranded = {'vcpus': [], 'ram_mb': []}
        self.stranded_capacity = {'vcpus': [], 'ram_mb': []}
        self.min_request = None      # (vcpus, ram_mb) of the smallest flavor seen
        self.latencies_us = array.array('d')

    # -- counting (called by the simulation) ------------------------------------

    def counted(self, arrival):
        return arrival >= self.warmup_s

    def flavor(self, name):
        counts = self.by_flavor.get(name)
        if counts is None:
            counts = self.by_flavor[name] = FlavorCounts()
        return counts

    def note_request_size(self, vcpus, ram_mb):
        small = self.min_request
        if small is None:
            self.min_request = (vcpus, ram_mb)
        else:
            self.min_request = (min(small[0], vcpus), min(small[1], ram_mb))

    def rejected_instances(self, now, flavor, count, reason, arrival):
        if self.first_rejection_s is None:
            self.first_rejection_s = now
        if self.counted(arrival):
            self.rejected += count
            self.flavor(flavor).rejected += count
            self.rejected_by[reason] = self.rejected_by.get(reason, 0) + count

    def changed(self, now):
        """Integrate the cloud's figures up to ``now`` and take their new values."""
        cloud = self.cloud
        cap = cloud.up_capacity
        used = cloud.up_used
        for res in RESOURCES:
            total = cap[res]
            self.alloc[res].set(now, used[res] / total if total else 0.0)
        self.hosts_used.set(now, cloud.hosts_used)
        self.live_instances.set(now, self.live)

    def sample(self, now):
        """One timeline row, including the stranded-capacity scan over all hosts."""
        cloud = self.cloud
        stranded_cpu = stranded_ram = 0.0
        free_cpu_total = free_ram_total = 0.0
        if self.min_request is not None and cloud.n:
            free_cpu, free_ram = cloud.schedulable_free()
            small_cpu, small_ram = self.min_request
            stranded_cpu = float(free_cpu[free_ram < small_ram].sum())
            stranded_ram = float(free_ram[free_cpu < small_cpu].sum())
            free_cpu_total = float(free_cpu.sum())
            free_ram_total = float(free_ram.sum())
        if now >= self.warmup_s:
            self.stranded['vcpus'].append(stranded_cpu)
            self.stranded['ram_mb'].append(stranded_ram)
            self.stranded_capacity['vcpus'].append(free_cpu_total)
            self.stranded_capacity['ram_mb'].append(free_ram_total)
        cap = cloud.up_capacity
        used = cloud.up_used
        self.timeline.append((
            now, self.live, cloud.hosts_used, cloud.hosts_up,
            *(used[r] / cap[r] if cap[r] else 0.0 for r in RESOURCES),
            self.submitted, self.accepted, self.rejected, self.reschedules, self.conflicts,
            stranded_cpu, stranded_ram))

    # -- rendering ------------------------------------------------------------------

    def report(self, end):
        """The deterministic figures as a JSON-able dict (see the module docstring)."""
        self.changed(end)

        def rate(good, total):
            return _r(good / total) if total else None

        def stranded(kind):
            values = self.stranded[kind]
            free = self.stranded_capacity[kind]
            if not values:
                return {'time_avg': None, 'peak': None, 'time_avg_fraction': None}
            avg = sum(values) / len(values)
            free_avg = sum(free) / len(free)
            return {'time_avg': _r(avg), 'peak': _r(max(values)),
                    'time_avg_fraction': _r(avg / free_avg) if free_avg else 0.0}

        return {
            'requests': {
                'submitted': self.requests_submitted, 'accepted': self.requests_accepted,
                'rejected': self.requests_rejected,
                'acceptance_rate': rate(self.requests_accepted, self.requests_submitted),
                'instances_submitted': self.submitted, 'instances_accepted': self.accepted,
                'instances_rejected': self.rejected,
                'instance_acceptance_rate': rate(self.accepted, self.submitted),
                'first_rejection_s': self.first_rejection_s,
                'by_flavor': {name: {'submitted': c.submitted, 'accepted': c.accepted,
                                     'rejected': c.rejected,
                                     'acceptance_rate': rate(c.accepted, c.submitted)}
                              for name, c in sorted(self.by_flavor.items())},
                'rejected_by': dict(sorted(self.rejected_by.items()))},
            'allocation': {res: {'time_avg': _r(self.alloc[res].average(end)),
                                 'peak': _r(self.alloc[res].peak_value(end))}
                           for res in RESOURCES},
            'stranded': {'vcpus_on_ram_full_hosts': stranded('vcpus'),
                         'ram_mb_on_cpu_full_hosts': stranded('ram_mb')},
            'hosts_used': {'time_avg': _r(self.hosts_used.average(end)),
                           'peak': _int(self.hosts_used.peak_value(end)),
                           'final': self.cloud.hosts_used},
            'live_instances': {'time_avg': _r(self.live_instances.average(end)),
                               'peak': _int(self.live_instances.peak_value(end)),
                               'final': self.live},
            'retries': {'reschedules': self.reschedules, 'claim_conflicts': self.conflicts,
                        'requests_retried': self.requests_retried,
                        'exhausted': self.exhausted},
            'events': self.events,
        }

    def speed(self, wall_seconds, simulated_seconds):
        """Wall-clock figures: they differ from run to run, so they are not in the report."""
        lat = np.frombuffer(self.latencies_us, dtype=np.float64) if self.latencies_us else None
        out = {'wall_seconds': round(wall_seconds, 3),
               'events_per_second': round(self.events / wall_seconds, 1) if wall_seconds else None,
               'wall_seconds_per_simulated_day': (
                   round(wall_seconds / simulated_seconds * 86400, 3)
                   if simulated_seconds else None),
               'peak_rss_mb': round(peak_rss_mb(), 1),
               'placements_per_second': None, 'scheduling_latency_us': None}
        if lat is not None and len(lat):
            p50, p90, p99 = np.percentile(lat, [50, 90, 99])
            out['scheduling_latency_us'] = {
                'count': int(len(lat)), 'mean': round(float(lat.mean()), 1),
                'p50': round(float(p50), 1), 'p90': round(float(p90), 1),
                'p99': round(float(p99), 1), 'max': round(float(lat.max()), 1)}
            out['placements_per_second'] = round(float(len(lat) / (lat.sum() / 1e6)), 1)
        return out


def peak_rss_mb():
    """This process's peak resident set size, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == 'darwin' else peak / 1024


def _int(value):
    return None if value is None else int(value)


def _r(value):
    """Rounded so reports compare across platforms' last-bit float differences."""
    return None if value is None else round(float(value), 6)
