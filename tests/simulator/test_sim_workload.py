"""Tests for novalite_sim.workload: the columnar Workload and the synthetic generator."""

import numpy as np
import pytest

from novalite_sim.workload import Workload, factorize, synthetic

FLAVORS = {
    "m1.small": {"vcpus": 1, "ram_mb": 2048, "disk_gb": 20, "weight": 3},
    "m1.large": {"vcpus": 4, "ram_mb": 8192, "disk_gb": 80, "weight": 1},
}
EXP = {"distribution": "exponential", "mean_s": 600}


def make(arrival, request=None, lifetime=None, vcpus=None, flavor=None):
    n = len(arrival)
    return Workload(arrival, lifetime if lifetime is not None else np.arange(n) + 10.0,
                    vcpus if vcpus is not None else np.ones(n), np.full(n, 512), np.zeros(n), request, flavor)


@pytest.fixture
def small():
    # Requests: 0 at t=0 (2 rows), 1 at t=10, 2 at t=10 (3 rows), 3 at t=25.
    return make([0, 0, 10, 10, 10, 10, 25], request=[0, 0, 1, 2, 2, 2, 3],
                vcpus=[2, 2, 1, 4, 4, 4, 1])


def assert_well_formed(w):
    """Re-run the constructor's checks on a transform's output."""
    Workload(w.arrival_s, w.lifetime_s, w.vcpus, w.ram_mb, w.disk_gb, w.request, w.flavor)
    assert np.array_equal(w.request, np.repeat(np.arange(w.num_requests), w.batch_sizes))


# -- construction and validation ----------------------------------------------------


def test_columns_dtypes_and_read_only(small):
    assert small.arrival_s.dtype == np.float64 and small.lifetime_s.dtype == np.float64
    assert small.vcpus.dtype == small.ram_mb.dtype == small.disk_gb.dtype == np.int32
    assert small.request.dtype == np.int64
    with pytest.raises(ValueError):
        small.vcpus[0] = 3


def test_caller_array_stays_writable():
    arrival = np.array([0.0, 1.0])
    make(arrival)
    arrival[0] = 0.5


def test_shape(small):
    assert len(small) == 7
    assert small.num_requests == 4
    assert small.duration_s == 25.0
    assert small.request_bounds.tolist() == [0, 2, 3, 6, 7]
    assert list(small.requests()) == [(0, 2), (2, 3), (3, 6), (6, 7)]
    assert small.batch_sizes.tolist() == [2, 1, 3, 1]
    assert small.request_arrivals.tolist() == [0, 10, 10, 25]


def test_default_request_is_one_row_each():
    w = make([0, 1, 1])
    assert w.request.tolist() == [0, 1, 2]
    assert w.num_requests == 3


def test_empty():
    w = Workload.empty()
    assert len(w) == 0 and w.num_requests == 0 and w.duration_s == 0.0
    assert list(w.requests()) == []
    assert len(w.window(0, 10)) == 0 and len(w.replicate(3)) == 0 and len(w.head(5)) == 0
    assert w.summary()["lifetime_p50_s"] is None


@pytest.mark.parametrize("kwargs, message", [
    ({"lifetime_s": [1.0]}, "lifetime_s has 1 rows"),
    ({"arrival_s": [0, -1, 2]}, "arrival_s must be finite"),
    ({"arrival_s": [0, np.nan, 2]}, "arrival_s must be finite"),
    ({"arrival_s": [0, 5, 2]}, "sorted by arrival_s"),
    ({"lifetime_s": [1, np.nan, 1]}, "lifetime_s must be >= 0"),
    ({"lifetime_s": [1, -1, 1]}, "lifetime_s must be >= 0"),
    ({"vcpus": [1, -1, 1]}, "vcpus must be >= 0"),
    ({"ram_mb": [1, 1.5, 1]}, "ram_mb must hold whole numbers"),
    ({"request": [0, 1, 0]}, "nondecreasing"),
    ({"request": [0, 0, 1], "arrival_s": [0, 0, 1], "vcpus": [1, 2, 2]}, "share vcpus"),
    ({"request": [0, 0, 1], "arrival_s": [0, 1, 1]}, "share arrival_s"),
    ({"request": [0, 0, 1], "arrival_s": [0, 0, 1], "flavor": ["a", "b", "b"]}, "share flavor"),
    ({"flavor": ["a", 3, "b"]}, "flavor entries"),
])
def test_validation(kwargs, message):
    cols = {"arrival_s": [0, 1, 2], "lifetime_s": [1, 1, np.inf], "vcpus": [1, 1, 1], "ram_mb": [1, 1, 1],
            "disk_gb": [0, 0, 0]}
    cols.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Workload(**cols)


# -- transforms -------------------------------------------------------------------


