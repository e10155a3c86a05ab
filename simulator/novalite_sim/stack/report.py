"""Figures of a full-stack run: ``report.json`` (placement), ``speed.json`` (speed),
``servers.json`` (every boot) and a terminal summary.

The placement figures are the simulator's where they apply: a request is
*accepted* when its server reaches ACTIVE and *rejected* when the API refuses
it or the server goes to ERROR; ``rejected_by`` counts the faults by their
first sentence (plus the filter that removed the last hosts, when the fault
names one).  Hosts used and live instances follow the servers seen ACTIVE
and seen deleted.
"""

import dataclasses
import json
import os
import re
import statistics

FORMAT = 1
_FILTER = re.compile(r'Filter (\w+) returned 0 hosts')


def percentiles(values):
    """p50/p90/p99/max/mean/count of ``values`` (nearest rank), seconds rounded to ms."""
    values = sorted(values)
    if not values:
        return {'count': 0, 'p50': None, 'p90': None, 'p99': None, 'max': None, 'mean': None}

    def rank(q):
        return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 3)

    return {'count': len(values), 'p50': rank(0.50), 'p90': rank(0.90), 'p99': rank(0.99),
            'max': round(values[-1], 3), 'mean': round(statistics.fmean(values), 3)}


def fault_key(message):
    """The first sentence of a fault, plus the filter it names: how rejections are counted."""
    message = (message or 'unknown').strip()
    key = re.split(r'(?<=[.!?])\s', message, maxsplit=1)[0].rstrip('.')
    match = _FILTER.search(message)
    if match:
        key += ' (%s)' % match.group(1)
    return key[:120]


def _timeline(records):
    """(time, +1/-1, host) for every server seen ACTIVE, and for its deletion."""
    events = []
    for r in records:
        if r.active_at is None:
            continue
        events.append((r.active_at, 1, r.host))
        if r.deleted_at is not None:
            events.append((max(r.deleted_at, r.active_at), -1, r.host))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def placement(result):
    """The placement part of report.json."""
    records = result.records
    submitted = [r for r in records if r.submitted is not None]
    accepted = [r for r in submitted if r.active_at is not None]
    rejected = [r for r in submitted if r.active_at is None and r.error_at is not None]
    rejected_by = {}
    for r in rejected:
        key = fault_key(r.fault)
        rejected_by[key] = rejected_by.get(key, 0) + 1
    first_rejection = min((r.error_at for r in rejected), default=None)

    live, peak_live, per_host, peak_hosts, peak_per_host = 0, 0, {}, 0, 0
    for _, delta, host in _timeline(records):
        live += delta
        per_host[host] = per_host.get(host, 0) + delta
        if per_host[host] == 0:
            del per_host[host]
        peak_live = max(peak_live, live)
        peak_hosts = max(peak_hosts, len(per_host))
        peak_per_host = max(peak_per_host, per_host.get(host, 0))
    hosts_ever = {r.host for r in accepted}
    return {
        'requests': {
            'submitted': len(submitted), 'accepted': len(accepted), 'rejected': len(rejected),
            'unfinished': result.timed_out,
            'acceptance_rate': round(len(accepted) / len(submitted), 4) if submitted else None,
            'first_rejection_s': (round(first_rejection - result.started, 3)
                                  if first_rejection is not None else None),
            'rejected_by': rejected_by,
            'max_submit_lag_s': round(max((r.submitted - r.due for r in submitted),
                                          default=0.0), 3),
        },
        'hosts_used': {'final': len(per_host), 'peak': peak_hosts, 'ever': len(hosts_ever),
                       'max_instances_per_host': peak_per_host},
        'live_instances': {'peak': peak_live, 'final': live},
    }


