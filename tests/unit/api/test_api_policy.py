"""Policy defaults, the entry point, and overriding a rule from a policy file."""

import importlib.metadata

from api_fixtures import ApiClient, make_conf
from novalite import context
from novalite.api import policies
from novalite.api import policy
from novalite.api import app as api_app


def _rules():
    return {r.name: r.check_str for r in policies.list_rules()}


def test_defaults_are_novas():
    rules = _rules()
    assert rules['admin_or_owner'] == 'is_admin:True or project_id:%(project_id)s'
    assert rules['admin_api'] == 'is_admin:True'
    assert rules['os_compute_api:servers:create'] == 'rule:admin_or_owner'
    assert rules['os_compute_api:os-hypervisors:list'] == 'rule:admin_api'
    assert rules['os_compute_api:servers:index:get_all_tenants'] == 'rule:admin_api'
    assert rules['os_compute_api:servers:show:host_status'] == 'rule:admin_api'
    assert rules['os_compute_api:os-extended-server-attributes'] == 'rule:admin_api'
    assert rules['os_compute_api:os-quota-sets:update'] == 'rule:admin_api'
    assert rules['os_compute_api:os-services:list'] == 'rule:admin_api'
    assert rules['os_compute_api:os-flavor-manage:create'] == 'rule:admin_api'


def test_entry_point_is_list_rules():
    eps = importlib.metadata.entry_points(group='oslo.policy.policies')
    [ep] = [e for e in eps if e.name == 'novalite']
    assert ep.load() is policies.list_rules


def test_enforcer_decides(tmp_path):
    enforcer = policy.make_enforcer(make_conf(tmp_path))
    admin = context.RequestContext(user_id='a', project_id='p', is_admin=True,
                                   roles=['admin'])
    member = context.RequestContext(user_id='u', project_id='p', roles=['member'])
    assert policy.check(enforcer, admin, 'os_compute_api:os-hypervisors:list')
    assert not policy.check(enforcer, member, 'os_compute_api:os-hypervisors:list')
    assert policy.check(enforcer, member, 'os_compute_api:servers:show',
                        {'project_id': 'p'})
    assert not policy.check(enforcer, member, 'os_compute_api:servers:show',
                            {'project_id': 'other'})


def test_policy_file_overrides_a_default(tmp_path, db, compute_api):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"os_compute_api:os-hypervisors:list": "@"\n'
                           '"os_compute_api:os-keypairs:create": "!"\n')
    config = tmp_path / 'novalite.conf'
    config.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    conf = make_conf(tmp_path, config_files=[str(config)])
    api = ApiClient(api_app.create_app(conf, compute_api=compute_api, db=db))
    assert api.get('/v2.1/os-hypervisors', user='demo').status_code == 200
    resp = api.post('/v2.1/os-keypairs', {'keypair': {'name': 'k'}}, user='admin')
    assert resp.status_code == 403
    assert api.get('/v2.1/os-services', user='demo').status_code == 403
