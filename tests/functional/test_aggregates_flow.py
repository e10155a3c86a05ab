"""Aggregates and availability zones end to end: the scheduler sees a zone made by the API.

In process over the in-process transport (real conductor, scheduler and
computes), then with openstacksdk, unmodified, against novalite-all.
"""

import openstack
import pytest

import nltest
from novalite import exception
from novalite.cmd.all import AllInOne
from novalite.compute import aggregates as compute_aggregates
from novalite.compute import states


@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(nltest.make_conf(tmp_path)).start()
    yield cloud
    cloud.stop()


def _scheduler(cloud):
    [manager] = cloud.services[1].endpoints
    return manager


def test_boot_into_an_aggregate_zone(cloud):
    aggregates = compute_aggregates.AggregateAPI(cloud.conf, cloud.db)
    # every request re-reads services, nodes and (if changed) aggregates
    _scheduler(cloud).SERVICE_REFRESH = 0.0
    # a first boot warms the scheduler's cache while no aggregate exists
    first = cloud.wait_state(cloud.boot(name='warm')[0].uuid, states.ACTIVE)
    assert first.host in ('compute1', 'compute2', 'compute3', 'compute4')

    agg = aggregates.create(cloud.admin, 'fast', availability_zone='az1')
    aggregates.add_host(cloud.admin, agg.id, 'compute3')
    placed = [cloud.wait_state(i.uuid, states.ACTIVE)
              for i in cloud.boot(count=3, name='in-az1', availability_zone='az1')]
    assert {i.host for i in placed} == {'compute3'}
    assert {i.availability_zone for i in placed} == {'az1'}

    # the default zone no longer holds compute3
    others = [cloud.wait_state(i.uuid, states.ACTIVE)
              for i in cloud.boot(count=3, name='in-nova', availability_zone='nova')]
    assert 'compute3' not in {i.host for i in others}

    # a zone nobody has is refused before anything is written
    with pytest.raises(exception.Invalid) as err:
        cloud.boot(name='nowhere', availability_zone='az-unknown')
    assert err.value.code == 400
    assert str(err.value) == 'The requested availability zone is not available'


def test_scheduler_rereads_aggregates_only_when_they_change(cloud):
    scheduler = _scheduler(cloud)
    scheduler.SERVICE_REFRESH = 0.0
    reads = []
    original = cloud.db.aggregates_by_host

    def counting():
        reads.append(1)
        return original()

    cloud.db.aggregates_by_host = counting
    cloud.wait_state(cloud.boot(name='a')[0].uuid, states.ACTIVE)
    cloud.wait_state(cloud.boot(name='b')[0].uuid, states.ACTIVE)
    assert len(reads) == 1
    aggregates = compute_aggregates.AggregateAPI(cloud.conf, cloud.db)
    agg = aggregates.create(cloud.admin, 'ssd')
    aggregates.update_metadata(cloud.admin, agg.id, {'ssd': 'true'})
    aggregates.add_host(cloud.admin, agg.id, 'compute1')
    cloud.wait_state(cloud.boot(name='c')[0].uuid, states.ACTIVE)
    assert len(reads) == 2
    state = scheduler.host_manager.get_host_state('compute1', 'compute1')
    assert [a['name'] for a in state.aggregates] == ['ssd']
    assert state.aggregates[0]['metadata'] == {'ssd': 'true'}
    assert state.availability_zone == 'nova'


# -- openstacksdk ---------------------------------------------------------------------------

@pytest.fixture(scope='module')
def endpoint(tmp_path_factory):
    port = nltest.free_port()
    conf = nltest.make_conf(tmp_path_factory.mktemp('aggregates'),
                            api__osapi_compute_listen_port=port)
    deployment = AllInOne(conf, fake_computes=2)
    deployment.start()
    yield 'http://127.0.0.1:%d/v2.1' % port
    deployment.stop()


@pytest.mark.filterwarnings('ignore::DeprecationWarning', 'ignore::PendingDeprecationWarning')
def test_openstacksdk_aggregates_and_zones(endpoint):
    # noauth2: the token names user and project; "admin" is an administrator
    conn = openstack.connect(auth_type='admin_token', load_yaml_config=False,
                             load_envvars=False,
                             auth={'token': 'admin:admin', 'endpoint': endpoint},
                             compute_endpoint_override=endpoint)
    compute = conn.compute
    agg = compute.create_aggregate(name='sdk-agg', availability_zone='sdk-az')
    assert agg.name == 'sdk-agg' and agg.availability_zone == 'sdk-az' and agg.uuid
    agg = compute.add_host_to_aggregate(agg, 'compute1')
    assert agg.hosts == ['compute1']
    agg = compute.set_aggregate_metadata(agg, {'ssd': 'true'})
    assert agg.metadata == {'availability_zone': 'sdk-az', 'ssd': 'true'}
    assert [a.name for a in compute.aggregates()] == ['sdk-agg']
    assert compute.get_aggregate(agg.id).hosts == ['compute1']

    zones = {z.name: z for z in compute.availability_zones()}
    assert set(zones) == {'sdk-az', 'nova'}
    assert zones['sdk-az'].state == {'available': True}
    detail = {z.name: z for z in compute.availability_zones(details=True)}
    assert set(detail['sdk-az'].hosts) == {'compute1'}
    assert 'internal' in detail

    image = next(iter(compute.images()))
    server = compute.create_server(name='in-zone', image_id=image.id, flavor_id='1',
                                   networks='none', availability_zone='sdk-az')
    server = compute.wait_for_server(server, status='ACTIVE', interval=0.05, wait=30)
    assert server.compute_host == 'compute1'
    compute.delete_server(server)
    compute.wait_for_delete(server, interval=0.05, wait=30)

    with pytest.raises(openstack.exceptions.BadRequestException,
                       match='The requested availability zone is not available'):
        compute.create_server(name='nowhere', image_id=image.id, flavor_id='1',
                              networks='none', availability_zone='no-such-az')

    compute.remove_host_from_aggregate(agg, 'compute1')
    compute.delete_aggregate(agg, ignore_missing=False)
    assert list(compute.aggregates()) == []