def speed(result, deployment=None, monitor_window=('load_start', 'load_end')):
    """The speed part: throughput, time-to-ACTIVE, time-to-deleted, startup and resources."""
    records = result.records
    submitted = [r for r in records if r.submitted is not None]
    active = [r for r in submitted if r.active_at is not None]
    first = min((r.submitted for r in submitted), default=result.started)
    last_active = max((r.active_at for r in active), default=first)
    cycled = [r for r in active if r.deleted_at is not None]
    last_deleted = max((r.deleted_at for r in cycled), default=first)
    ends = [t for r in submitted for t in (r.active_at, r.error_at, r.deleted_at) if t]
    out = {
        'target_rate': result.rate,
        'offered_rate': round(len(submitted) / max(result.boots_done - first, 1e-9), 3)
        if len(submitted) > 1 else None,
        'boots_per_second': round(len(active) / max(last_active - first, 1e-9), 3)
        if active else 0.0,
        'boot_delete_per_second': round(len(cycled) / max(last_deleted - first, 1e-9), 3)
        if cycled else 0.0,
        'time_to_active_s': percentiles([r.active_at - r.submitted for r in active]),
        'time_to_deleted_s': percentiles([r.deleted_at - r.delete_sent for r in cycled
                                          if r.delete_sent is not None]),
        'post_latency_s': percentiles([r.answered - r.submitted for r in submitted
                                       if r.answered is not None]),
        'wall_seconds': round(max(ends, default=first) - first, 3),
        'poll': {'requests': result.poll_requests, 'errors': result.poll_errors,
                 'straggler_requests': result.straggler_requests},
        'delete_errors': sum(1 for r in records if r.delete_status not in (None, 204, 404)),
    }
    if deployment is not None:
        out.update(deployment.timings)
        out['startup_seconds'] = round(deployment.timings.get('startup_seconds', 0.0), 3)
        monitor = deployment.monitor
        peak_rss = {}
        for name, value in monitor.peak_rss.items():
            kind = monitor.kind_of(name)
            peak_rss[kind] = max(peak_rss.get(kind, 0.0), round(value / 2 ** 20, 1))
        out['peak_rss_mb'] = peak_rss
        processes = {name: {'kind': monitor.kind_of(name),
                            'peak_rss_mb': round(monitor.peak_rss.get(name, 0) / 2 ** 20, 1),
                            'peak_threads': monitor.peak_threads.get(name, 0)}
                     for name in monitor.groups if name in monitor.peak_rss}
        if all(m in monitor.marks for m in monitor_window):
            cpu, machine = monitor.cpu_percent(*monitor_window)
            cpu = {name: value for name, value in cpu.items() if name in processes}
            for name, value in cpu.items():
                processes[name]['cpu_percent'] = value
            out['machine_cpu_percent'] = machine
            busiest = max(cpu, key=cpu.get) if cpu else None
            out['busiest_process'] = ({'name': busiest, 'cpu_percent': cpu[busiest]}
                                      if busiest else None)
        out['processes'] = processes
    return out


def write(out_dir, report, speed_figures):
    """Write report.json and speed.json (sorted keys, indent 1) into ``out_dir``."""
    for name, data in (('report.json', report), ('speed.json', speed_figures)):
        with open(os.path.join(out_dir, name), 'w') as f:
            json.dump(data, f, sort_keys=True, indent=1)
            f.write('\n')


def write_servers(out_dir, result):
    """``servers.json``: every boot's record, times relative to the start of the load."""
    rows = []
    for record in result.records:
        row = dataclasses.asdict(record)
        for key in ('due', 'submitted', 'answered', 'active_at', 'error_at', 'delete_sent',
                    'deleted_at'):
            if row[key] is not None:
                row[key] = round(row[key] - result.started, 4)
        rows.append(row)
    with open(os.path.join(out_dir, 'servers.json'), 'w') as f:
        json.dump(rows, f, sort_keys=True, indent=1)
        f.write('\n')


def summary(report, speed_figures):
    """A short terminal table of the run."""
    req, dep = report['requests'], report['deployment']
    tta = speed_figures['time_to_active_s']

    def fmt(value, unit=''):
        return '-' if value is None else ('%.3f%s' % (value, unit) if isinstance(value, float)
                                          else '%s%s' % (value, unit))

    rows = [
        ('deployment', '%d hosts in %d packs, %d scheduler(s), %d conductor(s), %d API '
         'worker(s)' % (dep['hosts'], dep['processes'], dep['schedulers'], dep['conductors'],
                        dep['api_workers'])),
        ('startup', fmt(speed_figures.get('startup_seconds'), ' s')),
        ('requests', '%d submitted, %d accepted, %d rejected, %d unfinished' % (
            req['submitted'], req['accepted'], req['rejected'], req['unfinished'])),
        ('boots/s', '%s (target %s/s)' % (fmt(speed_figures['boots_per_second']),
                                          fmt(speed_figures['target_rate']))),
        ('boot+delete/s', fmt(speed_figures['boot_delete_per_second'])),
        ('time-to-ACTIVE', 'p50 %s  p90 %s  p99 %s  max %s' % (
            fmt(tta['p50'], ' s'), fmt(tta['p90'], ' s'), fmt(tta['p99'], ' s'),
            fmt(tta['max'], ' s'))),
        ('hosts used', 'peak %d, final %d' % (report['hosts_used']['peak'],
                                              report['hosts_used']['final'])),
        ('live instances', 'peak %d, final %d' % (report['live_instances']['peak'],
                                                  report['live_instances']['final'])),
    ]
    for key, count in sorted(req['rejected_by'].items(), key=lambda kv: -kv[1]):
        rows.append(('rejected by', '%d x %s' % (count, key)))
    if speed_figures.get('peak_rss_mb'):
        rows.append(('peak RSS (MB)', ', '.join('%s %.0f' % kv for kv in
                                                sorted(speed_figures['peak_rss_mb'].items()))))
    if speed_figures.get('busiest_process'):
        busiest = speed_figures['busiest_process']
        rows.append(('busiest', '%s at %.0f%% of a core (machine %.0f%% busy)' % (
            busiest['name'], busiest['cpu_percent'], speed_figures['machine_cpu_percent'])))
    rabbit = report['deployment'].get('rabbitmq')
    if rabbit:
        rows.append(('RabbitMQ', '%d connections, %d queues, %d consumers' % (
            rabbit['connections'], rabbit['queues'], rabbit['consumers'])))
    width = max(len(k) for k, _ in rows)
    return '\n'.join('%-*s  %s' % (width, k, v) for k, v in rows)
