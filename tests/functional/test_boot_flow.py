"""The boot flow end to end, in process, over the in-process RPC transport.

Real conductor, scheduler and compute services; the fake virt driver with
failure injection for the reschedule paths.
"""

import pytest

import nltest
from novalite import exception
from novalite.compute import states


def _conf(tmp_path, **overrides):
    overrides.setdefault('oslo_messaging_notifications__driver', ['messaging'])
    return nltest.make_conf(tmp_path, **overrides)


@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(_conf(tmp_path)).start()
    yield cloud
    cloud.stop()




def test_multi_create_goes_active_and_spreads(cloud):
    instances = cloud.boot(count=3)
    assert [i.launch_index for i in instances] == [0, 1, 2]
    assert len({i.reservation_id for i in instances}) == 1
    active = [cloud.wait_state(i.uuid, states.ACTIVE) for i in instances]
    assert {i.power_state for i in active} == {states.RUNNING}
    assert all(i.launched_at is not None for i in active)
    # RAMWeigher spreads: three servers on three different hosts
    assert len({i.host for i in active}) == 3


def test_boot_walks_nova_task_states(cloud):
    seen = []
    conductor = cloud.services[0].endpoints[0]
    original = conductor.instance_update

    def spy(ctx, instance_uuid, updates, **kwargs):
        if 'task_state' in updates:
            seen.append(updates['task_state'])
        return original(ctx, instance_uuid, updates, **kwargs)

    conductor.instance_update = spy
    instance = cloud.boot()[0]
    cloud.wait_state(instance.uuid, states.ACTIVE)
    assert seen == [states.NETWORKING, states.BLOCK_DEVICE_MAPPING, states.SPAWNING, None]


def test_lifecycle_actions_and_usage(cloud):
    instance = cloud.boot(flavor_id='2')[0]
    instance = cloud.wait_state(instance.uuid, states.ACTIVE)

    def node_usage():
        node = [n for n in cloud.db.compute_node_get_all() if n.host == instance.host][0]
        return node.memory_mb_used, node.running_vms

    # usage reaches the database by a cast after the build: wait for it to land
    nltest.wait_for(lambda: node_usage() == (512 + 2048, 1), what='usage report')

    for action, vm_state, power in [
            (lambda i: cloud.api.reboot(cloud.ctx, i, 'SOFT'), states.ACTIVE, states.RUNNING),
            (lambda i: cloud.api.reboot(cloud.ctx, i, 'HARD'), states.ACTIVE, states.RUNNING),
            (lambda i: cloud.api.stop(cloud.ctx, i), states.STOPPED, states.SHUTDOWN),
            (lambda i: cloud.api.start(cloud.ctx, i), states.ACTIVE, states.RUNNING),
            (lambda i: cloud.api.pause(cloud.ctx, i), states.PAUSED, states.PAUSED_POWER),
            (lambda i: cloud.api.unpause(cloud.ctx, i), states.ACTIVE, states.RUNNING),
            (lambda i: cloud.api.suspend(cloud.ctx, i), states.SUSPENDED, states.SUSPENDED_POWER),
            (lambda i: cloud.api.resume(cloud.ctx, i), states.ACTIVE, states.RUNNING)]:
        action(cloud.api.get(cloud.ctx, instance.uuid))
        got = cloud.wait_state(instance.uuid, vm_state)
        assert got.power_state == power

    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
    cloud.wait_deleted(instance.uuid)
    assert instance.uuid not in cloud.drivers[instance.host].instances
    nltest.wait_for(lambda: node_usage() == (512, 0), what='usage after delete')


def test_wrong_state_is_refused(cloud):
    instance = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
    with pytest.raises(exception.InstanceInvalidState, match="Cannot 'start' instance .* "
                                                               "vm_state active"):
        cloud.api.start(cloud.ctx, instance)
    with pytest.raises(exception.InstanceInvalidState, match='unpause'):
        cloud.api.unpause(cloud.ctx, instance)


def test_no_valid_host_fault_names_the_filter(cloud):
    cloud.db.quota_set(cloud.ctx.project_id, 'ram', -1)
    cloud.db.flavor_create({'flavorid': '99', 'name': 'huge', 'memory_mb': 10 ** 7,
                            'vcpus': 1, 'root_gb': 1})
    instance = cloud.boot(flavor_id='99')[0]
    cloud.wait_state(instance.uuid, states.ERROR)
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert 'No valid host was found' in fault['message']
    assert 'RamFilter' in fault['message']


