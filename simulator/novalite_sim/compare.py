"""Side-by-side comparison of simulator runs as a text or Markdown table.

A run is what ``novalite-sim run`` leaves in its output folder: the
deterministic ``report.json`` and, beside it, the wall-clock ``speed.json``.
Any figure may be absent (older formats, or a full-stack run that only fills
some sections), so every lookup tolerates missing keys and shows ``-``.
"""

import collections
import dataclasses
import json
import math
import pathlib

REPORT_FILE = 'report.json'
SPEED_FILE = 'speed.json'
TIMELINE_FILE = 'timeline.csv'

MISSING = '-'


@dataclasses.dataclass
class Run:
    """One loaded run: its report, its speed figures (if any) and where they came from."""

    path: pathlib.Path
    report: dict
    speed: dict = dataclasses.field(default_factory=dict)

    @property
    def out_dir(self):
        """The folder holding report.json (and timeline.csv, if it was written)."""
        return self.path.parent

    @property
    def timeline_path(self):
        """Path of timeline.csv beside the report, or None when there is none."""
        p = self.out_dir / TIMELINE_FILE
        return p if p.is_file() else None

    @property
    def stem(self):
        """A file-system name for the run: the output folder's name when the report has the default name."""
        return self.out_dir.name if self.path.name == REPORT_FILE else self.path.stem


def _read_json(path):
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: not valid JSON: {e}') from e
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a JSON object, got {type(data).__name__}')
    return data


def load_run(path):
    """Load a run from an output folder or from a report.json path.

    speed.json is read when it sits beside the report; a run without it
    simply has no speed figures.  Raises FileNotFoundError when there is no
    report and ValueError when a file is not a JSON object.
    """
    path = pathlib.Path(path)
    report_path = path / REPORT_FILE if path.is_dir() else path
    if not report_path.is_file():
        raise FileNotFoundError(f'no simulator report at {report_path}')
    report = _read_json(report_path)
    speed_path = report_path.parent / SPEED_FILE
    speed = _read_json(speed_path) if speed_path.is_file() else {}
    return Run(path=report_path, report=report, speed=speed)


def _as_run(run):
    if isinstance(run, Run):
        return run
    if isinstance(run, dict):
        # A bare report (e.g. built in memory); it has no file, hence no stem.
        speed = run.get('speed')
        return Run(path=pathlib.Path(REPORT_FILE), report=run, speed=speed if isinstance(speed, dict) else {})
    return load_run(run)


def run_labels(runs):
    """Column labels: ``name[params_set] seed=S``, or the file stem when those collide.

    Exposed so that the CLI can label plot_compare's lines like the table.
    """
    runs = [_as_run(r) for r in runs]
    labels = [_scenario_label(r.report) for r in runs]
    counts = collections.Counter(labels)
    labels = [r.stem if counts[lab] > 1 and r.stem else lab for r, lab in zip(runs, labels)]
    # Two folders may share a name too (a/out, b/out): number what still collides.
    counts = collections.Counter(labels)
    seen = collections.Counter()
    out = []
    for lab in labels:
        if counts[lab] > 1:
            seen[lab] += 1
            lab = f'{lab} #{seen[lab]}'
        out.append(lab)
    return out


def run_label(run, runs):
    """The label :func:`run_labels` gives ``run`` (one of ``runs``, matched by identity)."""
    for r, label in zip(runs, run_labels(runs)):
        if r is run:
            return label
    raise ValueError('run_label: the run is not one of runs')


def run_dir(run):
    """The output folder of a run (a Run or a path), where plot_compare finds timeline.csv."""
    return _as_run(run).out_dir


def _scenario_label(report):
    scenario = report.get('scenario')
    if not isinstance(scenario, dict):
        scenario = {}
    label = str(scenario.get('name') or '?')
    if scenario.get('params_set'):
        label += f"[{scenario['params_set']}]"
    if scenario.get('seed') is not None:
        label += f" seed={scenario['seed']}"
    return label