def test_window_rebases_to_start(small):
    w = small.window(10, 15)
    assert w.arrival_s.tolist() == [0, 0, 0, 0]
    assert w.vcpus.tolist() == [1, 4, 4, 4]
    assert w.request.tolist() == [0, 1, 1, 1]
    assert w.lifetime_s.tolist() == small.lifetime_s[2:6].tolist()
    assert_well_formed(w)
    rest = small.window(5)
    assert rest.arrival_s.tolist() == [5, 5, 5, 5, 20]
    assert small.window(0, 10).num_requests == 1  # the end is exclusive
    assert len(small.window(30)) == 0


@pytest.mark.parametrize("args", [(-1, None), (0, 0), (np.inf, None)])
def test_window_rejects(small, args):
    with pytest.raises(ValueError):
        small.window(*args)


def test_head(small):
    assert small.head(3).request_bounds.tolist() == [0, 2, 3, 6]
    assert len(small.head(0)) == 0
    assert len(small.head(99)) == 7


def test_compress_and_scale(small):
    c = small.compress(5)
    assert c.arrival_s.tolist() == [0, 0, 2, 2, 2, 2, 5]
    assert np.array_equal(c.lifetime_s, small.lifetime_s)
    lifetimes = np.array([1.0, 2, 3, 4, 5, 6, np.inf])
    s = make(small.arrival_s, small.request, lifetimes, small.vcpus).scale_lifetimes(2)
    assert s.lifetime_s.tolist() == [2, 4, 6, 8, 10, 12, np.inf]
    for bad in (0, -1, np.nan, "2", True):
        with pytest.raises(ValueError, match="factor"):
            small.compress(bad)


def test_replicate(small):
    r = small.replicate(3)
    assert len(r) == 21 and r.num_requests == 12
    assert r.batch_sizes.tolist() == [2, 2, 2, 1, 1, 1, 3, 3, 3, 1, 1, 1]
    assert r.request_arrivals.tolist() == [0, 0, 0, 10, 10, 10, 10, 10, 10, 25, 25, 25]
    assert r.vcpus.tolist() == [2] * 6 + [1] * 3 + [4] * 9 + [1] * 3
    # Each copy keeps the original's per-row lifetimes.
    assert r.lifetime_s[6:9].tolist() == [small.lifetime_s[2]] * 3
    assert r.lifetime_s[9:12].tolist() == small.lifetime_s[3:6].tolist()
    assert_well_formed(r)
    assert len(small.replicate(1)) == 7
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="replicate"):
            small.replicate(bad)


def test_concat_merges_by_arrival(small):
    other = make([0, 5, 10, 10], request=[0, 1, 2, 2], vcpus=[8, 8, 16, 16], flavor=["x", "x", "y", "y"])
    m = small.concat(other)
    assert len(m) == 11 and m.num_requests == 7
    assert m.request_arrivals.tolist() == [0, 0, 5, 10, 10, 10, 25]
    # At equal arrival, self's requests come first.
    assert m.vcpus.tolist() == [2, 2, 8, 8, 1, 4, 4, 4, 16, 16, 1]
    assert m.flavor.tolist() == [None, None, "x", "x", None, None, None, None, "y", "y", None]
    assert_well_formed(m)
    assert len(small.concat()) == 7
    with pytest.raises(ValueError):
        small.concat([1, 2])