def test_reschedule_lands_on_another_host(tmp_path):
    # compute1 is the biggest, so RAMWeigher picks it first, and it always fails.
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', memory_mb=262144, spawn_failure_rate=1.0),
               'compute2': nltest.fake_driver(tmp_path, 'c2')}
    cloud = nltest.Cloud(_conf(tmp_path), hosts=('compute1', 'compute2'), drivers=drivers)
    cloud.start()
    try:
        instance = cloud.boot()[0]
        active = cloud.wait_state(instance.uuid, states.ACTIVE)
        assert active.host == 'compute2'
        assert drivers['compute1']._spawns == 1
        assert drivers['compute1'].instances == {}
        assert cloud.api.get_faults([instance.uuid]) == {}
    finally:
        cloud.stop()


def test_retries_exhausted_end_in_error_with_resources_released(tmp_path):
    drivers = {h: nltest.fake_driver(tmp_path, h, spawn_failure_rate=1.0)
               for h in ('compute1', 'compute2', 'compute3', 'compute4')}
    cloud = nltest.Cloud(_conf(tmp_path), drivers=drivers).start()
    try:
        instance = cloud.boot()[0]
        failed = cloud.wait_state(instance.uuid, states.ERROR)
        assert failed.host is None
        assert sum(d._spawns for d in drivers.values()) == cloud.conf.scheduler.max_attempts
        fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
        assert 'Exceeded maximum number of retries' in fault['message']
        assert 'injected spawn failure' in fault['message']
        trackers = [s.manager.tracker for s in cloud.services
                    if s.binary == 'novalite-compute']
        assert all(t.tracked == {} for t in trackers)
    finally:
        cloud.stop()


def test_build_abort_does_not_reschedule(tmp_path):
    drivers = {h: nltest.fake_driver(tmp_path, h, abort_builds=True) for h in ('compute1', 'compute2')}
    cloud = nltest.Cloud(_conf(tmp_path), hosts=tuple(drivers), drivers=drivers).start()
    try:
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
        assert sum(d._spawns for d in drivers.values()) == 1
        fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
        assert 'aborted' in fault['message']
    finally:
        cloud.stop()


def test_delete_during_build_cleans_up(tmp_path):
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', spawn_delay=0.3)}
    cloud = nltest.Cloud(_conf(tmp_path), hosts=('compute1',), drivers=drivers).start()
    try:
        instance = cloud.boot()[0]
        cloud.wait(instance.uuid, lambda i: i.task_state == states.SPAWNING, what='spawning')
        cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
        cloud.wait_deleted(instance.uuid)
        tracker = cloud.services[-1].manager.tracker
        nltest.wait_for(lambda: not drivers['compute1'].instances and not tracker.tracked,
                        what='driver and claim cleanup')
    finally:
        cloud.stop()


def test_quota_refuses_with_nova_wording(cloud):
    cloud.db.quota_set(cloud.ctx.project_id, 'instances', 2)
    with pytest.raises(exception.TooManyInstances,
                       match='Quota exceeded for instances: Requested 3, but already used 0 '
                             'of 2 instances'):
        cloud.boot(count=3)
    # max_count above quota but min_count within: Nova boots as many as fit
    instances, _ = cloud.api.create(cloud.ctx, flavor_id='1', image_ref='', name='q',
                                    min_count=1, max_count=5)
    assert len(instances) == 2


def test_notifications_are_emitted(tmp_path):
    import oslo_messaging as messaging

    from novalite import rpc
    conf = _conf(tmp_path)
    received = []

    class Endpoint:
        def info(self, ctxt, publisher_id, event_type, payload, metadata):
            received.append(event_type)

    transport = messaging.get_notification_transport(conf, url=conf.transport_url)
    listener = messaging.get_notification_listener(
        transport, [messaging.Target(topic='notifications')], [Endpoint()])
    listener.start()
    cloud = nltest.Cloud(conf).start()
    try:
        instance = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
        cloud.api.delete(cloud.ctx, instance)
        cloud.wait_deleted(instance.uuid)
        nltest.wait_for(lambda: 'instance.delete.end' in received, what='delete.end')
        assert received.index('instance.create.start') < received.index('instance.create.end')
        assert 'instance.delete.start' in received and 'instance.delete.end' in received
    finally:
        listener.stop()
        listener.wait()
        cloud.stop()
        rpc.cleanup()


def test_a_scheduler_failure_ends_in_error_not_in_build(cloud):
    scheduler = cloud.services[1].endpoints[0]

    def broken(ctx, request_spec):
        raise RuntimeError('scheduler bug')

    scheduler.select_destinations = broken
    instance = cloud.boot()[0]
    cloud.wait_state(instance.uuid, states.ERROR)
    fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
    assert 'Scheduling failed' in fault['message'] and 'scheduler bug' in fault['message']
