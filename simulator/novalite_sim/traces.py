"""Trace readers: CSV with a column mapping, SWF and create/delete event logs.

Each reader returns a :class:`~novalite_sim.workload.Workload` whose first
request arrives at 0.  :func:`load` is the one entry point the scenario
layer uses: it takes a scenario's ``workload`` mapping, reads the trace and
applies the window, time compression and replication it asks for.

Traces are never copied into the project; scenarios point at them (see
``../shared/traces/README.md`` for the Azure trace these readers were
checked against).
"""

from __future__ import annotations

import csv
import errno
import io
import itertools
import logging
import math
import os
from typing import Mapping

import numpy as np

from novalite_sim.workload import Workload, factorize

LOG = logging.getLogger(__name__)

CSV_FIELDS = ("arrival_s", "lifetime_s", "vcpus", "ram_mb", "disk_gb", "lifetime_lo_s", "lifetime_hi_s",
              "censored", "batch_id", "flavor")
_CSV_REQUIRED = ("arrival_s", "vcpus", "ram_mb")
_RAM_UNITS = {"KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0 ** 2}
_TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def _choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _limit(value) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"limit must be an integer >= 0 or None, got {value!r}")
    return value


def _whole_column(name: str, values: np.ndarray, *, path) -> np.ndarray:
    """Round a float column to int32, rejecting missing, negative or fractional values."""
    rounded = np.round(values)
    fractional = np.abs(values - rounded) > 1e-6 * np.maximum(1.0, np.abs(values))
    bad = ~np.isfinite(values) | (values < 0) | fractional
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: {name} must be a whole number >= 0, got {values[i]} on data row {i + 1}")
    return rounded.astype(np.int32)


# -- CSV ------------------------------------------------------------------------


def _read_text(path, limit: int | None) -> tuple[list[str], str]:
    """The header fields and the data lines (at most ``limit``) of a CSV file."""
    with open(path, newline="") as f:
        header_line = f.readline()
        body = f.read() if limit is None else "".join(itertools.islice(f, limit))
    header = [h.strip() for h in next(csv.reader([header_line]), [])]
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return header, body


def _load_numeric(body: str, usecols: list[int]) -> np.ndarray:
    """Parse ``usecols`` of a comma-separated body as float64; empty fields become NaN.

    numpy's C parser rejects empty fields and a per-value converter is
    slow, so empties are spelled ``nan`` first: two passes over ``,,``
    catch runs of empties, then line starts and ends.
    """
    text = body.replace(",,", ",nan,").replace(",,", ",nan,").replace(",\n", ",nan\n")
    text = text.replace("\n,", "\nnan,")
    if text.startswith(","):
        text = "nan" + text
    arr = np.loadtxt(io.StringIO(text), delimiter=",", usecols=usecols, dtype=np.float64, quotechar='"',
                     ndmin=2)
    return arr


def _load_strings(body: str, col: int) -> np.ndarray:
    return np.loadtxt(io.StringIO(body), delimiter=",", usecols=[col], dtype=str, quotechar='"', ndmin=1)


def _csv_columns(path, columns: Mapping | None, limit) -> dict[str, np.ndarray]:
    """The mapped fields of a CSV file, as float arrays (``flavor`` and non-numeric ``batch_id`` as str)."""
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise ValueError(f"columns must be a mapping of field -> header name, got {type(columns).__name__}")
    for field in columns:
        if field not in CSV_FIELDS:
            raise ValueError(f"columns: unknown field {field!r} (expected: {', '.join(CSV_FIELDS)})")
    header, body = _read_text(path, limit)
    index = {name: i for i, name in enumerate(header)}
    where: dict[str, int] = {}
    for field in CSV_FIELDS:
        name = columns.get(field, field)
        if name in index:
            where[field] = index[name]
        elif field in columns or field in _CSV_REQUIRED:
            raise ValueError(f"{path}: no column {name!r} for field {field!r} (columns: {', '.join(header)})")
    numeric = [f for f in where if f != "flavor"]
    out: dict[str, np.ndarray] = {}
    if body.strip():
        try:
            arr = _load_numeric(body, [where[f] for f in numeric])
        except ValueError:
            if "batch_id" not in numeric:
                raise
            # Batch ids may be names rather than numbers: read them as text.
            numeric.remove("batch_id")
            arr = _load_numeric(body, [where[f] for f in numeric])
            out["batch_id"] = _load_strings(body, where["batch_id"])
        out.update({f: arr[:, i] for i, f in enumerate(numeric)})
        if "flavor" in where:
            out["flavor"] = _load_strings(body, where["flavor"])
    else:
        out.update({f: np.empty(0) for f in numeric})
        if "flavor" in where:
            out["flavor"] = np.empty(0, dtype=str)
    return out


