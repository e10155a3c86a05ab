"""/os-services, /os-hypervisors and /os-availability-zone (admin views of the hosts)."""

import pytest

from api_fixtures import age_service


def _services(api, **kwargs):
    resp = api.get('/v2.1/os-services', **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json['services']


def test_services_list(api, db):
    age_service(db, 'compute2', 'novalite-compute')
    services = {(s['host'], s['binary']): s for s in _services(api)}
    compute1 = services['compute1', 'novalite-compute']
    assert compute1['zone'] == 'nova'
    assert compute1['state'] == 'up' and compute1['status'] == 'enabled'
    assert isinstance(compute1['id'], int)
    assert 'forced_down' not in compute1
    assert services['compute2', 'novalite-compute']['state'] == 'down'
    assert services['ctl', 'novalite-scheduler']['zone'] == 'internal'
    filtered = _services(api, params={'binary': 'novalite-scheduler'})
    assert [s['host'] for s in filtered] == ['ctl']
    assert [s['binary'] for s in _services(api, params={'host': 'compute1'})] == \
        ['novalite-compute']
    assert api.get('/v2.1/os-services', user='demo').status_code == 403


def test_legacy_enable_disable_force_down(api):
    body = {'host': 'compute1', 'binary': 'novalite-compute'}
    resp = api.put('/v2.1/os-services/disable-log-reason',
                   dict(body, disabled_reason='maintenance'))
    assert resp.json == {'service': dict(body, status='disabled',
                                         disabled_reason='maintenance')}
    service = _services(api, params={'host': 'compute1'})[0]
    assert service['status'] == 'disabled' and service['disabled_reason'] == 'maintenance'
    assert api.put('/v2.1/os-services/enable', body).json['service']['status'] == 'enabled'
    assert api.put('/v2.1/os-services/disable', body).json['service']['status'] == 'disabled'
    # force-down arrived in 2.11
    assert api.put('/v2.1/os-services/force-down', dict(body, forced_down=True)) \
        .status_code == 404
    resp = api.put('/v2.1/os-services/force-down', dict(body, forced_down=True),
                   version='2.11')
    assert resp.json == {'service': dict(body, forced_down=True)}
    service = _services(api, version='2.11', params={'host': 'compute1'})[0]
    assert service['forced_down'] is True and service['state'] == 'down'
    resp = api.put('/v2.1/os-services/enable', {'host': 'nope', 'binary': 'novalite-compute'})
    assert resp.status_code == 404
    assert api.put('/v2.1/os-services/enable', body, user='demo').status_code == 403


def test_update_by_uuid_from_2_53(api):
    service = _services(api, version='2.53', params={'host': 'compute1'})[0]
    assert len(service['id']) == 36
    url = '/v2.1/os-services/%s' % service['id']
    resp = api.put(url, {'status': 'disabled', 'disabled_reason': 'why'}, version='2.53')
    assert resp.status_code == 200
    assert resp.json['service']['status'] == 'disabled'
    assert resp.json['service']['disabled_reason'] == 'why'
    resp = api.put(url, {'status': 'enabled', 'disabled_reason': 'x'}, version='2.53')
    assert resp.json['badRequest']['message'] == \
        "Specifying 'disabled_reason' with status 'enabled' is invalid."
    resp = api.put(url, {'forced_down': True}, version='2.53')
    assert resp.json['service']['forced_down'] is True
    assert api.put(url, {}, version='2.53').status_code == 400
    scheduler = _services(api, version='2.53', params={'host': 'ctl'})[0]
    resp = api.put('/v2.1/os-services/%s' % scheduler['id'], {'status': 'disabled'},
                   version='2.53')
    assert resp.status_code == 400
    assert api.put('/v2.1/os-services/enable', {'host': 'compute1', 'binary': 'x'},
                   version='2.53').status_code == 400


def test_delete(api, make_server, db):
    services = {s['host']: s for s in _services(api, version='2.53')}
    server_id = make_server()
    db.instance_update(server_id, {'host': 'compute1'})
    resp = api.delete('/v2.1/os-services/%s' % services['compute1']['id'], version='2.53')
    assert resp.status_code == 409
    assert api.delete('/v2.1/os-services/%s' % services['ctl']['id'],
                      version='2.53').status_code == 204
    compute2 = [s for s in _services(api) if s['host'] == 'compute2'][0]
    assert api.delete('/v2.1/os-services/%d' % compute2['id']).status_code == 204
    assert api.delete('/v2.1/os-services/12345').status_code == 404
    assert api.delete('/v2.1/os-services/abc').status_code == 400
    assert api.delete('/v2.1/os-services/abc', version='2.53').status_code == 400


# -- hypervisors -------------------------------------------------------------------------

def test_hypervisors_list_detail_show(api, db):
    age_service(db, 'compute2', 'novalite-compute')
    hypervisors = api.get('/v2.1/os-hypervisors').json['hypervisors']
    assert [(h['hypervisor_hostname'], h['state'], h['status']) for h in hypervisors] == \
        [('compute1', 'up', 'enabled'), ('compute2', 'down', 'enabled')]
    assert isinstance(hypervisors[0]['id'], int)
    detail = api.get('/v2.1/os-hypervisors/detail').json['hypervisors'][0]
    assert detail['vcpus'] == 8 and detail['memory_mb_used'] == 1024
    assert detail['cpu_info'] == '{"arch": "x86_64"}'
    assert detail['service']['host'] == 'compute1'
    detail = api.get('/v2.1/os-hypervisors/detail', version='2.28').json['hypervisors'][0]
    assert detail['cpu_info'] == {'arch': 'x86_64'}
    shown = api.get('/v2.1/os-hypervisors/%d' % hypervisors[0]['id']).json['hypervisor']
    assert shown['hypervisor_hostname'] == 'compute1' and shown['running_vms'] == 1
    assert api.get('/v2.1/os-hypervisors/999').status_code == 404
    assert api.get('/v2.1/os-hypervisors', user='demo').status_code == 403


def test_hypervisors_uuid_servers_and_usage_removal(api, make_server, db):
    server_id = make_server()
    db.instance_update(server_id, {'host': 'compute1', 'node': 'compute1'})
    hypervisors = api.get('/v2.1/os-hypervisors?with_servers=true',
                          version='2.53').json['hypervisors']
    assert len(hypervisors[0]['id']) == 36
    assert hypervisors[0]['servers'][0]['uuid'] == server_id
    assert 'servers' not in api.get('/v2.1/os-hypervisors',
                                    version='2.53').json['hypervisors'][0]
    shown = api.get('/v2.1/os-hypervisors/%s' % hypervisors[0]['id'],
                    version='2.88').json['hypervisor']
    assert 'vcpus' not in shown and 'cpu_info' not in shown and 'uptime' in shown
    assert api.get('/v2.1/os-hypervisors/1', version='2.53').status_code == 400
    found = api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=ute2',
                    version='2.53').json['hypervisors']
    assert [h['hypervisor_hostname'] for h in found] == ['compute2']


