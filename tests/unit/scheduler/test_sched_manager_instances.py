"""SchedulerManager: where referenced servers are, per request, without accumulating uuids."""

import pytest

from novalite import exception
from novalite.objects import ComputeNode
from novalite.objects import RequestSpec
from novalite.objects import Service
from novalite.scheduler import interfaces
from novalite.scheduler import manager as sched_manager
from novalite.scheduler.engine import Engine
from novalite.utils import utcnow


class StubDB:
    """The three queries the scheduler makes, over in-memory rows."""

    def __init__(self, hosts):
        now = utcnow()
        self.services = [Service(host=h, binary='novalite-compute', topic='compute',
                                 last_seen_up=now, updated_at=now) for h in hosts]
        self.nodes = [ComputeNode(host=h, hypervisor_hostname=h, vcpus=8, memory_mb=8192,
                                  local_gb=100, free_ram_mb=8192, free_disk_gb=100,
                                  updated_at=now) for h in hosts]
        self.locations = {}
        self.location_queries = []

    def service_get_all(self, binary=None, host=None):
        return list(self.services)

    def compute_node_get_all(self, updated_since=None):
        return list(self.nodes)

    def aggregates_signature(self):
        return (0, None)

    def aggregates_by_host(self):
        return {}

    def instance_get_locations(self, uuids):
        self.location_queries.append(sorted(uuids))
        return {u: self.locations[u] for u in uuids if u in self.locations}


class DifferentHost(interfaces.BaseFilter):
    """Test filter: hosts without any of the different_host uuids."""

    def host_passes(self, host_state, spec, cycle_state):
        named = spec.scheduler_hints.get('different_host', ())
        return not set([named] if isinstance(named, str) else named) & host_state.instances


class SeenInstances(interfaces.BaseWeigher):
    """Test weigher recording what host_state.instances held during the request."""

    def __init__(self, conf):
        super().__init__(conf)
        self.seen = {}

    def weigh(self, host_state, spec, cycle_state):
        self.seen[host_state.host] = set(host_state.instances)
        return 0


@pytest.fixture
def manager(conf):
    db = StubDB(['h1', 'h2', 'h3'])
    weigher = SeenInstances(conf)
    engine = Engine([DifferentHost(conf)], [weigher])
    mgr = sched_manager.SchedulerManager(conf, db, engine=engine)
    mgr.weigher = weigher
    return mgr


def spec(uuid, **kwargs):
    return RequestSpec(flavor={'memory_mb': 512, 'vcpus': 1, 'root_gb': 1},
                       instance_uuids=[uuid], **kwargs).to_dict()


def test_plain_request_asks_nothing_and_leaves_no_uuid(manager):
    [sel] = manager.select_destinations(None, spec('u1'))
    assert manager.db.location_queries == []
    for state in manager.host_manager.get_all_host_states():
        assert state.instances == set()
    assert manager._recent['u1'][0] == (sel['host'], sel['nodename'])


def test_referenced_servers_are_noted_for_the_request_only(manager):
    manager.db.locations = {'a': ('h1', 'h1'), 'b': ('h2', 'h2')}
    [sel] = manager.select_destinations(None, spec('u2', scheduler_hints={'different_host': ['a', 'b']}))
    assert sel['host'] == 'h3'
    assert manager.db.location_queries == [['a', 'b']]
    assert manager.weigher.seen['h3'] == set()
    for state in manager.host_manager.get_all_host_states():
        assert state.instances == set()


def test_group_members_the_database_does_not_show_yet_come_from_recent_placements(manager):
    [first] = manager.select_destinations(None, spec('m1'))
    group = {'uuid': 'g', 'policy': 'anti-affinity', 'members': ['m1', 'm2'], 'hosts': []}
    manager.select_destinations(None, spec('m2', instance_group=group,
                                           scheduler_hints={'different_host': 'm1'}))
    # The database knew nothing of m1; the scheduler's own placement was used.
    assert manager.db.location_queries == [['m1']]
    assert manager._recent['m2'][0][0] != first['host']


def test_failed_request_leaves_no_uuid(manager):
    manager.db.locations = {'a': ('h1', 'h1'), 'b': ('h2', 'h2'), 'c': ('h3', 'h3')}
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, spec('u3', scheduler_hints={'different_host': ['a', 'b', 'c']}))
    for state in manager.host_manager.get_all_host_states():
        assert state.instances == set()
    assert 'u3' not in manager._recent


def test_referenced_instances():
    s = RequestSpec(flavor={}, instance_uuids=['new'],
                    scheduler_hints={'same_host': 'a', 'different_host': ['b', 'c'], 'query': '[]'},
                    instance_group={'members': ['d', 'new']})
    assert sched_manager.referenced_instances(s) == ['a', 'b', 'c', 'd']
