"""createImage through the real services: the compute's driver writes the snapshot, the
conductor activates the image record; a failed snapshot drops the image and leaves a fault."""

import pytest

import nltest
from novalite import exception
from novalite.compute import states


@pytest.fixture
def cloud(tmp_path):
    cloud = nltest.Cloud(nltest.make_conf(tmp_path), hosts=('compute1',)).start()
    try:
        yield cloud
    finally:
        cloud.stop()


def test_snapshot_becomes_an_active_private_image(cloud):
    server = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
    image = cloud.api.snapshot(cloud.ctx, server, 'snap-1', {'purpose': 'backup'})
    assert image['status'] == 'queued'
    nltest.wait_for(lambda: cloud.db.image_get(image['id'])['status'] == 'active',
                    what='the snapshot image to become active')
    stored = cloud.db.image_get(image['id'])
    assert stored['visibility'] == 'private' and stored['owner'] == cloud.ctx.project_id
    assert stored['properties']['image_type'] == 'snapshot'
    assert stored['properties']['instance_uuid'] == server.uuid
    assert stored['properties']['purpose'] == 'backup'
    assert cloud.drivers['compute1'].instances[server.uuid].snapshots == [image['id']]
    server = cloud.wait_state(server.uuid, states.ACTIVE)
    assert server.task_state is None
    # a snapshot is bootable like any image
    [again] = cloud.boot(name='from-snap')
    assert cloud.wait_state(again.uuid, states.ACTIVE)


def test_snapshot_refused_while_another_task_runs(cloud):
    server = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
    cloud.db.instance_update(server.uuid, {'task_state': states.POWERING_OFF})
    with pytest.raises(exception.InstanceInvalidState):
        cloud.api.snapshot(cloud.ctx, cloud.db.instance_get(server.uuid), 'nope')
    assert not [i for i in cloud.db.image_get_all() if i['name'] == 'nope']


def test_a_failed_snapshot_drops_the_image_and_records_a_fault(cloud):
    server = cloud.wait_state(cloud.boot()[0].uuid, states.ACTIVE)
    driver = cloud.drivers['compute1']

    def broken(context, instance, image_id, update_task_state):
        update_task_state(task_state=states.IMAGE_PENDING_UPLOAD)
        raise exception.HypervisorError(reason='disk busy')

    driver.snapshot = broken
    image = cloud.api.snapshot(cloud.ctx, server, 'snap-2')

    def image_gone():
        try:
            cloud.db.image_get(image['id'])
        except exception.ImageNotFound:
            return True
        return False

    nltest.wait_for(image_gone, what='the failed snapshot image to be dropped')
    server = cloud.wait_state(server.uuid, states.ACTIVE)
    fault = cloud.db.instance_fault_get_latest([server.uuid])[server.uuid]
    assert 'disk busy' in fault['message']
