"""Tests for novalite_sim.traces: CSV, SWF and event readers, and the scenario entry point."""

import logging
import os
import pathlib

import numpy as np
import pytest

from novalite_sim import traces

INF = np.inf

# Exact bins, a wide bin, a censored row, a zero lifetime and batches, in
# the layout of the converted Azure trace (see shared/traces/README.md).
AZURE_CSV = """\
arrival_s,lifetime_s,vcpus,ram_mb,disk_gb,lifetime_lo_s,lifetime_hi_s,censored,batch_id
1000,900,2,4096,,900,900,0,0
1000,600,2,4096,,600,600,0,0
1000,5400,1,2048,20,3600,7200,0,1
1000,,4,8192,,300,,1,2
1300,0,1,2048,,0,0,0,0
1300,7200,2,4096,,7200,7200,0,5
1300,3600,1,2048,,3600,3600,0,5
1300,900,2,4096,,900,900,0,5
"""
# File rows in request order: batch 0 of t=1000, batches 1 and 2, batch 0 of
# t=1300 (ids repeat across buckets), batch 5 split by flavor: rows 6 and 8
# form one request, row 7 another.
ORDER = [0, 1, 2, 3, 4, 5, 7, 6]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.fixture
def azure(tmp_path):
    return write(tmp_path, "azure.csv", AZURE_CSV)


# -- CSV --------------------------------------------------------------------------


def test_csv_midpoint_exact_values(azure):
    w = traces.read_csv(azure, rng=rng(), lifetimes="midpoint", default_disk_gb=10)
    assert w.arrival_s.tolist() == [0, 0, 0, 0, 300, 300, 300, 300]
    assert w.lifetime_s.tolist() == [900, 600, 5400, INF, 0, 7200, 900, 3600]
    assert w.vcpus.tolist() == [2, 2, 1, 4, 1, 2, 2, 1]
    assert w.ram_mb.tolist() == [4096, 4096, 2048, 8192, 2048, 4096, 4096, 2048]
    assert w.disk_gb.tolist() == [10, 10, 20, 10, 10, 10, 10, 10]
    assert w.request.tolist() == [0, 0, 1, 2, 3, 4, 4, 5]
    assert w.flavor is None


def test_csv_sampling_within_bins_and_seeded(azure):
    a = traces.read_csv(azure, rng=rng(1))
    exact = [0, 1, 5, 6, 7]
    assert a.lifetime_s[exact].tolist() == [900, 600, 7200, 900, 3600]
    assert 3600 <= a.lifetime_s[2] <= 7200 and a.lifetime_s[2] != 5400
    assert 0 <= a.lifetime_s[4] < 300
    assert a.lifetime_s[3] == INF
    b = traces.read_csv(azure, rng=rng(1))
    c = traces.read_csv(azure, rng=rng(2))
    assert np.array_equal(a.lifetime_s, b.lifetime_s)
    assert a.lifetime_s[2] != c.lifetime_s[2] and a.lifetime_s[4] != c.lifetime_s[4]
    kept = traces.read_csv(azure, rng=rng(1), zero_lifetime_s=0)
    assert kept.lifetime_s[4] == 0


def test_csv_censored_lower_bound(azure):
    w = traces.read_csv(azure, rng=rng(), censored="lower_bound")
    assert w.lifetime_s[3] == 300


def test_csv_without_batches(azure):
    w = traces.read_csv(azure, rng=rng(), lifetimes="midpoint", batches=False)
    assert w.num_requests == 8
    assert w.lifetime_s.tolist() == [900, 600, 5400, INF, 0, 7200, 3600, 900]


def test_csv_limit(azure):
    w = traces.read_csv(azure, rng=rng(), limit=3)
    assert len(w) == 3 and w.num_requests == 2


def test_csv_column_mapping_and_units(tmp_path):
    path = write(tmp_path, "m.csv", "vm,submit_min,cores,mem_gb,duration_min,kind,tenant\n"
                                    "a,10,2,1.75,3,m1.tiny,x\n"
                                    "b,12,4,8,,m1.big,x\n"
                                    "c,10,2,1.75,5,m1.tiny,x\n"
                                    "d,10,2,1.75,1,,y\n")
    cols = {"arrival_s": "submit_min", "vcpus": "cores", "ram_mb": "mem_gb", "lifetime_s": "duration_min",
            "flavor": "kind", "batch_id": "tenant"}
    w = traces.read_csv(path, cols, lifetimes="midpoint", ram_unit="GB", time_unit="min")
    assert w.arrival_s.tolist() == [0, 0, 0, 120]
    assert w.lifetime_s.tolist() == [180, 300, 60, INF]  # an empty lifetime without a bin is censored
    assert w.ram_mb.tolist() == [1792, 1792, 1792, 8192]
    assert w.flavor.tolist() == ["m1.tiny", "m1.tiny", None, "m1.big"]
    assert w.request.tolist() == [0, 0, 1, 2]  # text batch ids; flavor splits the batch


