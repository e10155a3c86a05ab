"""Server groups and placement hints end to end: API layer -> conductor -> scheduler -> computes.

Four fake compute hosts in this process; the server-group and same/different
host filters enabled.  Servers booted one after another wait for ACTIVE, so
each placement sees the hosts of the ones before.
"""

import openstack
import pytest

import nltest
from novalite.cmd.all import AllInOne
from novalite.compute import states

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning',
                                        'ignore::PendingDeprecationWarning')

FILTERS = ['ComputeFilter', 'RamFilter', 'CoreFilter', 'DiskFilter', 'RetryFilter',
           'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter', 'SameHostFilter',
           'DifferentHostFilter']
HOSTS = {'compute1', 'compute2', 'compute3', 'compute4'}


def _configure(conf, filters=FILTERS, weighers=None, multipliers=None):
    conf.set_override('enabled_filters', filters, group='filter_scheduler')
    if weighers is not None:
        conf.set_override('weight_classes', weighers, group='filter_scheduler')
    if multipliers is not None:
        conf.set_override('weight_multipliers', multipliers, group='filter_scheduler')
    return conf


@pytest.fixture
def make_cloud(tmp_path):
    clouds = []

    def make(**kwargs):
        conf = _configure(nltest.make_conf(tmp_path / str(len(clouds))), **kwargs)
        cloud = nltest.Cloud(conf).start()
        clouds.append(cloud)
        return cloud
    yield make
    for cloud in clouds:
        cloud.stop()


def _group(cloud, policy, rules=None):
    return cloud.api.server_groups.create(cloud.ctx, 'g-' + policy, policy, rules)


def _boot_active(cloud, hints=None, count=1):
    instances = cloud.boot(count=count, scheduler_hints=hints or {})
    return [cloud.wait_state(i.uuid, states.ACTIVE) for i in instances]


def _boot_error(cloud, hints):
    instance = cloud.boot(scheduler_hints=hints)[0]
    instance = cloud.wait_state(instance.uuid, states.ERROR)
    return instance, cloud.db.instance_fault_get_latest([instance.uuid])[instance.uuid]


def test_anti_affinity_one_per_host_then_no_valid_host(make_cloud):
    cloud = make_cloud()
    group = _group(cloud, 'anti-affinity')
    hosts = [_boot_active(cloud, {'group': group.uuid})[0].host for _ in range(4)]
    assert set(hosts) == HOSTS
    instance, fault = _boot_error(cloud, {'group': group.uuid})
    assert instance.host is None
    assert 'No valid host was found' in fault['message']
    assert 'ServerGroupAntiAffinityFilter' in fault['details']
    # the failed server is still a member (as Nova); deleting it frees nothing else
    assert len(cloud.db.instance_group_members(group.uuid)) == 5


def test_deleted_member_frees_its_host(make_cloud):
    cloud = make_cloud()
    group = _group(cloud, 'anti-affinity')
    servers = [_boot_active(cloud, {'group': group.uuid})[0] for _ in range(4)]
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, servers[0].uuid))
    cloud.wait_deleted(servers[0].uuid)
    assert servers[0].uuid not in cloud.db.instance_group_members(group.uuid)
    assert _boot_active(cloud, {'group': group.uuid})[0].host == servers[0].host


def test_affinity_keeps_every_member_on_one_host(make_cloud):
    cloud = make_cloud()
    group = _group(cloud, 'affinity')
    first = _boot_active(cloud, {'group': group.uuid})[0]
    later = [_boot_active(cloud, {'group': group.uuid})[0] for _ in range(2)]
    batch = _boot_active(cloud, {'group': group.uuid}, count=2)
    assert {s.host for s in later + batch} == {first.host}


def test_multi_create_with_anti_affinity_spreads(make_cloud):
    cloud = make_cloud()
    group = _group(cloud, 'anti-affinity')
    servers = _boot_active(cloud, {'group': group.uuid}, count=3)
    assert len({s.host for s in servers}) == 3
    assert set(cloud.db.instance_group_members(group.uuid)) == {s.uuid for s in servers}


