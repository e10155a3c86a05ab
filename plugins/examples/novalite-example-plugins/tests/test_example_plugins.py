"""Unit tests of the example plugins, the way an out-of-tree package tests its own.

Run after installing the package (``pip install -e .``) with ``pytest tests``.
The plugins are constructed directly with a private ConfigOpts, so these tests
do not depend on which entry points are installed.
"""

import pytest
from oslo_config import cfg

from novalite import plugin
from novalite.objects import RequestSpec
from novalite.scheduler import interfaces
from novalite.scheduler.host_state import HostState
from novalite_example_plugins import host_name_prefix
from novalite_example_plugins import instance_count


def make_conf(**overrides):
    conf = cfg.ConfigOpts()
    host_name_prefix.HostNamePrefixFilter.register_opts(conf)
    conf([], default_config_files=[])
    for name, value in overrides.items():
        conf.set_override(name, value, group=host_name_prefix.GROUP)
    return conf


def spec(**kwargs):
    return RequestSpec(flavor={'memory_mb': 512, 'vcpus': 1, 'root_gb': 1}, **kwargs)


@pytest.mark.parametrize('prefixes, hints, host, passes', [
    ([], {}, 'anything', True),
    (['rack1-'], {}, 'rack1-node3', True),
    (['rack1-'], {}, 'rack2-node3', False),
    (['rack1-', 'rack2-'], {}, 'rack2-node3', True),
    (['rack1-'], {'host_prefix': 'rack2-'}, 'rack2-node3', True),     # the hint wins
    (['rack1-'], {'host_prefix': 'rack2-'}, 'rack1-node3', False),
    ([], {'host_prefix': ['gpu-', 'big-']}, 'big-7', True),
    ([], {'host_prefix': ''}, 'anything', True),                     # empty hint: ignored
])
def test_host_name_prefix_filter(prefixes, hints, host, passes):
    filt = plugin.instantiate(host_name_prefix.HostNamePrefixFilter,
                              make_conf(host_prefix=prefixes))
    request = spec(scheduler_hints=hints)
    cycle = interfaces.CycleState()
    filt.prepare(request, cycle)
    state = HostState(host, host)
    assert filt.host_passes(state, request, cycle) is passes
    assert filt.filter_all([state], request, cycle) == [passes]
    if not passes:
        assert 'does not start with' in filt.reject_reason(state, request, cycle)


def test_instance_count_weigher_raw_counts():
    weigher = instance_count.InstanceCountWeigher(make_conf())
    hosts = [HostState('h%d' % n, 'h%d' % n, num_instances=n) for n in (3, 0, 7)]
    assert weigher.weigh_all(hosts, spec(), interfaces.CycleState()) == [3, 0, 7]
    assert weigher.default_multiplier < 0   # fewer instances is better
