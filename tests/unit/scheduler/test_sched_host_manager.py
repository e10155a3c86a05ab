"""HostManager: caching host states across updates, AZs, liveness."""

import datetime

import pytest

from novalite.objects import ComputeNode
from novalite.objects import RequestSpec
from novalite.objects import Service
from novalite.scheduler.host_manager import HostManager

T0 = datetime.datetime(2015, 4, 30, 12, 0, 0)


def node(host, nodename=None, updated_at=T0, **kwargs):
    values = dict(vcpus=4, memory_mb=8192, local_gb=100, free_ram_mb=8192,
                  free_disk_gb=100, updated_at=updated_at)
    values.update(kwargs)
    return ComputeNode(host=host, hypervisor_hostname=nodename or host, **values)


def service(host, updated_at=T0, **kwargs):
    return Service(host=host, binary='novalite-compute', topic='compute',
                   updated_at=updated_at, **kwargs)


def test_states_keyed_by_host_and_node(conf):
    hm = HostManager(conf)
    hm.update_nodes([node('h1', 'n1'), node('h1', 'n2'), node('h2')],
                    {'h1': service('h1'), 'h2': service('h2')}, now=T0)
    keys = sorted((s.host, s.nodename) for s in hm.get_all_host_states())
    assert keys == [('h1', 'n1'), ('h1', 'n2'), ('h2', 'h2')]
    assert hm.get_host_state('h1', 'n2').free_ram_mb == 8192
    assert hm.get_host_state('h3', 'h3') is None


def test_states_are_reused_not_rebuilt(conf):
    hm = HostManager(conf)
    services = {'h1': service('h1')}
    hm.update_nodes([node('h1')], services, now=T0)
    first = hm.get_host_state('h1', 'h1')
    first.consume_from_request(RequestSpec(flavor={'memory_mb': 1024, 'vcpus': 1}),
                               now=T0 + datetime.timedelta(seconds=1))
    # The same (older) DB row again: the consumption survives on the same object.
    hm.update_nodes([node('h1')], services, now=T0 + datetime.timedelta(seconds=2))
    assert hm.get_host_state('h1', 'h1') is first
    assert first.free_ram_mb == 8192 - 1024


def test_full_update_drops_missing_nodes(conf):
    hm = HostManager(conf)
    services = {'h1': service('h1'), 'h2': service('h2')}
    hm.update_nodes([node('h1'), node('h2')], services, now=T0)
    hm.update_nodes([node('h1')], services, now=T0, full=False)
    assert len(hm.get_all_host_states()) == 2
    hm.update_nodes([node('h1')], services, now=T0)
    assert [s.host for s in hm.get_all_host_states()] == ['h1']


def test_node_without_service_is_skipped(conf):
    hm = HostManager(conf)
    hm.update_nodes([node('h1'), node('h2')], {'h1': service('h1')}, now=T0)
    assert [s.host for s in hm.get_all_host_states()] == ['h1']


def test_default_ratios_from_conf(conf):
    conf.set_override('ram_allocation_ratio', 1.0)
    hm = HostManager(conf)
    hm.update_nodes([node('h1'), node('h2', cpu_allocation_ratio=2.0)],
                    {'h1': service('h1'), 'h2': service('h2')}, now=T0)
    h1, h2 = hm.get_host_state('h1', 'h1'), hm.get_host_state('h2', 'h2')
    assert (h1.ram_allocation_ratio, h1.cpu_allocation_ratio) == (1.0, 16.0)
    assert h2.cpu_allocation_ratio == 2.0


@pytest.mark.parametrize('svc, now, is_up', [
    ({'updated_at': T0}, T0 + datetime.timedelta(seconds=60), True),
    ({'updated_at': T0}, T0 + datetime.timedelta(seconds=61), False),
    ({'updated_at': T0, 'last_seen_up': T0 + datetime.timedelta(seconds=50)},
     T0 + datetime.timedelta(seconds=100), True),
    ({'updated_at': T0, 'forced_down': True}, T0, False),
    ({'updated_at': None}, T0, False),
    ({'updated_at': T0, 'is_up': True}, T0 + datetime.timedelta(days=1), True),  # given
    ({'updated_at': '2015-04-30T12:00:00.000000'}, T0, True),  # as it travels over RPC
])
def test_liveness(conf, svc, now, is_up):
    hm = HostManager(conf)
    record = dict(host='h1', binary='novalite-compute', topic='compute', **svc)
    hm.update_nodes([node('h1')], {'h1': record}, now=now)
    assert hm.get_host_state('h1', 'h1').service['is_up'] is is_up


def test_availability_zone_from_aggregates(conf):
    hm = HostManager(conf)
    services = {h: service(h) for h in ('h1', 'h2', 'h3')}
    nodes = [node('h1'), node('h2'), node('h3')]
    aggs = {'h1': [{'name': 'agg1', 'metadata': {'availability_zone': 'az1'}}],
            'h2': [{'name': 'agg2', 'metadata': {'ssd': 'true'}}]}
    hm.update_nodes(nodes, services, aggregates_by_host=aggs, now=T0)
    zones = {s.host: s.availability_zone for s in hm.get_all_host_states()}
    assert zones == {'h1': 'az1', 'h2': 'nova', 'h3': 'nova'}
    assert hm.get_host_state('h2', 'h2').aggregates == aggs['h2']
    # No aggregate map given: the last one stays.
    hm.update_nodes(nodes, services, now=T0)
    assert hm.get_host_state('h1', 'h1').availability_zone == 'az1'
    # A new map applies to every host.
    hm.update_nodes(nodes, services, aggregates_by_host={}, now=T0)
    assert hm.get_host_state('h1', 'h1').availability_zone == 'nova'


def test_default_availability_zone_option(conf):
    conf.set_override('default_availability_zone', 'zone0')
    hm = HostManager(conf)
    hm.update_nodes([node('h1')], {'h1': service('h1')}, now=T0)
    assert hm.get_host_state('h1', 'h1').availability_zone == 'zone0'