def test_max_server_per_host(make_cloud):
    cloud = make_cloud()
    group = _group(cloud, 'anti-affinity', {'max_server_per_host': 2})
    servers = _boot_active(cloud, {'group': group.uuid}, count=8)
    per_host = {}
    for server in servers:
        per_host[server.host] = per_host.get(server.host, 0) + 1
    assert per_host == {host: 2 for host in HOSTS}
    _, fault = _boot_error(cloud, {'group': group.uuid})
    assert 'ServerGroupAntiAffinityFilter' in fault['details']


def test_same_and_different_host_hints(make_cloud):
    # RAMWeigher packs, so without a hint every server lands where the first is.
    cloud = make_cloud(multipliers={'RAMWeigher': -1.0})
    first = _boot_active(cloud)[0]
    assert _boot_active(cloud)[0].host == first.host
    away = _boot_active(cloud, {'different_host': [first.uuid]})[0]
    assert away.host != first.host
    near = _boot_active(cloud, {'same_host': away.uuid})[0]
    assert near.host == away.host
    both = _boot_active(cloud, {'different_host': [first.uuid, away.uuid]})[0]
    assert both.host not in (first.host, away.host)


def test_soft_anti_affinity_spreads_with_its_weigher(make_cloud):
    # packing RAM weigher outweighed by the soft anti-affinity weigher
    cloud = make_cloud(weighers=['RAMWeigher', 'ServerGroupSoftAntiAffinityWeigher'],
                       multipliers={'RAMWeigher': -1.0,
                                    'ServerGroupSoftAntiAffinityWeigher': 10.0})
    group = _group(cloud, 'soft-anti-affinity')
    hosts = [_boot_active(cloud, {'group': group.uuid})[0].host for _ in range(4)]
    assert set(hosts) == HOSTS
    # soft: a fifth member still finds a host
    assert _boot_active(cloud, {'group': group.uuid})[0].host in HOSTS


def test_policy_without_its_filter_fails_the_build(make_cloud):
    cloud = make_cloud(filters=['ComputeFilter', 'RamFilter'])
    group = _group(cloud, 'affinity')
    _, fault = _boot_error(cloud, {'group': group.uuid})
    assert 'ServerGroupAffinityFilter not configured' in fault['message']


# -- a real client -------------------------------------------------------------------------

@pytest.fixture(scope='module')
def endpoint(tmp_path_factory):
    port = nltest.free_port()
    conf = _configure(nltest.make_conf(tmp_path_factory.mktemp('groups-allinone'),
                                       api__osapi_compute_listen_port=port))
    deployment = AllInOne(conf, fake_computes=4)
    deployment.start()
    yield 'http://127.0.0.1:%d/v2.1' % port
    deployment.stop()


def test_openstacksdk_boots_into_an_anti_affinity_group(endpoint):
    conn = openstack.connect(auth_type='none', compute_endpoint_override=endpoint)
    compute = conn.compute
    group = compute.create_server_group(name='sdk-group', policy='anti-affinity')
    assert group.policy == 'anti-affinity' and group.rules == {}
    image = next(iter(compute.images()))
    servers = [compute.create_server(name='sdk-g%d' % i, image_id=image.id, flavor_id='1',
                                     networks='none', scheduler_hints={'group': group.id})
               for i in range(2)]
    servers = [nltest.wait_for(
        lambda s=s: (lambda got: got if got.status == 'ACTIVE' else None)(
            compute.get_server(s.id)), timeout=30, what='ACTIVE') for s in servers]
    assert sorted(compute.get_server_group(group.id).member_ids) == \
        sorted(s.id for s in servers)
    assert servers[0].host_id != servers[1].host_id  # hostId: per-project hash of the host
    assert group.id in [g.id for g in compute.server_groups()]
    for server in servers:
        compute.delete_server(server)
    for server in servers:
        compute.wait_for_delete(server, interval=0.05, wait=30)
    assert compute.get_server_group(group.id).member_ids == []
    compute.delete_server_group(group)
    assert group.id not in [g.id for g in compute.server_groups()]
