"""A run's outputs: report.json, speed.json, timeline.csv, the terminal summary, thresholds."""

import csv
import json
import operator
import pathlib

from novalite_sim import metrics as metrics_mod

_OPS = {'>=': operator.ge, '<=': operator.le, '>': operator.gt, '<': operator.lt,
        '==': operator.eq}


def lookup(data, dotted):
    """``data['a']['b']`` for ``'a.b'``; None when a key is missing."""
    value = data
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def check_thresholds(thresholds, report, speed):
    """Evaluate thresholds; ``speed.*`` metrics read speed.json's figures.

    Returns ``(report_results, speed_results)``: the wall-clock ones are kept
    apart so report.json stays deterministic.
    """
    in_report, in_speed = [], []
    for rule in thresholds:
        metric = rule['metric']
        is_speed = metric.startswith('speed.')
        actual = lookup(speed, metric[6:]) if is_speed else lookup(report, metric)
        passed = isinstance(actual, (int, float)) and _OPS[rule['op']](actual, rule['value'])
        result = dict(rule, actual=actual, passed=bool(passed))
        (in_speed if is_speed else in_report).append(result)
    return in_report, in_speed


def _dump(path, data):
    path.write_text(json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + '\n')


def write(out_dir, report, speed, timeline):
    """Write report.json, speed.json and timeline.csv into ``out_dir``; return their paths."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {'report': out / 'report.json', 'speed': out / 'speed.json',
             'timeline': out / 'timeline.csv'}
    _dump(paths['report'], report)
    _dump(paths['speed'], speed)
    with open(paths['timeline'], 'w', newline='') as fh:
        writer = csv.writer(fh, lineterminator='\n')
        writer.writerow(metrics_mod.TIMELINE_COLUMNS)
        for row in timeline:
            writer.writerow([_cell(v) for v in row])
    return paths


def _cell(value):
    if isinstance(value, float):
        text = '%.6f' % value
        return text.rstrip('0').rstrip('.') if '.' in text else text
    return value


def _pct(value):
    return '-' if value is None else '%.1f %%' % (100 * value)


def _num(value, fmt='{:,.0f}'):
    return '-' if value is None else fmt.format(value)


def summary(report, speed):
    """The terminal summary: one figure per line, aligned."""
    req = report.get('requests', {})
    alloc = report.get('allocation', {})
    stranded = report.get('stranded', {})
    retries = report.get('retries', {})
    lat = speed.get('scheduling_latency_us') or {}
    sc = report.get('scenario', {})
    first = req.get('first_rejection_s')
    rows = [
        ('scenario', '%s [%s] seed %s' % (sc.get('name'), sc.get('params_set') or '-',
                                          sc.get('seed'))),
        ('hosts', _num(report.get('hosts', {}).get('count'))),
        ('simulated time', '%.2f h' % (report.get('simulated_seconds', 0) / 3600)),
        ('requests (instances)', '%s (%s) submitted, %s (%s) rejected' % (
            _num(req.get('submitted')), _num(req.get('instances_submitted')),
            _num(req.get('rejected')), _num(req.get('instances_rejected')))),
        ('acceptance', '%s of requests, %s of instances' % (
            _pct(req.get('acceptance_rate')), _pct(req.get('instance_acceptance_rate')))),
        ('first rejection', '-' if first is None else '%.2f h' % (first / 3600)),
        ('rejected by', ', '.join('%s %s' % (k, _num(v)) for k, v in
                                  (req.get('rejected_by') or {}).items()) or '-'),
    ]
    for res in metrics_mod.RESOURCES:
        fig = alloc.get(res, {})
        rows.append(('allocation %s' % res, 'avg %s, peak %s' % (
            _pct(fig.get('time_avg')), _pct(fig.get('peak')))))
    cpu = stranded.get('vcpus_on_ram_full_hosts', {})
    ram = stranded.get('ram_mb_on_cpu_full_hosts', {})
    rows += [
        ('stranded vCPUs (RAM full)', 'avg %s (%s of free)' % (
            _num(cpu.get('time_avg')), _pct(cpu.get('time_avg_fraction')))),
        ('stranded RAM MB (vCPU full)', 'avg %s (%s of free)' % (
            _num(ram.get('time_avg')), _pct(ram.get('time_avg_fraction')))),
        ('hosts used', 'avg %s, peak %s' % (
            _num(report.get('hosts_used', {}).get('time_avg'), '{:,.1f}'),
            _num(report.get('hosts_used', {}).get('peak')))),
        ('live instances', 'avg %s, peak %s' % (
            _num(report.get('live_instances', {}).get('time_avg'), '{:,.1f}'),
            _num(report.get('live_instances', {}).get('peak')))),
        ('reschedules / conflicts', '%s / %s (%s ran out of attempts)' % (
            _num(retries.get('reschedules')), _num(retries.get('claim_conflicts')),
            _num(retries.get('exhausted')))),
        ('scheduling latency', 'p50 %s us, p90 %s us, p99 %s us' % (
            _num(lat.get('p50'), '{:,.1f}'), _num(lat.get('p90'), '{:,.1f}'),
            _num(lat.get('p99'), '{:,.1f}'))),
        ('simulator speed', '%s events/s, %s wall s per simulated day, %s s wall, '
         'peak RSS %s MB' % (_num(speed.get('events_per_second')),
                             _num(speed.get('wall_seconds_per_simulated_day'), '{:,.2f}'),
                             _num(speed.get('wall_seconds'), '{:,.2f}'),
                             _num(speed.get('peak_rss_mb')))),
    ]
    for result in report.get('thresholds', []) + speed.get('thresholds', []):
        rows.append(('threshold', '%s %s %s %g: actual %s' % (
            'PASS' if result['passed'] else 'FAIL', result['metric'], result['op'],
            result['value'], result['actual'])))
    width = max(len(k) for k, _ in rows)
    return '\n'.join('%s  %s' % (k.ljust(width), v) for k, v in rows)
