"""Real clients, unchanged, against novalite-all in this process: openstacksdk and novaclient."""

import openstack
import pytest
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from novaclient import client as nova_client

import nltest
from novalite.cmd.all import AllInOne

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning',
                                        'ignore::PendingDeprecationWarning')


@pytest.fixture(scope='module')
def endpoint(tmp_path_factory):
    port = nltest.free_port()
    conf = nltest.make_conf(tmp_path_factory.mktemp('allinone'),
                            api__osapi_compute_listen_port=port)
    deployment = AllInOne(conf, fake_computes=4)
    deployment.start()
    yield 'http://127.0.0.1:%d/v2.1' % port
    deployment.stop()


def _wait(conn, server, status):
    """Wait until the server shows ``status`` with no task in flight.

    (``wait_for_server`` returns at once when the object it is given already
    shows the status, which a just-rebooted ACTIVE server does.)
    """
    return nltest.wait_for(
        lambda: (lambda s: s if s.status == status and s.task_state is None else None)(
            conn.compute.get_server(server.id)), timeout=30, what=status)


def test_openstacksdk_server_lifecycle(endpoint):
    conn = openstack.connect(auth_type='none', compute_endpoint_override=endpoint)
    compute = conn.compute
    assert {f.name for f in compute.flavors()} >= {'m1.tiny', 'm1.small', 'm1.medium',
                                                   'm1.large', 'm1.xlarge'}
    image = next(iter(compute.images()))
    keypair = compute.create_keypair(name='sdk-key')
    assert keypair.private_key.startswith('-----BEGIN')

    compute.create_server(name='sdk', image_id=image.id, flavor_id='1', networks='none',
                          key_name='sdk-key', min_count=3, max_count=3,
                          metadata={'purpose': 'test'})
    servers = [s for s in compute.servers(details=True) if s.name.startswith('sdk')]
    assert len(servers) == 3
    assert {s.status for s in servers} <= {'BUILD', 'ACTIVE'}
    servers = [_wait(conn, s, 'ACTIVE') for s in servers]
    for server in servers:
        assert server.addresses == {}
        assert server.key_name == 'sdk-key'
        assert server.flavor.vcpus == 1 and server.flavor.ram == 512
        assert server.image.id == image.id
        assert server.metadata == {'purpose': 'test'}
        assert server.power_state == 1 and server.vm_state == 'active'
        assert server.launched_at and server.created_at

    first = servers[0]
    compute.update_server(first, name='renamed')
    assert compute.get_server(first.id).name == 'renamed'

    compute.reboot_server(first, 'SOFT')
    _wait(conn, first, 'ACTIVE')
    compute.reboot_server(first, 'HARD')
    _wait(conn, first, 'ACTIVE')
    compute.stop_server(first)
    _wait(conn, first, 'SHUTOFF')
    compute.start_server(first)
    _wait(conn, first, 'ACTIVE')
    compute.pause_server(first)
    _wait(conn, first, 'PAUSED')
    compute.unpause_server(first)
    _wait(conn, first, 'ACTIVE')
    compute.suspend_server(first)
    _wait(conn, first, 'SUSPENDED')
    compute.resume_server(first)
    _wait(conn, first, 'ACTIVE')

    compute.set_server_metadata(first, owner='alice', tier='web')
    assert compute.get_server_metadata(first).metadata == {'purpose': 'test', 'owner': 'alice',
                                                          'tier': 'web'}
    compute.delete_server_metadata(first, ['tier'])
    assert compute.get_server_metadata(first).metadata == {'purpose': 'test', 'owner': 'alice'}

    for server in servers:
        compute.delete_server(server)
    for server in servers:
        compute.wait_for_delete(server, interval=0.05, wait=30)
    assert [s for s in compute.servers() if s.name.startswith(('sdk', 'renamed'))] == []
    compute.delete_keypair('sdk-key')


def test_novaclient_library(endpoint):
    sess = ks_session.Session(auth=noauth.NoAuth())
    nova = nova_client.Client('2.1', session=sess, endpoint_override=endpoint)
    flavor = nova.flavors.find(name='m1.tiny')
    image_id = nltest.default_image_id()
    server = nova.servers.create('nc', image_id, flavor)
    nltest.wait_for(lambda: nova.servers.get(server.id).status == 'ACTIVE', what='ACTIVE')
    assert any(s.id == server.id for s in nova.servers.list())
    nova.servers.reboot(server, reboot_type='HARD')
    nltest.wait_for(lambda: nova.servers.get(server.id).status == 'ACTIVE', what='rebooted')
    nova.servers.delete(server)
    nltest.wait_for(lambda: all(s.id != server.id for s in nova.servers.list()), what='gone')