def _csv_lifetimes(cols: dict, n: int, *, rng, lifetimes: str, censored: str, zero_lifetime_s: float,
                   path) -> np.ndarray:
    nan = np.full(n, np.nan)
    life, lo, hi = (cols.get(f, nan) for f in ("lifetime_s", "lifetime_lo_s", "lifetime_hi_s"))
    if "lifetime_s" not in cols and "lifetime_lo_s" not in cols:
        raise ValueError(f"{path}: needs a lifetime_s or lifetime_lo_s/lifetime_hi_s column")
    binned = np.isfinite(lo) & np.isfinite(hi)
    if np.any(binned & (lo > hi)):
        i = int(np.flatnonzero(binned & (lo > hi))[0])
        raise ValueError(f"{path}: lifetime_lo_s > lifetime_hi_s on data row {i + 1}")
    if np.any(life < 0) or np.any(lo < 0):
        raise ValueError(f"{path}: lifetimes must be >= 0")
    flag = cols.get("censored")
    # An empty lifetime without a bin is "still alive at the end" even
    # when the file has no censored column.
    is_censored = np.isnan(life) & ~binned
    if flag is not None:
        is_censored |= np.nan_to_num(flag) != 0
    # Where only the bin is given, its midpoint is the estimate.
    base = np.where(np.isnan(life) & binned, (lo + hi) / 2, life)
    if lifetimes == "sample":
        wide = binned & (lo < hi) & ~is_censored
        base = base.copy()
        base[wide] = rng.uniform(lo[wide], hi[wide])
        zero = ~wide & ~is_censored & (base == 0)
        if zero_lifetime_s > 0:
            base[zero] = rng.uniform(0.0, zero_lifetime_s, int(zero.sum()))
    if censored == "forever":
        tail = np.inf
    else:
        tail = np.where(np.isfinite(lo), lo, np.where(np.isfinite(life), life, np.inf))
    return np.where(is_censored, tail, base)