def test_csv_unsorted_file_is_sorted(tmp_path):
    path = write(tmp_path, "u.csv", "arrival_s,lifetime_s,vcpus,ram_mb\n50,1,1,1\n20,2,1,1\n50,3,1,1\n")
    w = traces.read_csv(path, lifetimes="midpoint")
    assert w.arrival_s.tolist() == [0, 30, 30] and w.lifetime_s.tolist() == [2, 1, 3]


def test_csv_empty(tmp_path):
    w = traces.read_csv(write(tmp_path, "e.csv", "arrival_s,lifetime_s,vcpus,ram_mb\n"), rng=rng())
    assert len(w) == 0


@pytest.mark.parametrize("text, kwargs, message", [
    ("arrival_s,lifetime_s,vcpus\n1,1,1\n", {}, "'ram_mb'"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"columns": {"disk_gb": "disk"}}, "'disk'"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"columns": {"memory": "ram_mb"}}, "'memory'"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1.5,1\n", {}, "vcpus must be a whole number"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,,1\n", {}, "vcpus"),
    ("arrival_s,vcpus,ram_mb\n1,1,1\n", {}, "lifetime_s"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"lifetimes": "mean"}, "lifetimes"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"censored": "drop"}, "censored"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"ram_unit": "GiB"}, "ram_unit"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"rng": None}, "rng"),
    ("arrival_s,lifetime_s,vcpus,ram_mb\n1,1,1,1\n", {"limit": -1}, "limit"),
])
def test_csv_rejects(tmp_path, text, kwargs, message):
    kwargs.setdefault("rng", rng())
    with pytest.raises(ValueError, match=message):
        traces.read_csv(write(tmp_path, "bad.csv", text), **kwargs)


# -- SWF --------------------------------------------------------------------------

SWF = """\
; Version: 2.2
; Computer: test cluster
; MaxProcs: 64
;
1 100 5 3600 4 -1 -1 4 7200 1048576 1 1 1 1 1 1 -1 -1
2 50 0 -1 -1 -1 -1 2 1800 -1 0 2 1 1 1 1 -1 -1

3 200 0 -1 0 -1 -1 0 -1 -1 5 3 1 1 1 1 -1 -1
4 300 1 60 1 12.5 524288 -1 -1 -1 1 1 1 1 1 1 -1 -1
5 400 0 -1 8 -1 -1 8 -1 -1 0 1 1 1 1 1 -1 -1
"""


def test_swf(tmp_path):
    path = write(tmp_path, "t.swf", SWF)
    w = traces.read_swf(path)
    # Job 2 (run time from the request, 2 requested processors, default
    # memory per processor), job 1, job 4; job 3 was cancelled with 0
    # processors and job 5 has no run or requested time.
    assert w.arrival_s.tolist() == [0, 50, 250]
    assert w.lifetime_s.tolist() == [1800, 3600, 60]
    assert w.vcpus.tolist() == [2, 4, 1]
    assert w.ram_mb.tolist() == [2 * 2048, 4 * 1024, 512]
    assert w.request.tolist() == [0, 1, 2]
    fixed = traces.read_swf(path, ram_per_cpu_mb=1000, default_disk_gb=5)
    assert fixed.ram_mb.tolist() == [2000, 4000, 1000] and fixed.disk_gb.tolist() == [5, 5, 5]
    assert traces.read_swf(path, default_ram_mb=100).ram_mb[0] == 200
    assert len(traces.read_swf(path, limit=2)) == 2


def test_swf_only_comments(tmp_path):
    assert len(traces.read_swf(write(tmp_path, "c.swf", "; nothing yet\n;\n"))) == 0
    assert len(traces.read_swf(write(tmp_path, "t.swf", SWF), limit=0)) == 0


def test_swf_rejects_wrong_field_count(tmp_path):
    with pytest.raises(ValueError, match="18 fields"):
        traces.read_swf(write(tmp_path, "bad.swf", "; c\n1 2 3 4\n"))


# -- events -----------------------------------------------------------------------

EVENTS = [
    ("a", 2, 4, 100, 0),
    ("b", 1, 2, 150, 0),
    ("z", 4, 8, 160, 1),  # deletion of a VM created before the log
    ("a", 2, 4, 400, 1),
    ("c", 8, 16, 500, 0),
    ("b", 1, 2, 700, 1),
]


