"""PNG charts of a simulator run (from timeline.csv) and of several runs overlaid.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas,
never through pyplot: pyplot keeps global state (current figure, backend,
open-figure registry) that a library called from a CLI or a test must not
touch, and Agg needs no display.
"""

import csv
import math
import pathlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

TIMELINE_FILE = 'timeline.csv'

# Columns of timeline.csv this module reads, with the legend text of each.
ALLOC_SERIES = [('alloc_vcpus', 'vCPUs'), ('alloc_ram_mb', 'RAM'), ('alloc_disk_gb', 'disk')]

_DPI = 100
_SIZE = (9, 4.5)


def read_timeline(path):
    """timeline.csv as {column: float array}; unparsable cells become NaN, absent columns are absent."""
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.reader(f)
        header = next(reader, None) or []
        rows = [r for r in reader if r]
    columns = {}
    for i, name in enumerate(h.strip() for h in header):
        if name:
            columns[name] = np.array([_to_float(r[i]) if i < len(r) else math.nan for r in rows], dtype=float)
    return columns


def _to_float(text):
    try:
        return float(text)
    except ValueError:
        return math.nan


def _has(tl, name):
    return name in tl and bool(np.isfinite(tl[name]).any())


def _hours(tl):
    return tl['time_s'] / 3600.0


def _point_style(tl):
    # A line through one sample draws nothing: show single samples as markers.
    return {'marker': 'o'} if len(tl.get('time_s', ())) == 1 else {}


def _title(title, what):
    return f'{title}: {what}' if title else what


def _figure(nrows=1, ncols=1, size=_SIZE, **kw):
    fig = Figure(figsize=size, dpi=_DPI, layout='constrained')
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _save(fig, path):
    fig.savefig(path, format='png')
    return pathlib.Path(path)


def _interval_rejection_pct(tl):
    """Per sample interval, rejected / submitted instances in %; NaN where nothing was submitted."""
    d_sub = np.diff(tl['submitted'])
    d_rej = np.diff(tl['rejected'])
    rate = np.full(d_sub.shape, math.nan)
    np.divide(d_rej * 100.0, d_sub, out=rate, where=d_sub > 0)
    return rate


# -- one chart per function: (axes, timeline) -> whether anything was drawn ----

def _draw_allocation(ax, tl, label=None, only=None, **style):
    drawn = False
    for column, name in ALLOC_SERIES:
        if (only and column != only) or not _has(tl, column):
            continue
        ax.plot(_hours(tl), tl[column] * 100.0, label=label or name, **_point_style(tl), **style)
        drawn = True
    if drawn:
        _mark_full(ax)
    ax.set_xlabel('simulated time (h)')
    ax.set_ylabel('allocated (% of capacity)')
    return drawn


def _mark_full(ax):
    # Over 100% is legitimate with an allocation ratio > 1: mark the physical line, once.
    if not any(line.get_gid() == 'full' for line in ax.lines):
        ax.axhline(100.0, color='grey', linewidth=0.8, linestyle=':', gid='full')


def _draw_simple(ax, tl, column, ylabel, label=None, **style):
    if not _has(tl, column):
        return False
    ax.plot(_hours(tl), tl[column], label=label, **_point_style(tl), **style)
    ax.set_xlabel('simulated time (h)')
    ax.set_ylabel(ylabel)
    return True