def _get(data, keys):
    """The number at data[k0][k1]..., or None when any level is missing or not a number."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    if isinstance(data, bool) or not isinstance(data, (int, float)) or not math.isfinite(data):
        return None
    return data


# -- value formats: (format one value, format B - A) --------------------------

def _fmt_pct(v):
    return f'{v * 100:.2f}%'


def _delta_pp(a, b):
    return f'{(b - a) * 100:+.2f} pp'


def _fmt_count(v):
    return f'{v:,.0f}'


def _fmt_float1(v):
    return f'{v:,.1f}'


def _fmt_float2(v):
    return f'{v:,.2f}'


def _delta_abs_rel(fmt):
    def delta(a, b):
        d = b - a
        text = ('+' if d >= 0 else '-') + fmt(abs(d))
        if a:
            text += f' ({d / abs(a) * 100:+.1f}%)'
        return text
    return delta


def _delta_rel(a, b):
    if not a:
        return MISSING
    return f'{(b - a) / abs(a) * 100:+.1f}%'


def _fmt_hours(v):
    return f'{v / 3600:.2f}'


def _delta_hours(a, b):
    return f'{(b - a) / 3600:+.2f}'


PCT = (_fmt_pct, _delta_pp)
COUNT = (_fmt_count, _delta_abs_rel(_fmt_count))
AVG = (_fmt_float1, _delta_abs_rel(_fmt_float1))
HOURS = (_fmt_hours, _delta_hours)
# Wall-clock figures are noisy and span magnitudes: compare them relatively.
SPEED0 = (_fmt_count, _delta_rel)
SPEED1 = (_fmt_float1, _delta_rel)
SPEED2 = (_fmt_float2, _delta_rel)

# (label, source, key path, format).  source is 'report' or 'speed'.
FIGURES = [
    ('run', None, None, None),
    ('hosts', 'report', ('hosts', 'count'), COUNT),
    ('simulated time (h)', 'report', ('simulated_seconds',), HOURS),
    ('events', 'report', ('events',), COUNT),
    ('requests', None, None, None),
    ('acceptance rate', 'report', ('requests', 'acceptance_rate'), PCT),
    ('instance acceptance rate', 'report', ('requests', 'instance_acceptance_rate'), PCT),
    ('requests submitted', 'report', ('requests', 'submitted'), COUNT),
    ('requests rejected', 'report', ('requests', 'rejected'), COUNT),
    ('instances rejected', 'report', ('requests', 'instances_rejected'), COUNT),
    ('first rejection (h)', 'report', ('requests', 'first_rejection_s'), HOURS),
    ('allocation', None, None, None),
    ('vCPU alloc time-avg', 'report', ('allocation', 'vcpus', 'time_avg'), PCT),
    ('vCPU alloc peak', 'report', ('allocation', 'vcpus', 'peak'), PCT),
    ('RAM alloc time-avg', 'report', ('allocation', 'ram_mb', 'time_avg'), PCT),
    ('RAM alloc peak', 'report', ('allocation', 'ram_mb', 'peak'), PCT),
    ('disk alloc time-avg', 'report', ('allocation', 'disk_gb', 'time_avg'), PCT),
    ('disk alloc peak', 'report', ('allocation', 'disk_gb', 'peak'), PCT),
    ('stranded vCPUs time-avg', 'report', ('stranded', 'vcpus_on_ram_full_hosts', 'time_avg'), AVG),
    ('stranded vCPUs time-avg fraction', 'report',
     ('stranded', 'vcpus_on_ram_full_hosts', 'time_avg_fraction'), PCT),
    ('stranded RAM MB time-avg', 'report', ('stranded', 'ram_mb_on_cpu_full_hosts', 'time_avg'), AVG),
    ('stranded RAM time-avg fraction', 'report',
     ('stranded', 'ram_mb_on_cpu_full_hosts', 'time_avg_fraction'), PCT),
    ('hosts used time-avg', 'report', ('hosts_used', 'time_avg'), AVG),
    ('hosts used peak', 'report', ('hosts_used', 'peak'), COUNT),
    ('live instances time-avg', 'report', ('live_instances', 'time_avg'), AVG),
    ('live instances peak', 'report', ('live_instances', 'peak'), COUNT),
    ('retries', None, None, None),
    ('reschedules', 'report', ('retries', 'reschedules'), COUNT),
    ('claim conflicts', 'report', ('retries', 'claim_conflicts'), COUNT),
    ('requests retried', 'report', ('retries', 'requests_retried'), COUNT),
    ('retries exhausted', 'report', ('retries', 'exhausted'), COUNT),
    ('speed', None, None, None),
    ('latency p50 (µs)', 'speed', ('scheduling_latency_us', 'p50'), SPEED1),
    ('latency p99 (µs)', 'speed', ('scheduling_latency_us', 'p99'), SPEED1),
    ('events/s', 'speed', ('events_per_second',), SPEED0),
    ('placements/s', 'speed', ('placements_per_second',), SPEED0),
    ('wall s per simulated day', 'speed', ('wall_seconds_per_simulated_day',), SPEED2),
    ('peak RSS (MB)', 'speed', ('peak_rss_mb',), SPEED1),
]


def _row(label, values, fmt, with_delta):
    """One table row: label, formatted values and (for two runs) the delta."""
    fmt_value, fmt_delta = fmt
    cells = [label]
    for v in values:
        cells.append(MISSING if v is None else fmt_value(v))
    if with_delta:
        a, b = values
        cells.append(MISSING if a is None or b is None else fmt_delta(a, b))
    return cells


def _first_rejection_cells(runs, with_delta):
    # null means "no request was rejected": a real answer, unlike a missing key.
    values = [_get(r.report, ('requests', 'first_rejection_s')) for r in runs]
    cells = _row('first rejection (h)', values, HOURS, with_delta)
    for i, r in enumerate(runs, start=1):
        req = r.report.get('requests')
        if isinstance(req, dict) and 'first_rejection_s' in req and req['first_rejection_s'] is None:
            cells[i] = 'never'
    return cells


def _thresholds_cell(run):
    # report.json holds the deterministic thresholds, speed.json the wall-clock ones.
    thresholds = [t for source in (run.report, run.speed)
                  if isinstance(source.get('thresholds'), list) for t in source['thresholds']]
    if not thresholds:
        return MISSING
    passed = sum(1 for t in thresholds if isinstance(t, dict) and t.get('passed') is True)
    return f'{passed}/{len(thresholds)}'


def _flavor_rows(runs, with_delta):
    names = set()
    for r in runs:
        by_flavor = _section(r.report, 'requests', 'by_flavor')
        names.update(by_flavor or ())
    rows = []
    for name in sorted(names):
        values = [_get(_section(r.report, 'requests', 'by_flavor') or {}, (name, 'acceptance_rate'))
                  for r in runs]
        rows.append(_row(f'accepted {name}', values, PCT, with_delta))
    return rows


def _rejected_by_rows(runs, with_delta):
    totals = collections.Counter()
    for r in runs:
        for name, n in (_section(r.report, 'requests', 'rejected_by') or {}).items():
            totals[name] += n if isinstance(n, (int, float)) and not isinstance(n, bool) else 0
    rows = []
    # Biggest causes first: that is what the reader looks for.
    for name in sorted(totals, key=lambda k: (-totals[k], k)):
        values = []
        for r in runs:
            rejected_by = _section(r.report, 'requests', 'rejected_by')
            # rejected_by lists only the causes that fired: absent there means 0,
            # but a report without the section at all says nothing.
            values.append(None if rejected_by is None else _get(rejected_by, (name,)) or 0)
        rows.append(_row(f'rejected by {name}', values, COUNT, with_delta))
    return rows


def _section(report, *keys):
    for key in keys:
        if not isinstance(report, dict):
            return None
        report = report.get(key)
    return report if isinstance(report, dict) else None


def _rows(runs, with_delta):
    """Header, then rows; a section heading is a row of one cell."""
    n = len(runs)
    header = ['figure'] + run_labels(runs) + (['Δ'] if with_delta else [])
    rows = []
    for label, source, keys, fmt in FIGURES:
        if source is None:
            rows.append([label])
            if label == 'run':
                rows.append(['thresholds passed'] + [_thresholds_cell(r) for r in runs]
                            + ([''] if with_delta else []))
            continue
        if keys == ('requests', 'first_rejection_s'):
            rows.append(_first_rejection_cells(runs, with_delta))
            continue
        values = [_get(r.report if source == 'report' else r.speed, keys) for r in runs]
        rows.append(_row(label, values, fmt, with_delta))
    flavor_rows = _flavor_rows(runs, with_delta)
    if flavor_rows:
        rows.append(['acceptance by flavor'])
        rows.extend(flavor_rows)
    rejected_rows = _rejected_by_rows(runs, with_delta)
    if rejected_rows:
        rows.append(['rejections by cause'])
        rows.extend(rejected_rows)
    assert all(len(r) in (1, n + 1 + with_delta) for r in rows)
    return header, rows


def _text_table(header, rows):
    width = len(header)
    widths = [max(len(r[i]) for r in [header] + rows if len(r) == width) for i in range(width)]
    widths[0] = max(widths[0], *(len(r[0]) for r in rows))

    def line(cells):
        # Figures right-aligned so that digits line up.
        parts = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return '  '.join(parts).rstrip()

    out = [line(header), '  '.join('-' * w for w in widths)]
    for r in rows:
        out.append(f'[{r[0]}]' if len(r) == 1 else line(r))
    return '\n'.join(out) + '\n'


def _md_escape(text):
    return text.replace('|', '\\|')


def _markdown_table(header, rows):
    width = len(header)
    out = ['| ' + ' | '.join(_md_escape(c) for c in header) + ' |',
           '|' + '|'.join([':---'] + ['---:'] * (width - 1)) + '|']
    for r in rows:
        if len(r) == 1:
            cells = [f'**{_md_escape(r[0])}**'] + [''] * (width - 1)
        else:
            cells = [_md_escape(c) for c in r]
        out.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(out) + '\n'


def compare_table(runs, fmt='text'):
    """Figures of several runs side by side, one column per run.

    ``runs`` holds :class:`Run` objects (from :func:`load_run`), paths, or
    report dicts.  With exactly two runs a ``Δ`` column gives B - A:
    percentage points for rates, absolute (and relative) differences for
    counts, relative differences for wall-clock figures.  ``fmt`` is
    ``'text'`` (aligned columns) or ``'markdown'`` (a table for the docs).
    """
    if fmt not in ('text', 'markdown'):
        raise ValueError(f"fmt must be 'text' or 'markdown', not {fmt!r}")
    runs = [_as_run(r) for r in runs]
    if not runs:
        raise ValueError('compare_table needs at least one run')
    header, rows = _rows(runs, with_delta=len(runs) == 2)
    return _text_table(header, rows) if fmt == 'text' else _markdown_table(header, rows)