def test_transforms_at_scale():
    # Vectorised transforms: this takes about a second even on a slow machine.
    n = 500_000
    arrival = np.sort(np.random.default_rng(0).uniform(0, 1e6, n // 2)).repeat(2)
    w = make(arrival, request=np.arange(n) // 2)
    r = w.replicate(2).concat(w.compress(2)).window(1000, 5e5)
    assert len(r) > 0 and np.all(np.diff(r.arrival_s) >= 0)
    assert_well_formed(r)
    assert w.summary()["instances"] == n


def test_summary(small):
    lifetimes = np.array([100.0, 200, 300, 400, 500, np.inf, np.inf])
    s = make(small.arrival_s, small.request, lifetimes, small.vcpus).summary()
    assert s["requests"] == 4 and s["instances"] == 7 and s["duration_s"] == 25.0
    assert s["flavors"] == {(4, 512, 0): 3, (2, 512, 0): 2, (1, 512, 0): 2}
    assert list(s["flavors"])[0] == (4, 512, 0)
    assert s["batch_p50"] == 1.5 and s["batch_max"] == 3
    assert s["lifetime_p50_s"] == 300.0
    assert s["censored"] == 2


def test_factorize():
    codes, n = factorize(np.array([1.0, 2.0, 1.0, 1.0]), np.array(["a", "a", "a", "b"]))
    assert n == 3
    assert codes[0] == codes[2] != codes[1] and codes[3] not in (codes[0], codes[1])


# -- synthetic --------------------------------------------------------------------


def gen(seed=1, **kw):
    kw.setdefault("rate_per_s", 2.0)
    kw.setdefault("flavors", FLAVORS)
    kw.setdefault("lifetime", EXP)
    if "duration_s" not in kw:
        kw.setdefault("count", 1000)
    return synthetic(np.random.default_rng(seed), **kw)


def test_synthetic_deterministic():
    a, b, c = gen(7), gen(7), gen(8)
    for col in ("arrival_s", "lifetime_s", "vcpus", "request"):
        assert np.array_equal(getattr(a, col), getattr(b, col))
    assert not np.array_equal(a.arrival_s, c.arrival_s)
    assert_well_formed(a)


def test_synthetic_rate_and_duration():
    w = gen(count=20_000, rate_per_s=5.0)
    assert w.num_requests == 20_000 == len(w)
    assert 20_000 / w.duration_s == pytest.approx(5.0, rel=0.05)
    d = gen(duration_s=4000, rate_per_s=5.0, count=None)
    assert d.num_requests == pytest.approx(20_000, rel=0.05)
    assert d.duration_s < 4000
    both = gen(duration_s=4000, count=100)
    assert both.num_requests == 100
    shifted = gen(count=10, start_s=1000)
    assert shifted.arrival_s[0] > 1000


def test_synthetic_flavor_weights():
    w = gen(count=20_000)
    small_share = np.mean(w.flavor == "m1.small")
    assert small_share == pytest.approx(0.75, abs=0.02)
    assert set(zip(w.vcpus.tolist(), w.ram_mb.tolist(), w.disk_gb.tolist())) == {(1, 2048, 20), (4, 8192, 80)}


@pytest.mark.parametrize("spec, check", [
    (EXP, lambda x: abs(x.mean() - 600) < 30),
    ({"distribution": "lognormal", "median_s": 1000, "sigma": 1.5},
     lambda x: abs(np.median(x) / 1000 - 1) < 0.06),
    ({"distribution": "fixed", "seconds": 42}, lambda x: np.all(x == 42)),
    ({"distribution": "uniform", "low_s": 10, "high_s": 20}, lambda x: x.min() >= 10 and x.max() < 20),
    ({"distribution": "forever"}, lambda x: np.all(np.isinf(x))),
])
def test_synthetic_lifetimes(spec, check):
    assert check(gen(count=5000, lifetime=spec).lifetime_s)


def test_synthetic_batches():
    fixed = gen(count=100, batch={"distribution": "fixed", "size": 3})
    assert len(fixed) == 300 and set(fixed.batch_sizes.tolist()) == {3}
    geo = gen(count=20_000, batch={"distribution": "geometric", "mean": 4})
    assert geo.batch_sizes.mean() == pytest.approx(4, rel=0.05)
    capped = gen(count=5000, batch={"distribution": "geometric", "mean": 4, "max": 6})
    assert capped.batch_sizes.max() == 6
    # Rows of a request share arrival and flavor, each has its own lifetime.
    start, stop = next((s, e) for s, e in capped.requests() if e - s > 2)
    assert len(set(capped.flavor[start:stop])) == 1
    assert len(set(capped.lifetime_s[start:stop])) == stop - start


@pytest.mark.parametrize("kw, key", [
    ({"rate_per_s": 0}, "rate_per_s"),
    ({"count": -1}, "count"),
    ({"count": None}, "count, duration_s"),
    ({"flavors": {}}, "flavors"),
    ({"flavors": {"a": {"vcpus": 1, "ram_mb": 1, "colour": "red"}}}, "colour"),
    ({"flavors": {"a": {"vcpus": 0, "ram_mb": 1}}}, "flavors.a.vcpus"),
    ({"flavors": {"a": {"vcpus": 1, "ram_mb": 1, "weight": 0}}}, "weight"),
    ({"lifetime": {"distribution": "exponential", "mean": 5}}, "'mean'"),
    ({"lifetime": {"distribution": "exponential"}}, "mean_s"),
    ({"lifetime": {"distribution": "pareto"}}, "pareto"),
    ({"lifetime": {"distribution": "uniform", "low_s": 5, "high_s": 1}}, "high_s"),
    ({"lifetime": {"distribution": "lognormal", "median_s": 5, "sigma": -1}}, "sigma"),
    ({"batch": {"distribution": "fixed", "size": 0}}, "batch.size"),
    ({"batch": {"distribution": "fixed", "size": 2, "mean": 3}}, "'mean'"),
    ({"batch": {"distribution": "geometric", "mean": 0.5}}, "batch.mean"),
    ({"batch": {"distribution": "poisson"}}, "poisson"),
])
def test_synthetic_rejects(kw, key):
    with pytest.raises(ValueError, match=key):
        gen(**kw)


def test_synthetic_needs_generator():
    with pytest.raises(ValueError, match="rng"):
        synthetic(42, count=1, rate_per_s=1, flavors=FLAVORS, lifetime=EXP)