def read_csv(path, columns: Mapping[str, str] | None = None, *, rng: np.random.Generator | None = None,
             lifetimes: str = "sample", censored: str = "forever", default_disk_gb: int = 0,
             batches: bool = True, limit: int | None = None, ram_unit: str = "MB",
             time_unit: str = "s", zero_lifetime_s: float = 300.0) -> Workload:
    """Read a CSV trace with a header line, one row per instance.

    ``columns`` maps our field names to the file's header names; fields
    not mapped are looked up under their own name.  Fields:
    ``arrival_s``, ``vcpus``, ``ram_mb`` (required); ``lifetime_s``,
    ``disk_gb`` (empty -> ``default_disk_gb``), ``lifetime_lo_s``,
    ``lifetime_hi_s``, ``censored`` (0/1), ``batch_id``, ``flavor``
    (optional).  ``ram_unit`` (KB, MB, GB, TB; binary units) and
    ``time_unit`` (us, ms, s, min, h) say how the file counts memory and
    time; only the first ``limit`` data rows are read.

    Lifetimes, following the conventions of the converted Azure trace:

    - an uncensored row whose bin is exact (``lo == hi``) or that has no
      bin keeps ``lifetime_s``;
    - an uncensored row in a wide bin (``lo < hi``): ``lifetimes='sample'``
      (default) draws uniformly in ``[lo, hi)`` with ``rng``;
      ``'midpoint'`` keeps ``lifetime_s`` as given (the bin's midpoint when
      it is empty);
    - ``lifetime_s = 0`` means "ended within the trace's time resolution":
      with ``'sample'`` it is drawn uniformly in ``[0, zero_lifetime_s)``
      (300 s, Azure's 5-minute reading; 0 keeps it 0);
    - a censored row (``censored`` = 1, or an empty lifetime with no bin)
      is still alive when the trace ends: ``censored='forever'`` gives
      ``np.inf``, ``'lower_bound'`` gives ``lifetime_lo_s`` (else
      ``lifetime_s``, else ``inf``).

    Sampling draws wide bins first, then zero lifetimes, in row order, so a
    seed reproduces the same lifetimes.

    With ``batches`` and a ``batch_id`` column, rows sharing ``(arrival_s,
    batch_id, vcpus, ram_mb, disk_gb, flavor)`` form one multi-create
    request (Azure's batch ids are only unique within one 5-minute bucket,
    hence the arrival in the key); an empty batch id is a request of its
    own.  Requests keep the order of their first row within an arrival
    time.  Arrivals are re-based so the first is 0.
    """
    _choice("lifetimes", lifetimes, ("sample", "midpoint"))
    _choice("censored", censored, ("forever", "lower_bound"))
    _choice("ram_unit", ram_unit, tuple(_RAM_UNITS))
    _choice("time_unit", time_unit, tuple(_TIME_UNITS))
    if not isinstance(batches, bool):
        raise ValueError(f"batches must be true or false, got {batches!r}")
    if isinstance(default_disk_gb, bool) or not isinstance(default_disk_gb, int) or default_disk_gb < 0:
        raise ValueError(f"default_disk_gb must be an integer >= 0, got {default_disk_gb!r}")
    if not (isinstance(zero_lifetime_s, (int, float)) and zero_lifetime_s >= 0):
        raise ValueError(f"zero_lifetime_s must be a number >= 0, got {zero_lifetime_s!r}")
    if lifetimes == "sample" and not isinstance(rng, np.random.Generator):
        raise ValueError("rng: lifetimes='sample' needs a numpy.random.Generator")
    cols = _csv_columns(path, columns, _limit(limit))
    n = len(cols["arrival_s"])
    tscale = _TIME_UNITS[time_unit]
    for f in ("arrival_s", "lifetime_s", "lifetime_lo_s", "lifetime_hi_s"):
        if f in cols and tscale != 1.0:
            cols[f] = cols[f] * tscale
    arrival = cols["arrival_s"]
    if np.any(~np.isfinite(arrival)):
        row = int(np.flatnonzero(~np.isfinite(arrival))[0]) + 1
        raise ValueError(f"{path}: arrival_s missing on data row {row}")
    vcpus = _whole_column("vcpus", cols["vcpus"], path=path)
    ram = _whole_column("ram_mb", np.round(cols["ram_mb"] * _RAM_UNITS[ram_unit], 6), path=path)
    disk_raw = cols.get("disk_gb")
    disk = (np.full(n, default_disk_gb, dtype=np.int32) if disk_raw is None else
            _whole_column("disk_gb", np.where(np.isnan(disk_raw), default_disk_gb, disk_raw), path=path))
    life = _csv_lifetimes(cols, n, rng=rng, lifetimes=lifetimes, censored=censored,
                          zero_lifetime_s=float(zero_lifetime_s), path=path)
    flavor = None
    if "flavor" in cols:
        flavor = np.array([s or None for s in cols["flavor"].tolist()], dtype=object)

    rows = np.arange(n)
    if batches and "batch_id" in cols and n:
        batch = cols["batch_id"]
        missing = (batch == "") if batch.dtype.kind == "U" else np.isnan(batch)
        keys = [arrival, batch, vcpus, ram, disk, np.where(missing, rows, -1)]
        if flavor is not None:
            keys.append(cols["flavor"])
        group, n_groups = factorize(*keys)
        first = np.full(n_groups, n, dtype=np.int64)
        np.minimum.at(first, group, rows)
        order = np.lexsort((rows, first[group], arrival))
        group = group[order]
        request = np.zeros(n, dtype=np.int64)
        np.cumsum(group[1:] != group[:-1], out=request[1:])
    else:
        order = np.argsort(arrival, kind="stable")
        request = rows.astype(np.int64)
    start = arrival.min() if n else 0.0
    return Workload(arrival[order] - start, life[order], vcpus[order], ram[order], disk[order], request,
                    None if flavor is None else flavor[order])


# -- SWF ------------------------------------------------------------------------

_SWF_FIELDS = 18


