"""openstacksdk, unmodified, against the networking APIs over loopback HTTP.

The SDK's compute proxy has no nova-network resources; its cloud layer still drives
os-security-groups, os-security-group-rules and os-floating-ips when told the cloud's
security groups and floating IPs come from nova (``secgroup_source``,
``floating_ip_source``), as on a nova-network cloud.
"""

import threading
import warnings
from wsgiref import simple_server

import openstack
import pytest

from api_net_support import Stack


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.network_api.create_floating_ips('172.24.4.0/29', pool='public')
    stack.conf.set_override('default_floating_pool', 'public')
    yield stack
    stack.close()


@pytest.fixture
def conn(stack):
    server = simple_server.make_server('127.0.0.1', 0, stack.app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = 'http://127.0.0.1:%d' % server.server_port
    with warnings.catch_warnings():
        # the SDK's deprecations of its own nova-network support, not ours
        warnings.filterwarnings('ignore', module=r'openstack(\.|$)')
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        yield openstack.connect(
            auth_type='none', load_yaml_config=False, load_envvars=False,
            compute_endpoint_override=endpoint + '/v2.1',
            identity_endpoint_override=endpoint + '/identity/v3',
            image_endpoint_override=endpoint + '/image/v2',
            secgroup_source='nova', floating_ip_source='nova')
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_sdk_security_groups_and_rules(conn):
    group = conn.create_security_group('web', 'the web tier')
    assert (group['name'], group['description']) == ('web', 'the web tier')
    names = sorted(g['name'] for g in conn.list_security_groups())
    assert names == ['default', 'web']
    rule = conn.create_security_group_rule(group['id'], port_range_min=22, port_range_max=22,
                                           protocol='tcp', remote_ip_prefix='10.0.0.0/8')
    assert (rule['port_range_min'], rule['protocol'], rule['remote_ip_prefix']) == \
        (22, 'tcp', '10.0.0.0/8')
    [shown] = [g for g in conn.list_security_groups() if g['name'] == 'web']
    assert [r['id'] for r in shown['security_group_rules']] == [rule['id']]
    with pytest.raises(openstack.exceptions.SDKException):
        conn.create_security_group_rule(group['id'], port_range_min=80, port_range_max=22,
                                        protocol='tcp')
    assert conn.delete_security_group_rule(rule['id'])
    assert conn.delete_security_group(group['id'])
    assert [g['name'] for g in conn.list_security_groups()] == ['default']


def test_sdk_floating_ips(conn):
    created = conn.create_floating_ip(network='public')
    assert created['floating_ip_address'].startswith('172.24.4.')
    listed = conn.list_floating_ips()
    assert [f['floating_ip_address'] for f in listed] == [created['floating_ip_address']]
    assert conn.delete_floating_ip(created['id'])
    assert conn.list_floating_ips() == []
