"""openstacksdk, unmodified, against the API over loopback HTTP (components.md §8).

The SDK discovers the compute, identity and image endpoints from their version
documents, negotiates microversions per resource and sends ``X-Auth-Token: notused``.
"""

import threading
import warnings
from wsgiref import simple_server

import openstack
import pytest

from api_fixtures import IMAGE


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint(app):
    server = simple_server.make_server('127.0.0.1', 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_port
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def conn(endpoint):
    with warnings.catch_warnings():
        # the SDK's own deprecations of its internals, not ours
        warnings.filterwarnings('ignore', module=r'openstack(\.|$)')
        yield openstack.connect(
            auth_type='none', load_yaml_config=False, load_envvars=False,
            compute_endpoint_override=endpoint + '/v2.1',
            identity_endpoint_override=endpoint + '/identity/v3',
            image_endpoint_override=endpoint + '/image/v2')


def test_sdk_flavors_images_servers_keypairs(conn):
    assert [f.name for f in conn.compute.flavors()] == ['m1.tiny', 'm1.small']
    assert [i.name for i in conn.image.images()] == ['cirros']
    created = conn.compute.create_server(name='sdk', image_id=IMAGE, flavor_id='1',
                                         networks='none')
    assert created.admin_password
    [server] = list(conn.compute.servers())
    assert (server.id, server.name, server.status) == (created.id, 'sdk', 'BUILD')
    assert server.flavor.name == 'm1.tiny'  # the 2.47+ flavor body
    assert server.image.id == IMAGE
    shown = conn.compute.get_server(created.id)
    assert shown.id == created.id and shown.flavor.ram == 512
    keypair = conn.compute.create_keypair(name='sdk-key')
    assert keypair.private_key and keypair.fingerprint
    assert [k.name for k in conn.compute.keypairs()] == ['sdk-key']
    conn.compute.delete_server(created.id)
    assert list(conn.compute.servers()) == []


def test_sdk_sees_policy_errors(conn):
    with pytest.raises(openstack.exceptions.ForbiddenException) as info:
        list(conn.compute.hypervisors())
    assert "os_compute_api:os-hypervisors:list" in str(info.value)