def test_hypervisor_search_servers_and_paging_before_2_53(api, make_server, db):
    server_id = make_server()
    db.instance_update(server_id, {'host': 'compute2', 'node': 'compute2'})
    found = api.get('/v2.1/os-hypervisors/compute2/servers').json['hypervisors']
    assert found[0]['servers'][0]['uuid'] == server_id
    assert [h['hypervisor_hostname'] for h in
            api.get('/v2.1/os-hypervisors/comp/search').json['hypervisors']] == \
        ['compute1', 'compute2']
    assert api.get('/v2.1/os-hypervisors/zzz/search').status_code == 404
    assert api.get('/v2.1/os-hypervisors/comp/search', version='2.53').status_code == 404
    page = api.get('/v2.1/os-hypervisors?limit=1', version='2.33').json
    assert len(page['hypervisors']) == 1 and 'hypervisors_links' in page


def test_hypervisor_statistics_until_2_87(api):
    stats = api.get('/v2.1/os-hypervisors/statistics').json['hypervisor_statistics']
    assert stats['count'] == 2 and stats['vcpus'] == 16 and stats['running_vms'] == 2
    resp = api.get('/v2.1/os-hypervisors/statistics', version='2.88')
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['code'] == 404


# -- availability zones --------------------------------------------------------------------

def test_availability_zones(api, db):
    zones = api.get('/v2.1/os-availability-zone', user='demo').json['availabilityZoneInfo']
    assert zones == [{'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None}]
    detail = api.get('/v2.1/os-availability-zone/detail').json['availabilityZoneInfo']
    assert [z['zoneName'] for z in detail] == ['internal', 'nova']
    assert set(detail[1]['hosts']) == {'compute1', 'compute2'}
    assert detail[0]['hosts']['ctl']['novalite-scheduler']['available'] is True
    assert api.get('/v2.1/os-availability-zone/detail', user='demo').status_code == 403


@pytest.mark.parametrize('down', [('compute1', 'compute2')])
def test_zone_unavailable_when_all_computes_down(api, db, down):
    for host in down:
        age_service(db, host, 'novalite-compute')
    zones = api.get('/v2.1/os-availability-zone', user='demo').json['availabilityZoneInfo']
    assert zones[0]['zoneState']['available'] is False
