"""Weighers: raw values from plugins, normalisation and multipliers in the engine."""

import pytest

from novalite.objects import RequestSpec
from novalite.scheduler import engine
from novalite.scheduler import interfaces
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.weighers.ram import RAMWeigher


SPEC = RequestSpec(flavor={'memory_mb': 1, 'vcpus': 1})


def states(*free_ram):
    return [HostState('host%d' % i, 'node%d' % i, free_ram_mb=r)
            for i, r in enumerate(free_ram, 1)]


@pytest.mark.parametrize('free_ram', [
    (1024, 2048, 512),
    (0, 0),
    (-100, 300),   # oversubscribed hosts go negative
    (7,),
])
def test_ram_weigher_raw_values(conf, free_ram):
    w = RAMWeigher(conf)
    hs = states(*free_ram)
    cycle = interfaces.CycleState()
    assert w.weigh_all(hs, SPEC, cycle) == list(free_ram)
    assert [w.weigh(h, SPEC, cycle) for h in hs] == list(free_ram)
    assert w.default_multiplier == 1.0


class Fixed(interfaces.BaseWeigher):
    """Scores from a table, for checking the engine's maths."""

    def __init__(self, conf, scores, minval=None, maxval=None):
        super().__init__(conf)
        self.scores, self.minval, self.maxval = scores, minval, maxval

    def weigh(self, host_state, spec, cycle_state):
        return self.scores[host_state.host]


def chosen(weighers, free_ram, multipliers=None):
    eng = engine.Engine([], weighers, multipliers=multipliers)
    [sel] = eng.select_destinations(states(*free_ram), RequestSpec(flavor={'memory_mb': 0,
                                                                           'vcpus': 0}))
    return sel


@pytest.mark.parametrize('free_ram, multiplier, host, weight', [
    ((1000, 3000, 2000), 1.0, 'host2', 1.0),       # spread
    ((1000, 3000, 2000), -1.0, 'host1', 0.0),      # pack: -1 * 0 for the fullest
    ((1000, 3000, 2000), 2.5, 'host2', 2.5),
    ((1000, 1000), 1.0, 'host1', 0.0),             # all equal -> 0, first wins
    ((1000, 3000), 0.0, 'host1', 0.0),             # multiplier 0 switches it off
])
def test_ram_weigher_in_engine(conf, free_ram, multiplier, host, weight):
    sel = chosen([RAMWeigher(conf)], free_ram, {'RAMWeigher': multiplier})
    assert (sel.host, sel.weight) == (host, weight)


def test_normalised_per_weigher_then_summed(conf):
    # Raw ranges differ by 1000x; normalisation makes them count equally.
    a = Fixed(conf, {'host1': 0, 'host2': 1000, 'host3': 400})
    b = Fixed(conf, {'host1': 1, 'host2': 0, 'host3': 0.9})
    a.name, b.name = 'A', 'B'
    sel = chosen([a, b], (0, 0, 0))
    assert sel.host == 'host3'                      # 0.4 + 0.9 > 1.0 + 0
    assert sel.weight == pytest.approx(1.3)
    assert sel.explanation.weights == {'A': pytest.approx(0.4), 'B': pytest.approx(0.9)}
    assert sel.explanation.multipliers == {'A': 1.0, 'B': 1.0}


def test_fixed_bounds(conf):
    w = Fixed(conf, {'host1': 10, 'host2': 20}, minval=0, maxval=100)
    sel = chosen([w], (0, 0))
    assert sel.host == 'host2'
    assert sel.weight == pytest.approx(0.2)


def test_no_weighers(conf):
    sel = chosen([], (5, 10))
    assert (sel.host, sel.weight) == ('host1', 0.0)