def events_text(header, kinds=None):
    lines = ["vmid,cpu,memory,time,type"] if header else []
    for i, (vm, cpu, mem, t, kind) in enumerate(EVENTS):
        lines.append(f"{vm},{cpu},{mem},{t},{kinds[i] if kinds else kind}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("kinds", [None, ["create", "Create", "DELETE", "delete", "CREATE", "Delete"]])
def test_events(tmp_path, header, kinds, caplog):
    path = write(tmp_path, "ev.csv", events_text(header, kinds))
    with caplog.at_level(logging.INFO, logger="novalite_sim.traces"):
        w = traces.read_events(path)
    assert w.arrival_s.tolist() == [0, 50, 400]
    assert w.lifetime_s.tolist() == [300, 550, INF]
    assert w.vcpus.tolist() == [2, 1, 8]
    assert w.ram_mb.tolist() == [4096, 2048, 16384]
    assert "ignored 1 deletions" in caplog.text


def test_events_columns_units_and_reuse(tmp_path):
    text = "t,kind,id,cores,mem\n0,0,7,1,512\n10,1,7,1,512\n20,0,7,1,512\n30,0,8,2,1024\n"
    cols = {"time": "t", "type": "kind", "vmid": "id", "cpu": "cores", "memory": "mem"}
    w = traces.read_events(write(tmp_path, "e.csv", text), columns=cols, memory_unit="MB")
    # vm 7 is created, deleted and created again: the second life is censored.
    assert w.arrival_s.tolist() == [0, 20, 30]
    assert w.lifetime_s.tolist() == [10, INF, INF]
    assert w.ram_mb.tolist() == [512, 512, 1024]
    positional = traces.read_events(write(tmp_path, "p.csv", "0,0,7,1,512\n10,1,7,1,512\n"), memory_unit="MB",
                                    columns={"time": 0, "type": 1, "vmid": 2, "cpu": 3, "memory": 4})
    assert positional.lifetime_s.tolist() == [10]


def test_events_rejects(tmp_path):
    with pytest.raises(ValueError, match="'resize'"):
        traces.read_events(write(tmp_path, "e.csv", "a,1,1,0,resize\n"))
    with pytest.raises(ValueError, match="'flavor'"):
        traces.read_events(write(tmp_path, "e.csv", "a,1,1,0,0\n"), columns={"flavor": 3})
    with pytest.raises(ValueError, match="memory_unit"):
        traces.read_events(write(tmp_path, "e.csv", "a,1,1,0,0\n"), memory_unit="pages")


# -- load -------------------------------------------------------------------------


def test_load_resolves_and_transforms(tmp_path, azure):
    spec = {"format": "csv", "path": "azure.csv", "lifetimes": "midpoint", "default_disk_gb": 20,
            "start_s": 300, "duration_s": 600, "time_compression": 2, "replicate": 3}
    w = traces.load(spec, rng=rng(), base_dir=tmp_path)
    assert w.num_requests == 9 and len(w) == 12
    assert set(w.arrival_s.tolist()) == {0.0}
    assert set(w.disk_gb.tolist()) == {20}
    swf = traces.load({"format": "swf", "path": str(write(tmp_path, "t.swf", SWF)), "time_compression": 50},
                      rng=rng(), base_dir="/nonexistent")
    assert swf.arrival_s.tolist() == [0, 1, 5]
    ev = traces.load({"format": "events", "path": "ev.csv", "limit": 2},
                     rng=rng(), base_dir=os.fspath(write(tmp_path, "ev.csv", events_text(True)).parent))
    assert len(ev) == 2


@pytest.mark.parametrize("spec, key", [
    ({"format": "csv", "path": "azure.csv", "colour": 1}, "'colour'"),
    ({"format": "swf", "path": "azure.csv", "lifetimes": "sample"}, "'lifetimes'"),
    ({"format": "parquet", "path": "azure.csv"}, "format"),
    ({"format": "csv"}, "path"),
    ({"format": "csv", "path": "azure.csv", "replicate": 0}, "replicate"),
    ({"format": "csv", "path": "azure.csv", "replicate": 2.5}, "replicate"),
    ({"format": "csv", "path": "azure.csv", "time_compression": -1}, "time_compression"),
    ({"format": "csv", "path": "azure.csv", "start_s": "soon"}, "start_s"),
    ({"format": "csv", "path": "azure.csv", "duration_s": 0}, "duration_s"),
    ({"format": "csv", "path": "azure.csv", "batches": "yes"}, "batches"),
    ({"format": "csv", "path": "azure.csv", "limit": 1.5}, "limit"),
])
def test_load_rejects(tmp_path, azure, spec, key):
    with pytest.raises(ValueError, match=key):
        traces.load(spec, rng=rng(), base_dir=tmp_path)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        traces.load({"format": "csv", "path": "missing.csv"}, rng=rng(), base_dir=tmp_path)


# -- the real Azure trace ---------------------------------------------------------

# The repo is checked out as X/main with the traces in X/shared.
AZURE_TRACE = pathlib.Path(__file__).resolve().parents[3] / "shared" / "traces" / "azure_v1_test.csv"


def test_real_azure_trace():
    if not AZURE_TRACE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AZURE_TRACE} is missing under CI")
        pytest.skip(f"real trace not found at {AZURE_TRACE}")
    w = traces.read_csv(AZURE_TRACE, rng=rng(0))
    assert len(w) == 410_276
    assert int(np.isinf(w.lifetime_s).sum()) == 23_311
    assert w.arrival_s[0] == 0 and w.duration_s == 2_591_100 - 2_100_000
    # 82,946 (bucket, batch id) groups; splitting mixed-flavor batches
    # gives 92,800 single-flavor multi-create requests.
    assert w.num_requests == 92_800
    assert w.batch_sizes.max() <= 1_404
