"""Columnar workloads: what the simulator replays, and a synthetic generator.

A :class:`Workload` holds one row per instance in numpy arrays, sorted by
arrival; the rows of one request (a Nova multi-create of ``k`` servers) are
contiguous.  Every transform returns a new workload and works on whole
columns, so traces of 10^6 instances stay cheap to cut, compress and
replicate.  Trace readers live in :mod:`novalite_sim.traces`.
"""

from __future__ import annotations

import math
from typing import Iterator, Mapping, Sequence

import numpy as np

_RESOURCES = ("vcpus", "ram_mb", "disk_gb")


def _column(values, dtype, name: str, n: int | None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"Workload: {name} must be one-dimensional, got shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise ValueError(f"Workload: {name} has {len(arr)} rows, arrival_s has {n}")
    if arr.dtype != dtype:
        if np.issubdtype(np.dtype(dtype), np.integer) and arr.size and arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                raise ValueError(f"Workload: {name} must hold whole numbers")
        arr = arr.astype(dtype)
    # A read-only view: transforms share arrays between workloads, and a
    # view's flag leaves the caller's own array writable.
    view = arr.view()
    view.flags.writeable = False
    return view


class Workload:
    """A sorted, columnar list of instance requests.

    Columns (numpy arrays of equal length, one row per instance):

    ``arrival_s`` (float64)
        Seconds from the workload's start; readers re-base a trace so its
        first request arrives at 0.
    ``lifetime_s`` (float64)
        Seconds the instance lives once it arrives; ``np.inf`` means it is
        still alive when the trace ends (censored).
    ``vcpus``, ``ram_mb``, ``disk_gb`` (int32)
        The flavor's resources.
    ``request`` (int64)
        Request id, nondecreasing.  The rows of one request are contiguous
        and share arrival and resources: a request of ``k`` rows is one
        multi-create of ``k`` servers; each row keeps its own lifetime.
    ``flavor`` (object array of ``str`` or ``None``, or ``None``)
        Flavor names when the source knows them; otherwise the simulator
        names flavors from their resources.

    Rows are sorted by ``(arrival_s, request)``; the constructor checks
    this, equal lengths, non-negative values and request contiguity and
    raises :class:`ValueError` naming the column.  Arrays are exposed
    read-only and transforms return new workloads; request ids are dense
    (``0 .. num_requests - 1``) after any transform, so they identify a
    request's position, not its line in the source trace.

    To walk requests without a Python object per row, use
    :attr:`request_bounds` (request ``i`` is rows
    ``bounds[i]:bounds[i + 1]``) or :meth:`requests`, which yields those
    ``(start, stop)`` pairs as ints.
    """

    __slots__ = ("arrival_s", "lifetime_s", "vcpus", "ram_mb", "disk_gb", "request", "flavor", "_bounds")

    def __init__(self, arrival_s, lifetime_s, vcpus, ram_mb, disk_gb, request=None,
                 flavor: Sequence[str | None] | None = None):
        arrival = _column(arrival_s, np.float64, "arrival_s", None)
        n = len(arrival)
        self.arrival_s = arrival
        self.lifetime_s = _column(lifetime_s, np.float64, "lifetime_s", n)
        self.vcpus = _column(vcpus, np.int32, "vcpus", n)
        self.ram_mb = _column(ram_mb, np.int32, "ram_mb", n)
        self.disk_gb = _column(disk_gb, np.int32, "disk_gb", n)
        self.request = _column(np.arange(n) if request is None else request, np.int64, "request", n)
        self.flavor = (None if flavor is None
                       else _column(np.asarray(flavor, dtype=object), object, "flavor", n))
        self._bounds = None
        self._validate()

    @classmethod
    def _trusted(cls, arrival_s, lifetime_s, vcpus, ram_mb, disk_gb, request, flavor) -> Workload:
        """Build from arrays a transform derived from a valid workload (no checks)."""
        self = cls.__new__(cls)
        for name, arr in (("arrival_s", arrival_s), ("lifetime_s", lifetime_s), ("vcpus", vcpus),
                          ("ram_mb", ram_mb), ("disk_gb", disk_gb), ("request", request), ("flavor", flavor)):
            if arr is not None:
                arr = arr.view()
                arr.flags.writeable = False
            setattr(self, name, arr)
        self._bounds = None
        return self

    @classmethod
    def empty(cls) -> Workload:
        """A workload with no requests."""
        return cls(np.empty(0), np.empty(0), np.empty(0), np.empty(0), np.empty(0))

    def _validate(self) -> None:
        a, life = self.arrival_s, self.lifetime_s
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError("Workload: arrival_s must be finite and >= 0")
        if np.any(np.isnan(life)) or np.any(life < 0):
            raise ValueError("Workload: lifetime_s must be >= 0 (np.inf for censored), not NaN")
        for name in _RESOURCES:
            if np.any(getattr(self, name) < 0):
                raise ValueError(f"Workload: {name} must be >= 0")
        if np.any(np.diff(a) < 0):
            raise ValueError("Workload: rows must be sorted by arrival_s")
        if np.any(np.diff(self.request) < 0):
            raise ValueError("Workload: request ids must be nondecreasing "
                             "(each request's rows contiguous)")
        same = self.request[1:] == self.request[:-1]
        for name in ("arrival_s",) + _RESOURCES + ("flavor",):
            col = getattr(self, name)
            if col is not None and np.any(same & (col[1:] != col[:-1])):
                raise ValueError(f"Workload: rows of one request must share {name}")
        if self.flavor is not None and not all(f is None or isinstance(f, str) for f in self.flavor):
            raise ValueError("Workload: flavor entries must be str or None")

    # -- shape ------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.arrival_s)

    def __repr__(self) -> str:
        return (f"<Workload {len(self)} instances in {self.num_requests} requests "
                f"over {self.duration_s:.0f} s>")

    @property
    def request_bounds(self) -> np.ndarray:
        """Row offsets (int64, length ``num_requests + 1``): request i is rows ``b[i]:b[i+1]``."""
        if self._bounds is None:
            starts = np.flatnonzero(self.request[1:] != self.request[:-1]) + 1
            n = len(self)
            b = np.concatenate(([0], starts, [n])) if n else np.zeros(1)
            self._bounds = b.astype(np.int64)
            self._bounds.flags.writeable = False
        return self._bounds

    @property
    def num_requests(self) -> int:
        return len(self.request_bounds) - 1

    @property
    def duration_s(self) -> float:
        """Arrival time of the last request (0.0 when empty)."""
        return float(self.arrival_s[-1]) if len(self) else 0.0

    @property
    def batch_sizes(self) -> np.ndarray:
        """Instances per request (int64, one entry per request)."""
        return np.diff(self.request_bounds)

    @property
    def request_arrivals(self) -> np.ndarray:
        """Arrival time of each request (float64, one entry per request)."""
        return self.arrival_s[self.request_bounds[:-1]]

    def requests(self) -> Iterator[tuple[int, int]]:
        """Yield ``(start_row, stop_row)`` of each request, in arrival order.

        The pairs are plain ints, so ``w.vcpus[start]`` and
        ``w.lifetime_s[start:stop]`` read a request without per-row objects.
        """
        b = self.request_bounds.tolist()
        return zip(b[:-1], b[1:])

    # -- transforms ---------------------------------------------------------

    def _take(self, rows, *, request=None, arrival_s=None) -> Workload:
        """Rows ``rows`` (a slice or index array, whole requests, in order) with dense request ids."""
        arrival = self.arrival_s[rows] if arrival_s is None else arrival_s
        if request is None:
            req = self.request[rows]
            request = np.zeros(len(req), dtype=np.int64)
            if len(req):
                np.cumsum(req[1:] != req[:-1], out=request[1:])
        return Workload._trusted(
            arrival, self.lifetime_s[rows], self.vcpus[rows], self.ram_mb[rows], self.disk_gb[rows],
            request, None if self.flavor is None else self.flavor[rows])

    def window(self, start_s: float = 0.0, duration_s: float | None = None) -> Workload:
        """Requests arriving in ``[start_s, start_s + duration_s)``, times made relative to ``start_s``.

        ``duration_s=None`` keeps everything from ``start_s`` on.  Lifetimes
        are kept whole: an instance may outlive the window.
        """
        if not (math.isfinite(start_s) and start_s >= 0):
            raise ValueError(f"window: start_s must be finite and >= 0, got {start_s!r}")
        if duration_s is not None and not duration_s > 0:
            raise ValueError(f"window: duration_s must be > 0, got {duration_s!r}")
        lo = int(np.searchsorted(self.arrival_s, start_s, side="left"))
        hi = len(self) if duration_s is None else int(
            np.searchsorted(self.arrival_s, start_s + duration_s, side="left"))
        # Rows of a request share their arrival, so these cuts never split one.
        rows = slice(lo, max(lo, hi))
        return self._take(rows, arrival_s=self.arrival_s[rows] - start_s)

    def head(self, n_requests: int) -> Workload:
        """The first ``n_requests`` requests."""
        if n_requests < 0:
            raise ValueError(f"head: n_requests must be >= 0, got {n_requests!r}")
        n = min(int(n_requests), self.num_requests)
        return self._take(slice(0, int(self.request_bounds[n])))

    def compress(self, factor: float) -> Workload:
        """Divide arrival times by ``factor``; lifetimes stay, so concurrency grows ``factor``-fold."""
        _positive("compress: factor", factor)
        return self._take(slice(None), arrival_s=self.arrival_s / factor)

    def scale_lifetimes(self, factor: float) -> Workload:
        """Multiply every lifetime by ``factor`` (censored ones stay ``inf``)."""
        _positive("scale_lifetimes: factor", factor)
        w = self._take(slice(None))
        return Workload._trusted(w.arrival_s, self.lifetime_s * factor, w.vcpus, w.ram_mb, w.disk_gb,
                                 w.request, w.flavor)

    def replicate(self, n: int) -> Workload:
        """Copy every request ``n`` times at the same arrival, with new request ids.

        Copies of one request follow each other (request r becomes requests
        ``r*n .. r*n + n - 1``), so the result stays sorted by arrival.
        Each copy keeps the original lifetimes.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"replicate: n must be an integer >= 1, got {n!r}")
        n = int(n)
        if n == 1 or not len(self):
            return self._take(slice(None))
        starts = np.repeat(self.request_bounds[:-1], n)
        rows, new_request = _gather_requests(starts, np.repeat(self.batch_sizes, n))
        return self._take(rows, request=new_request)

    def concat(self, *others: Workload) -> Workload:
        """Merge workloads by arrival; at equal arrival, earlier arguments' requests come first.

        If only some workloads name their flavors, the others' rows get
        ``None`` names.
        """
        parts = (self,) + others
        for w in others:
            if not isinstance(w, Workload):
                raise ValueError(f"concat: expected Workload, got {type(w).__name__}")
        cols = {name: np.concatenate([getattr(w, name) for w in parts])
                for name in ("arrival_s", "lifetime_s") + _RESOURCES}
        flavor = None
        if any(w.flavor is not None for w in parts):
            flavor = np.concatenate([w.flavor if w.flavor is not None else np.full(len(w), None, dtype=object)
                                     for w in parts])
        # Requests ordered by arrival; the stable sort keeps each part's own
        # order and, at equal arrival, the parts' order.
        row_offsets = np.cumsum([0] + [len(w) for w in parts])
        starts = np.concatenate([w.request_bounds[:-1] + off for w, off in zip(parts, row_offsets)])
        sizes = np.concatenate([w.batch_sizes for w in parts])
        order = np.argsort(cols["arrival_s"][starts], kind="stable")
        rows, new_request = _gather_requests(starts[order], sizes[order])
        return Workload._trusted(
            cols["arrival_s"][rows], cols["lifetime_s"][rows], cols["vcpus"][rows], cols["ram_mb"][rows],
            cols["disk_gb"][rows], new_request, None if flavor is None else flavor[rows])

    # -- reporting ----------------------------------------------------------

    def summary(self) -> dict:
        """Counts and quantiles describing the workload (plain Python values).

        ``flavors`` maps ``(vcpus, ram_mb, disk_gb)`` to its instance count,
        most common first; lifetime quantiles cover finite lifetimes only and
        are ``None`` when there are none.
        """
        n = len(self)
        flavors: dict[tuple[int, int, int], int] = {}
        if n:
            codes, _ = factorize(self.vcpus, self.ram_mb, self.disk_gb)
            counts = np.bincount(codes)
            first = np.full(len(counts), n, dtype=np.int64)
            np.minimum.at(first, codes, np.arange(n))
            for c in np.argsort(-counts, kind="stable"):
                i = first[c]
                flavors[(int(self.vcpus[i]), int(self.ram_mb[i]), int(self.disk_gb[i]))] = int(counts[c])
        sizes = self.batch_sizes
        finite = self.lifetime_s[np.isfinite(self.lifetime_s)]

        def q(values, pct):
            return float(np.percentile(values, pct)) if len(values) else None

        return {
            "requests": self.num_requests,
            "instances": n,
            "duration_s": self.duration_s,
            "flavors": flavors,
            "batch_p50": q(sizes, 50),
            "batch_p99": q(sizes, 99),
            "batch_max": int(sizes.max()) if len(sizes) else 0,
            "lifetime_p50_s": q(finite, 50),
            "lifetime_p90_s": q(finite, 90),
            "lifetime_p99_s": q(finite, 99),
            "censored": int(n - len(finite)),
        }


def factorize(*columns: np.ndarray) -> tuple[np.ndarray, int]:
    """Group rows by the tuple of their values in ``columns``.

    Returns ``(codes, n_groups)``: ``codes[i]`` (int64, dense, ordered by
    value) is the same for rows whose values agree in every column.  Works
    one column at a time on integer codes, which is much faster than
    ``np.unique(axis=0)`` on a stacked array.
    """
    codes = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    n_groups = 1
    for col in columns:
        uniq, inverse = np.unique(np.asarray(col), return_inverse=True)
        # Both factors are < len(col), so the product fits in int64.
        combined = codes * len(uniq) + inverse.reshape(-1)
        uniq_c, codes = np.unique(combined, return_inverse=True)
        codes = codes.reshape(-1).astype(np.int64)
        n_groups = len(uniq_c)
    return codes, (n_groups if len(codes) else 0)


def _gather_requests(starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of requests given by ``starts``/``sizes``, in that order, and their new dense ids."""
    starts = np.asarray(starts, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    new_request = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    new_starts = np.zeros(len(sizes), dtype=np.int64)
    if len(sizes) > 1:
        np.cumsum(sizes[:-1], out=new_starts[1:])
    rows = starts[new_request] + (np.arange(len(new_request), dtype=np.int64) - new_starts[new_request])
    return rows, new_request


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _whole(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_keys(where: str, spec, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(spec, Mapping):
        raise ValueError(f"{where} must be a mapping, got {type(spec).__name__}")
    for key in spec:
        if key not in required and key not in optional:
            allowed = ", ".join(sorted(required | set(optional)))
            raise ValueError(f"{where}: unknown key {key!r} (expected: {allowed})")
    for key in required:
        if key not in spec:
            raise ValueError(f"{where}: missing key {key!r}")


# Parameters of each lifetime distribution: (required, optional).
_LIFETIMES = {
    "exponential": ({"mean_s"}, set()),
    "lognormal": ({"median_s", "sigma"}, set()),
    "fixed": ({"seconds"}, set()),
    "uniform": ({"low_s", "high_s"}, set()),
    "forever": (set(), set()),
}


def _lifetime_sampler(spec):
    _check_keys("lifetime", spec, {"distribution"}, {k for r, o in _LIFETIMES.values() for k in r | o})
    dist = spec["distribution"]
    if dist not in _LIFETIMES:
        raise ValueError(f"lifetime: unknown distribution {dist!r} "
                         f"(expected: {', '.join(sorted(_LIFETIMES))})")
    required, optional = _LIFETIMES[dist]
    _check_keys(f"lifetime ({dist})", spec, required | {"distribution"}, optional)
    if dist == "exponential":
        mean = _positive("lifetime.mean_s", spec["mean_s"])
        return lambda rng, n: rng.exponential(mean, n)
    if dist == "lognormal":
        mu = math.log(_positive("lifetime.median_s", spec["median_s"]))
        sigma = _non_negative("lifetime.sigma", spec["sigma"])
        return lambda rng, n: rng.lognormal(mu, sigma, n)
    if dist == "fixed":
        seconds = _non_negative("lifetime.seconds", spec["seconds"])
        return lambda rng, n: np.full(n, seconds)
    if dist == "uniform":
        low = _non_negative("lifetime.low_s", spec["low_s"])
        high = _non_negative("lifetime.high_s", spec["high_s"])
        if high < low:
            raise ValueError(f"lifetime.high_s ({high}) must be >= lifetime.low_s ({low})")
        return lambda rng, n: rng.uniform(low, high, n)
    return lambda rng, n: np.full(n, np.inf)


def _batch_sampler(spec):
    if spec is None:
        return lambda rng, n: np.ones(n, dtype=np.int64)
    _check_keys("batch", spec, {"distribution"}, {"size", "mean", "max"})
    dist = spec["distribution"]
    if dist == "fixed":
        _check_keys("batch (fixed)", spec, {"distribution", "size"})
        size = _whole("batch.size", spec["size"], 1)
        return lambda rng, n: np.full(n, size, dtype=np.int64)
    if dist == "geometric":
        _check_keys("batch (geometric)", spec, {"distribution", "mean"}, {"max"})
        mean = float(spec["mean"]) if not isinstance(spec["mean"], bool) else 0.0
        if not (isinstance(spec["mean"], (int, float)) and math.isfinite(mean) and mean >= 1):
            raise ValueError(f"batch.mean must be a number >= 1, got {spec['mean']!r}")
        cap = _whole("batch.max", spec["max"], 1) if "max" in spec else None
        # Geometric on 1, 2, ... with mean 1/p; sizes above max are capped
        # (not redrawn), so a small max lowers the realised mean.
        return lambda rng, n: (rng.geometric(1.0 / mean, n) if cap is None
                               else np.minimum(rng.geometric(1.0 / mean, n), cap)).astype(np.int64)
    raise ValueError(f"batch: unknown distribution {dist!r} (expected: fixed, geometric)")


def _flavor_table(flavors):
    if not isinstance(flavors, Mapping) or not flavors:
        raise ValueError("flavors must be a non-empty mapping of name -> {vcpus, ram_mb, disk_gb, weight}")
    names, res, weights = [], [], []
    for name, spec in flavors.items():
        where = f"flavors.{name}"
        _check_keys(where, spec, {"vcpus", "ram_mb"}, {"disk_gb", "weight"})
        names.append(str(name))
        res.append((_whole(f"{where}.vcpus", spec["vcpus"], 1), _whole(f"{where}.ram_mb", spec["ram_mb"], 0),
                    _whole(f"{where}.disk_gb", spec.get("disk_gb", 0), 0)))
        weights.append(_non_negative(f"{where}.weight", spec.get("weight", 1)))
    total = sum(weights)
    if total <= 0:
        raise ValueError("flavors: at least one weight must be > 0")
    return np.array(names, dtype=object), np.array(res, dtype=np.int32), np.array(weights) / total


def synthetic(rng: np.random.Generator, *, count: int | None = None, duration_s: float | None = None,
              rate_per_s: float, flavors: Mapping, lifetime: Mapping, batch: Mapping | None = None,
              start_s: float = 0.0) -> Workload:
    """Generate a workload with Poisson arrivals.

    Requests arrive at ``start_s`` plus the cumulative sum of exponential
    gaps of mean ``1 / rate_per_s``, until ``count`` requests or until
    ``start_s + duration_s`` (whichever comes first; at least one is
    required).  Each request picks a flavor by weight from ``flavors``
    (``name -> {vcpus, ram_mb, disk_gb=0, weight=1}``; weights need not sum
    to 1), a batch size from ``batch`` (``None`` = 1;
    ``{'distribution': 'fixed', 'size': k}`` or ``{'distribution':
    'geometric', 'mean': m, 'max': M}``, sizes above ``M`` capped at ``M``),
    and each instance draws its own lifetime from ``lifetime``:
    ``exponential`` (``mean_s``), ``lognormal`` (``median_s``, ``sigma``),
    ``fixed`` (``seconds``), ``uniform`` (``low_s``, ``high_s``) or
    ``forever`` (``inf``).

    The same ``rng`` seed gives identical arrays.  Unknown keys and bad
    values raise :class:`ValueError` naming the key.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    rate = _positive("rate_per_s", rate_per_s)
    start = _non_negative("start_s", start_s)
    if count is None and duration_s is None:
        raise ValueError("synthetic: give count, duration_s or both")
    if count is not None:
        count = _whole("count", count, 0)
    if duration_s is not None:
        duration_s = _positive("duration_s", duration_s)
    names, resources, weights = _flavor_table(flavors)
    draw_lifetimes = _lifetime_sampler(lifetime)
    draw_batches = _batch_sampler(batch)

    # Draw gaps in chunks whose sizes depend only on the parameters, so a
    # seed always consumes the generator the same way.
    if duration_s is None:
        arrivals = np.cumsum(rng.exponential(1.0 / rate, count))
    else:
        expected = rate * duration_s
        chunk = int(expected + 6 * math.sqrt(expected) + 16)
        if count is not None:
            chunk = min(chunk, count)
        arrivals = np.cumsum(rng.exponential(1.0 / rate, chunk))
        while len(arrivals) and arrivals[-1] < duration_s and (count is None or len(arrivals) < count):
            size = chunk if count is None else min(chunk, count - len(arrivals))
            arrivals = np.concatenate([arrivals, arrivals[-1] + np.cumsum(rng.exponential(1.0 / rate, size))])
        arrivals = arrivals[: np.searchsorted(arrivals, duration_s, side="left")]
        if count is not None:
            arrivals = arrivals[:count]
    arrivals = arrivals + start
    n_req = len(arrivals)
    which = rng.choice(len(weights), size=n_req, p=weights)
    sizes = draw_batches(rng, n_req)
    request = np.repeat(np.arange(n_req, dtype=np.int64), sizes)
    lifetimes = draw_lifetimes(rng, len(request))
    flavor_of_row = which[request]
    return Workload(arrivals[request], lifetimes, resources[flavor_of_row, 0], resources[flavor_of_row, 1],
                    resources[flavor_of_row, 2], request, names[flavor_of_row])