def write_run_plots(out_dir, timeline_path, latencies_us=None, title=None):
    """Write one run's charts as PNGs into ``out_dir`` and return their paths.

    allocation.png, live_instances.png, rejections.png, hosts_used.png come
    from timeline.csv; a chart whose columns are all missing is skipped, and
    all four when ``timeline_path`` is None or names no file.
    latency.png is the scheduling-latency histogram, written only when
    ``latencies_us`` (microseconds, any array-like) holds positive values.
    ``title`` (e.g. the scenario label) prefixes each chart's title.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    has_file = timeline_path is not None and pathlib.Path(timeline_path).is_file()
    tl = read_timeline(timeline_path) if has_file else {}
    written = []
    if _has(tl, 'time_s'):
        for name, draw in [('allocation.png', _plot_allocation),
                           ('live_instances.png', _plot_live_instances),
                           ('rejections.png', _plot_rejections),
                           ('hosts_used.png', _plot_hosts_used)]:
            fig = draw(tl, title)
            if fig is not None:
                written.append(_save(fig, out_dir / name))
    if latencies_us is not None:
        fig = _plot_latency(latencies_us, title)
        if fig is not None:
            written.append(_save(fig, out_dir / 'latency.png'))
    return written


def _plot_allocation(tl, title):
    fig, axes = _figure()
    ax = axes[0][0]
    if not _draw_allocation(ax, tl):
        return None
    ax.set_title(_title(title, 'resource allocation'))
    ax.legend(loc='best')
    ax.grid(True, alpha=0.3)
    return fig


def _plot_live_instances(tl, title):
    fig, axes = _figure()
    ax = axes[0][0]
    if not _draw_simple(ax, tl, 'live_instances', 'live instances', label='live instances'):
        return None
    ax.set_title(_title(title, 'live instances'))
    ax.legend(loc='best')
    ax.grid(True, alpha=0.3)
    return fig


def _plot_rejections(tl, title):
    if not _has(tl, 'rejected'):
        return None
    fig, axes = _figure(2, 1, size=(9, 6), sharex=True)
    top, bottom = axes[0][0], axes[1][0]
    hours = _hours(tl)
    top.plot(hours, tl['rejected'], color='tab:red', label='rejected (cumulative)', **_point_style(tl))
    top.set_ylabel('instances')
    top.set_title(_title(title, 'rejections'))
    if _has(tl, 'submitted') and len(hours) > 1:
        # Each interval's rate is drawn over the interval it covers (step ends at its sample).
        bottom.step(hours[1:], _interval_rejection_pct(tl), where='pre', color='tab:orange',
                    label='rejected / submitted per interval')
        bottom.set_ylim(bottom=0)
    else:
        bottom.text(0.5, 0.5, 'rejection rate needs two samples and a submitted column',
                    transform=bottom.transAxes, ha='center', va='center', color='grey')
    bottom.set_ylabel('rejection rate (%)')
    bottom.set_xlabel('simulated time (h)')
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc='upper left')
    return fig


def _plot_hosts_used(tl, title):
    fig, axes = _figure()
    ax = axes[0][0]
    drawn = _draw_simple(ax, tl, 'hosts_up', 'hosts', label='hosts up')
    drawn = _draw_simple(ax, tl, 'hosts_used', 'hosts', label='hosts used (≥ 1 instance)') or drawn
    if not drawn:
        return None
    ax.set_ylim(bottom=0)
    ax.set_title(_title(title, 'hosts used'))
    ax.legend(loc='best')
    ax.grid(True, alpha=0.3)
    return fig


def _plot_latency(latencies_us, title):
    lat = np.asarray(latencies_us, dtype=float).ravel()
    lat = lat[np.isfinite(lat) & (lat > 0)]
    if lat.size == 0:
        return None
    lo, hi = lat.min(), lat.max()
    if hi <= lo * 1.01:
        # One value (or nearly): widen so the log bins are not degenerate.
        lo, hi = lo / 1.5, hi * 1.5
    bins = np.geomspace(lo, hi, 60)
    fig, axes = _figure()
    ax = axes[0][0]
    ax.hist(lat, bins=bins, color='tab:blue', alpha=0.8, label=f'{lat.size:,} placements')
    ax.set_xscale('log')
    p50, p99 = np.percentile(lat, [50, 99])
    ax.axvline(p50, color='tab:green', linestyle='--', label=f'p50 = {p50:,.1f} µs')
    ax.axvline(p99, color='tab:red', linestyle='--', label=f'p99 = {p99:,.1f} µs')
    ax.set_xlabel('scheduling latency (µs, log scale)')
    ax.set_ylabel('placements')
    ax.set_title(_title(title, 'scheduling latency'))
    ax.legend(loc='best')
    ax.grid(True, alpha=0.3, which='both')
    return fig


def _timeline_of(out_dir):
    """timeline.csv of a run given as its output folder (or any file inside it)."""
    p = pathlib.Path(out_dir)
    if p.is_file():
        p = p if p.suffix == '.csv' else p.parent / TIMELINE_FILE
    else:
        p = p / TIMELINE_FILE
    return p if p.is_file() else None


def plot_compare(runs, out_path):
    """One PNG overlaying the timelines of ``runs``, a list of ``(label, out_dir)``.

    Panels: vCPU and RAM allocation, live instances, cumulative rejections
    and hosts used; the sixth holds the legend.  A run without timeline.csv
    is listed in the legend as such.  Returns ``out_path`` as a Path.
    """
    fig, axes = _figure(3, 2, size=(12, 10), sharex=True)
    panels = [
        (axes[0][0], 'vCPU allocation',
         lambda ax, tl, **kw: _draw_allocation(ax, tl, only='alloc_vcpus', **kw)),
        (axes[0][1], 'RAM allocation',
         lambda ax, tl, **kw: _draw_allocation(ax, tl, only='alloc_ram_mb', **kw)),
        (axes[1][0], 'live instances',
         lambda ax, tl, **kw: _draw_simple(ax, tl, 'live_instances', 'live instances', **kw)),
        (axes[1][1], 'rejected instances (cumulative)',
         lambda ax, tl, **kw: _draw_simple(ax, tl, 'rejected', 'instances', **kw)),
        (axes[2][0], 'hosts used', lambda ax, tl, **kw: _draw_simple(ax, tl, 'hosts_used', 'hosts', **kw)),
    ]
    handles, labels = [], []
    for i, (label, out_dir) in enumerate(runs):
        path = _timeline_of(out_dir)
        tl = read_timeline(path) if path else {}
        # One colour per run across all panels, so the single legend serves them all.
        color = f'C{i % 10}'
        handles.append(Line2D([], [], color=color))
        if not _has(tl, 'time_s'):
            labels.append(f'{label} (no timeline)')
            continue
        for ax, _name, draw in panels:
            draw(ax, tl, label=label, color=color)
        labels.append(label)
    for ax, name, _draw in panels:
        ax.set_title(name)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel('simulated time (h)')
        ax.tick_params(labelbottom=True)
    legend_ax = axes[2][1]
    legend_ax.axis('off')
    if handles:
        legend_ax.legend(handles, labels, loc='center', title='runs')
    fig.suptitle('run comparison')
    return _save(fig, out_path)