def read_swf(path, *, rng: np.random.Generator | None = None, ram_per_cpu_mb: int | None = None,
             default_ram_mb: int = 2048, default_disk_gb: int = 0, limit: int | None = None) -> Workload:
    """Read a Standard Workload Format trace (the Parallel Workloads Archive).

    ``;`` lines are comments; each job has 18 whitespace-separated fields
    and ``-1`` means unknown.  Each job becomes one request of one instance:

    - arrival = submit time (field 2), re-based so the first is 0;
    - lifetime = run time (field 4), else requested time (field 9); a job
      with neither is skipped;
    - vcpus = allocated processors (field 5), else requested processors
      (field 8); jobs with neither (cancelled before they started, which
      SWF records as 0 or -1 processors) are skipped;
    - ram_mb = requested memory (field 10), else used memory (field 7),
      both KB per processor, times vcpus / 1024, rounded up.  When both
      are unknown (or 0), ``default_ram_mb`` **per processor** is used.
      ``ram_per_cpu_mb`` overrides the memory fields for every job (HPC
      archives record memory inconsistently; a fixed ratio is often the
      better model of cloud flavors).

    ``rng`` is accepted for a uniform reader signature; SWF needs no
    sampling.  Only the first ``limit`` jobs are read.
    """
    del rng  # nothing to sample: SWF run times are exact
    _limit(limit)
    for name, value in (("default_ram_mb", default_ram_mb), ("default_disk_gb", default_disk_gb)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    if ram_per_cpu_mb is not None and (isinstance(ram_per_cpu_mb, bool) or not isinstance(ram_per_cpu_mb, int)
                                       or ram_per_cpu_mb < 0):
        raise ValueError(f"ram_per_cpu_mb must be an integer >= 0 or None, got {ram_per_cpu_mb!r}")
    with open(path) as f:
        # Comments are dropped here rather than by loadtxt, whose max_rows
        # warns about every skipped comment line.
        lines = (line for line in f if line.strip() and not line.lstrip().startswith(";"))
        text = "".join(itertools.islice(lines, limit))
    if not text:
        return Workload.empty()
    try:
        jobs = np.loadtxt(io.StringIO(text), dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ValueError(f"{path}: not a Standard Workload Format file: {exc}") from None
    if jobs.shape[1] != _SWF_FIELDS:
        raise ValueError(f"{path}: SWF jobs have {_SWF_FIELDS} fields, found {jobs.shape[1]}")
    submit, run, alloc, used_mem, req_procs, req_time, req_mem = (
        jobs[:, i] for i in (1, 3, 4, 6, 7, 8, 9))
    lifetime = np.where(run >= 0, run, req_time)
    procs = np.where(alloc > 0, alloc, req_procs)
    keep = (lifetime >= 0) & (procs > 0) & (submit >= 0)
    skipped = int((~keep).sum())
    if skipped:
        LOG.info("%s: skipped %d jobs without a run time or processors", path, skipped)
    submit, lifetime, procs = submit[keep], lifetime[keep], procs[keep]
    mem_kb = np.where(req_mem[keep] > 0, req_mem[keep], used_mem[keep])
    if ram_per_cpu_mb is not None:
        ram = procs * ram_per_cpu_mb
    else:
        ram = np.where(mem_kb > 0, np.ceil(mem_kb * procs / 1024), procs * default_ram_mb)
    order = np.argsort(submit, kind="stable")
    n = len(order)
    return Workload(submit[order] - submit[order[0]] if n else submit, lifetime[order],
                    np.ceil(procs[order]), ram[order], np.full(n, default_disk_gb))


# -- events ---------------------------------------------------------------------

EVENT_FIELDS = ("vmid", "cpu", "memory", "time", "type")
# Huawei Cloud's public VM placement trace (Huawei-East-1, as documented by
# mail-ecnu/VMAgent, docs/source/simulator/dataset.rst) writes type 0 for a
# creation and 1 for a deletion; the words are accepted as well.
_CREATE = frozenset({"0", "create", "creation", "created"})
_DELETE = frozenset({"1", "delete", "deletion", "deleted"})


def read_events(path, *, columns: Mapping[str, str | int] | None = None, memory_unit: str = "GB",
                default_disk_gb: int = 0, limit: int | None = None) -> Workload:
    """Read a VM event log: one ``vmid,cpu,memory,time,type`` row per creation or deletion.

    The Huawei Cloud VM placement format (also used for Azure-derived
    logs): ``time`` in seconds, ``memory`` in ``memory_unit`` (GB by
    default, binary), ``type`` 0/``create`` for a creation and
    1/``delete`` for a deletion, case-insensitive.  The header line is
    optional (detected by a non-numeric ``time`` field); ``columns`` maps
    our field names to header names, or to 0-based positions when there is
    no header.

    Each creation is one request of one instance arriving at its time
    (re-based so the first creation is 0).  It is paired with the next
    deletion of the same vmid at or after it: the gap is the lifetime.  A
    creation never deleted lives forever (``np.inf``, censored); a deletion
    with no creation before it (the VM predates the log) is ignored and
    counted in a log message.  Only the first ``limit`` rows are read.
    """
    _choice("memory_unit", memory_unit, tuple(_RAM_UNITS))
    _limit(limit)
    if isinstance(default_disk_gb, bool) or not isinstance(default_disk_gb, int) or default_disk_gb < 0:
        raise ValueError(f"default_disk_gb must be an integer >= 0, got {default_disk_gb!r}")
    columns = dict(columns or {})
    for field in columns:
        if field not in EVENT_FIELDS:
            raise ValueError(f"columns: unknown field {field!r} (expected: {', '.join(EVENT_FIELDS)})")
    with open(path, newline="") as f:
        rows = [r for r in itertools.islice(csv.reader(f), None if limit is None else limit + 1) if r]
    where = _event_positions(path, rows, columns)
    if where.pop("_header"):
        rows = rows[1:]
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        return Workload.empty()
    width = max(where.values()) + 1
    short = [i for i, r in enumerate(rows) if len(r) < width]
    if short:
        raise ValueError(f"{path}: event row {short[0] + 1} has fewer than {width} fields")
    vmid = np.array([r[where["vmid"]].strip() for r in rows])
    try:
        cpu, mem, time = (np.array([float(r[where[f]]) for r in rows]) for f in ("cpu", "memory", "time"))
    except ValueError as exc:
        raise ValueError(f"{path}: cpu, memory and time must be numbers: {exc}") from None
    kinds = [r[where["type"]].strip().lower() for r in rows]
    bad = [k for k in kinds if k not in _CREATE and k not in _DELETE]
    if bad:
        raise ValueError(f"{path}: unknown event type {bad[0]!r} (expected 0/create or 1/delete)")
    is_delete = np.array([k in _DELETE for k in kinds])

    # Sort by vm, then time, creations before deletions at the same time;
    # then a creation directly followed by a deletion of its vm is a pair.
    vm, _ = factorize(vmid)
    order = np.lexsort((np.arange(len(rows)), is_delete, time, vm))
    vm_s, del_s, time_s = vm[order], is_delete[order], time[order]
    paired = np.zeros(len(rows), dtype=bool)
    paired[:-1] = ~del_s[:-1] & del_s[1:] & (vm_s[:-1] == vm_s[1:])
    creates = np.flatnonzero(~del_s)
    lifetime = np.full(len(rows), np.inf)
    lifetime[:-1] = np.where(paired[:-1], time_s[1:] - time_s[:-1], np.inf)
    orphans = int(del_s.sum()) - int(paired.sum())
    if orphans:
        LOG.info("%s: ignored %d deletions without a creation", path, orphans)
    src = order[creates]
    arrival = time[src]
    by_time = np.argsort(arrival, kind="stable")
    src, arrival, life = src[by_time], arrival[by_time], lifetime[creates][by_time]
    vcpus = _whole_column("cpu", cpu[src], path=path)
    ram = _whole_column("memory", np.round(mem[src] * _RAM_UNITS[memory_unit], 6), path=path)
    return Workload(arrival - arrival[0] if len(arrival) else arrival, life, vcpus, ram,
                    np.full(len(src), default_disk_gb))


def _event_positions(path, rows: list[list[str]], columns: dict) -> dict:
    """Column positions of the event fields, and whether the first row is a header."""
    first = [c.strip() for c in rows[0]] if rows else []
    time_pos = columns.get("time", EVENT_FIELDS.index("time"))
    has_header = bool(first) and (not isinstance(time_pos, int) or time_pos >= len(first)
                                  or not _is_number(first[time_pos]))
    if has_header:
        names = {name.lower(): i for i, name in enumerate(first)}
        where = {}
        for field in EVENT_FIELDS:
            spec = columns.get(field, field)
            if isinstance(spec, int):
                where[field] = spec
            elif str(spec).lower() in names:
                where[field] = names[str(spec).lower()]
            else:
                raise ValueError(f"{path}: no column {spec!r} for field {field!r} "
                                 f"(header: {', '.join(first)})")
    else:
        where = {}
        for i, field in enumerate(EVENT_FIELDS):
            spec = columns.get(field, i)
            if isinstance(spec, bool) or not isinstance(spec, int) or spec < 0:
                raise ValueError(f"columns: {field!r} must be a column position when the file has no header, "
                                 f"got {spec!r}")
            where[field] = spec
    where["_header"] = has_header
    return where


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- scenario entry point ---------------------------------------------------------

_COMMON_KEYS = {"format", "path", "limit", "start_s", "duration_s", "time_compression", "replicate"}
_FORMAT_KEYS = {
    "csv": {"columns", "lifetimes", "censored", "default_disk_gb", "batches", "ram_unit", "time_unit",
            "zero_lifetime_s"},
    "swf": {"ram_per_cpu_mb", "default_ram_mb", "default_disk_gb"},
    "events": {"columns", "memory_unit", "default_disk_gb"},
}


def load(spec: Mapping, *, rng: np.random.Generator, base_dir) -> Workload:
    """Read the trace a scenario's ``workload`` mapping names, then cut and scale it.

    Keys: ``format`` (``csv``, ``swf`` or ``events``) and ``path``
    (relative paths are resolved against ``base_dir``, the scenario file's
    folder) are required; ``limit`` and the reader's own options (see
    :func:`read_csv`, :func:`read_swf`, :func:`read_events`) pass through.
    Then, in this order: ``start_s`` / ``duration_s`` keep the requests
    arriving in that window of the trace's own time (re-based to
    ``start_s``), ``time_compression`` divides arrival times, and
    ``replicate`` copies every request that many times.

    An unknown key or bad value raises :class:`ValueError` naming the key;
    a missing file raises :class:`FileNotFoundError` with its path.
    """
    if not isinstance(spec, Mapping):
        raise ValueError(f"workload must be a mapping, got {type(spec).__name__}")
    fmt = spec.get("format")
    if fmt not in _FORMAT_KEYS:
        raise ValueError(f"format must be one of {', '.join(sorted(_FORMAT_KEYS))}, got {fmt!r}")
    allowed = _COMMON_KEYS | _FORMAT_KEYS[fmt]
    for key in spec:
        if key not in allowed:
            raise ValueError(f"workload: unknown key {key!r} for format {fmt!r} "
                             f"(expected: {', '.join(sorted(allowed))})")
    if not isinstance(spec.get("path"), (str, os.PathLike)) or not str(spec.get("path")):
        raise ValueError(f"path must be a file path, got {spec.get('path')!r}")
    path = os.path.join(os.fspath(base_dir), os.fspath(spec["path"]))
    if not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, "workload trace not found", path)
    options = {k: v for k, v in spec.items() if k in _FORMAT_KEYS[fmt] or k == "limit"}
    if fmt == "csv":
        workload = read_csv(path, options.pop("columns", None), rng=rng, **options)
    elif fmt == "swf":
        workload = read_swf(path, rng=rng, **options)
    else:
        workload = read_events(path, **options)

    start, duration = spec.get("start_s", 0.0), spec.get("duration_s")
    if not _number(start) or not math.isfinite(start) or start < 0:
        raise ValueError(f"start_s must be a number >= 0, got {start!r}")
    if duration is not None and (not _number(duration) or not duration > 0):
        raise ValueError(f"duration_s must be a number > 0, got {duration!r}")
    if "start_s" in spec or duration is not None:
        workload = workload.window(float(start), None if duration is None else float(duration))
    factor = spec.get("time_compression", 1)
    if not _number(factor) or not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"time_compression must be a number > 0, got {factor!r}")
    if factor != 1:
        workload = workload.compress(float(factor))
    copies = spec.get("replicate", 1)
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise ValueError(f"replicate must be an integer >= 1, got {copies!r}")
    if copies != 1:
        workload = workload.replicate(copies)
    return workload


def _number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))
