"""/os-aggregates (admin) and the zones they make: /os-availability-zone, boot into a zone."""

import pytest

from api_fixtures import IMAGE

AGG = '/v2.1/os-aggregates'


def create(api, name='agg1', zone=None, **kwargs):
    body = {'name': name}
    if zone is not None:
        body['availability_zone'] = zone
    resp = api.post(AGG, {'aggregate': body}, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json['aggregate']


def action(api, agg_id, name, body, **kwargs):
    return api.post('%s/%s/action' % (AGG, agg_id), {name: body}, **kwargs)


def fault(resp, code):
    assert resp.status_code == code, resp.text
    [(_, body)] = resp.json.items()
    assert body['code'] == code
    return body['message']


class Notifier:
    def __init__(self):
        self.events = []

    def info(self, ctx, event, payload):
        self.events.append((event, payload))


def test_create_show_list(api):
    agg = create(api, zone='az1')
    assert set(agg) == {'id', 'name', 'availability_zone', 'created_at', 'updated_at',
                        'deleted', 'deleted_at'}
    assert (agg['name'], agg['availability_zone'], agg['deleted']) == ('agg1', 'az1', False)
    assert agg['updated_at'] is None and agg['deleted_at'] is None
    shown = api.get('%s/%d' % (AGG, agg['id'])).json['aggregate']
    assert shown['hosts'] == [] and shown['metadata'] == {'availability_zone': 'az1'}
    assert 'uuid' not in shown
    listed = api.get(AGG).json['aggregates']
    assert [a['id'] for a in listed] == [agg['id']] and listed[0]['hosts'] == []


def test_uuid_from_2_41(api):
    agg = create(api, version='2.41')
    assert len(agg['uuid']) == 36
    assert api.get('%s/%d' % (AGG, agg['id']), version='2.41').json['aggregate']['uuid'] == \
        agg['uuid']
    assert 'uuid' not in api.get('%s/%d' % (AGG, agg['id']), version='2.40').json['aggregate']


def test_create_errors(api):
    create(api)
    assert fault(api.post(AGG, {'aggregate': {'name': 'agg1'}}), 409) == \
        'Aggregate agg1 already exists.'
    msg = fault(api.post(AGG, {'aggregate': {}}), 400)
    assert "'name' is a required property" in msg
    msg = fault(api.post(AGG, {'aggregate': {'name': 'x' * 256}}), 400)
    assert 'name' in msg and 'is too long' in msg
    msg = fault(api.post(AGG, {'aggregate': {'name': 'a', 'availability_zone': 'bad:az'}}), 400)
    assert "invalid 'availability_zone'" in msg and "except ':'" in msg
    msg = fault(api.post(AGG, {'aggregate': {'name': 'a', 'bogus': 1}}), 400)
    assert 'bogus' in msg
    # a null zone is no zone
    assert create(api, 'nozone', zone=None)['availability_zone'] is None


def test_update(api):
    agg = create(api, zone='az1')
    other = create(api, 'other')
    url = '%s/%d' % (AGG, agg['id'])
    updated = api.put(url, {'aggregate': {'name': ' renamed ', 'availability_zone': 'az2'}})
    assert updated.status_code == 200, updated.text
    body = updated.json['aggregate']
    assert (body['name'], body['availability_zone']) == ('renamed', 'az2')
    assert body['metadata'] == {'availability_zone': 'az2'} and body['updated_at']
    assert fault(api.put(url, {'aggregate': {'name': 'other'}}), 409) == \
        'Aggregate other already exists.'
    assert 'aggregate' in fault(api.put(url, {'aggregate': {}}), 400)
    assert fault(api.put('%s/%d' % (AGG, 999), {'aggregate': {'name': 'x'}}), 404) == \
        'Aggregate 999 could not be found.'
    assert fault(api.put(url, {'aggregate': {'availability_zone': None}}), 400) == (
        'Cannot update aggregate %d. Reason: Aggregate renamed does not support empty '
        'named availability zone.' % agg['id'])
    assert other['id'] != agg['id']


def test_add_and_remove_host(api):
    agg = create(api, zone='az1')
    resp = action(api, agg['id'], 'add_host', {'host': 'compute1'})
    assert resp.status_code == 200, resp.text
    body = resp.json['aggregate']
    assert body['hosts'] == ['compute1'] and body['availability_zone'] == 'az1'
    assert fault(action(api, agg['id'], 'add_host', {'host': 'compute1'}), 409) == \
        'Aggregate %d already has host compute1.' % agg['id']
    assert fault(action(api, agg['id'], 'add_host', {'host': 'nohost'}), 404) == \
        'Compute host nohost could not be found.'
    # the scheduler is a service but not a compute
    assert fault(action(api, agg['id'], 'add_host', {'host': 'ctl'}), 404) == \
        'Compute host ctl could not be found.'
    assert fault(action(api, 999, 'add_host', {'host': 'compute1'}), 404) == \
        'Aggregate 999 could not be found.'
    resp = action(api, agg['id'], 'remove_host', {'host': 'compute1'})
    assert resp.status_code == 200 and resp.json['aggregate']['hosts'] == []
    assert fault(action(api, agg['id'], 'remove_host', {'host': 'compute1'}), 404) == \
        'Cannot remove host compute1 in aggregate %d' % agg['id']


def test_host_cannot_be_in_two_zones(api):
    az1 = create(api, 'a1', zone='az1')
    az2 = create(api, 'a2', zone='az2')
    az1_again = create(api, 'a3', zone='az1')
    plain = create(api, 'plain')
    assert action(api, az1['id'], 'add_host', {'host': 'compute1'}).status_code == 200
    assert fault(action(api, az2['id'], 'add_host', {'host': 'compute1'}), 409) == (
        "Cannot add host to aggregate %d. Reason: One or more hosts already in availability "
        "zone(s) ['az1']." % az2['id'])
    # same zone, or no zone at all: fine
    assert action(api, az1_again['id'], 'add_host', {'host': 'compute1'}).status_code == 200
    assert action(api, plain['id'], 'add_host', {'host': 'compute1'}).status_code == 200
    # giving the zoneless aggregate another zone would move compute1: refused (400)
    msg = fault(action(api, plain['id'], 'set_metadata',
                       {'metadata': {'availability_zone': 'az2'}}), 400)
    assert msg == ("Cannot update metadata of aggregate %d. Reason: One or more hosts already "
                   "in availability zone(s) ['az1']." % plain['id'])
    msg = fault(api.put('%s/%d' % (AGG, plain['id']),
                        {'aggregate': {'availability_zone': 'az2'}}), 400)
    assert msg.startswith('Cannot update aggregate %d. Reason: One or more hosts already'
                          % plain['id'])


def test_zone_change_refused_while_hosts_have_servers(api, make_server, db):
    agg = create(api, zone='az1')
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    server = make_server()
    db.instance_update(server, {'host': 'compute1', 'node': 'compute1'})
    msg = fault(action(api, agg['id'], 'set_metadata',
                       {'metadata': {'availability_zone': 'az9'}}), 400)
    assert msg == ('Cannot update metadata of aggregate %d. Reason: One or more hosts '
                   'contain instances in this zone.' % agg['id'])
    # other keys are fine
    assert action(api, agg['id'], 'set_metadata', {'metadata': {'ssd': 'true'}}).status_code \
        == 200


def test_set_metadata(api):
    agg = create(api)
    resp = action(api, agg['id'], 'set_metadata', {'metadata': {'ssd': 'true', 'k': 'v'}})
    assert resp.status_code == 200, resp.text
    assert resp.json['aggregate']['metadata'] == {'ssd': 'true', 'k': 'v'}
    resp = action(api, agg['id'], 'set_metadata', {'metadata': {'k': None,
                                                                'availability_zone': 'az5'}})
    body = resp.json['aggregate']
    assert body['metadata'] == {'ssd': 'true', 'availability_zone': 'az5'}
    assert body['availability_zone'] == 'az5'
    msg = fault(action(api, agg['id'], 'set_metadata', {'metadata': {'k': 1}}), 400)
    assert 'Invalid input for field/attribute k' in msg
    msg = fault(action(api, agg['id'], 'set_metadata', {'meta': {}}), 400)
    assert msg.startswith('Invalid input for field/attribute set_metadata.')
    assert "'meta' was unexpected" in msg


def test_bad_actions_and_ids(api):
    agg = create(api)
    assert fault(action(api, agg['id'], 'explode', {}), 400) == 'There is no such action: explode'
    msg = fault(action(api, agg['id'], 'add_host', {}), 400)
    assert "'host' is a required property" in msg
    msg = fault(action(api, agg['id'], 'add_host', {'host': 'bad host!'}), 400)
    assert 'Invalid input for field/attribute host' in msg
    for resp in (api.get(AGG + '/abc'), api.delete(AGG + '/abc'),
                 action(api, 'abc', 'add_host', {'host': 'compute1'})):
        assert fault(resp, 400) == 'Invalid input received: id must be an integer'
    assert fault(api.get(AGG + '/999'), 404) == 'Aggregate 999 could not be found.'


def test_delete(api):
    agg = create(api, zone='az1')
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    url = '%s/%d' % (AGG, agg['id'])
    assert fault(api.delete(url), 400) == (
        'Cannot remove host from aggregate %d. Reason: Host aggregate is not empty.'
        % agg['id'])
    action(api, agg['id'], 'remove_host', {'host': 'compute1'})
    resp = api.delete(url)
    assert resp.status_code == 200 and not resp.text
    assert fault(api.get(url), 404) == 'Aggregate %d could not be found.' % agg['id']
    assert api.get(AGG).json['aggregates'] == []
    assert create(api)['name'] == 'agg1'   # the name is free again


@pytest.mark.parametrize('method, path, body', [
    ('GET', AGG, None),
    ('POST', AGG, {'aggregate': {'name': 'x'}}),
    ('GET', AGG + '/1', None),
    ('PUT', AGG + '/1', {'aggregate': {'name': 'y'}}),
    ('DELETE', AGG + '/1', None),
    ('POST', AGG + '/1/action', {'add_host': {'host': 'compute1'}}),
    ('POST', AGG + '/1/action', {'remove_host': {'host': 'compute1'}}),
    ('POST', AGG + '/1/action', {'set_metadata': {'metadata': {}}}),
])
def test_admin_only(api, method, path, body):
    create(api, 'agg')
    resp = api.request(method, path, user='demo', body=body)
    assert fault(resp, 403).startswith("Policy doesn't allow os_compute_api:os-aggregates:")


def test_notifications(conf, db):
    from novalite.compute import aggregates as compute_aggregates
    notifier = Notifier()
    aggs = compute_aggregates.AggregateAPI(conf, db, notifier=notifier)
    agg = aggs.create(None, 'n1', 'az1')
    aggs.add_host(None, agg.id, 'compute1')
    aggs.update_metadata(None, agg.id, {'k': 'v'})
    aggs.update(None, agg.id, {'name': 'n2'})
    aggs.remove_host(None, agg.id, 'compute1')
    aggs.delete(None, agg.id)
    assert [e for e, _ in notifier.events] == [
        'aggregate.%s.%s' % (what, when)
        for what in ('create', 'addhost', 'updatemetadata', 'updateprop', 'removehost',
                     'delete') for when in ('start', 'end')]
    payloads = dict(notifier.events)
    assert payloads['aggregate.create.end'] == {'name': 'n1', 'aggregate_id': agg.id,
                                                'uuid': agg.uuid,
                                                'meta_data': {'availability_zone': 'az1'}}
    assert payloads['aggregate.addhost.end'] == {'aggregate_id': agg.id,
                                                 'host_name': 'compute1', 'name': 'n1'}


# -- availability zones ----------------------------------------------------------------

def zones(api, detail=False, **kwargs):
    path = '/v2.1/os-availability-zone' + ('/detail' if detail else '')
    resp = api.get(path, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json['availabilityZoneInfo']


def test_zones_follow_aggregates(api):
    assert zones(api, user='demo') == [
        {'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None}]
    agg = create(api, zone='az1')
    # a zone with no host is no zone yet
    assert [z['zoneName'] for z in zones(api, user='demo')] == ['nova']
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    assert zones(api, user='demo') == [
        {'zoneName': 'az1', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None}]
    action(api, agg['id'], 'add_host', {'host': 'compute2'})
    assert [z['zoneName'] for z in zones(api, user='demo')] == ['az1']


def test_zone_detail(api):
    agg = create(api, zone='az1')
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    detail = zones(api, detail=True)
    assert [z['zoneName'] for z in detail] == ['internal', 'az1', 'nova']
    internal, az1, nova = detail
    assert internal['zoneState'] == {'available': True}
    assert set(internal['hosts']) == {'ctl'}
    assert set(internal['hosts']['ctl']) == {'novalite-scheduler'}
    assert az1['hosts'] == {'compute1': {'novalite-compute': {
        'available': True, 'active': True,
        'updated_at': az1['hosts']['compute1']['novalite-compute']['updated_at']}}}
    assert az1['hosts']['compute1']['novalite-compute']['updated_at']
    assert set(nova['hosts']) == {'compute2'}
    assert api.get('/v2.1/os-availability-zone/detail', user='demo').status_code == 403


def test_zone_of_disabled_hosts_is_unavailable(api, db):
    agg = create(api, zone='az1')
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    service = db.service_get_by_host_binary('compute1', 'novalite-compute')
    db.service_update(service.id, {'disabled': True})
    listed = {z['zoneName']: z['zoneState']['available'] for z in zones(api)}
    assert listed == {'az1': False, 'nova': True}
    detail = {z['zoneName']: z for z in zones(api, detail=True)}
    assert detail['az1']['hosts'] is None and detail['az1']['zoneState']['available'] is False


# -- booting into a zone -----------------------------------------------------------------

def boot(api, zone, user='demo'):
    return api.post('/v2.1/servers', {'server': {
        'name': 'vm', 'imageRef': IMAGE, 'flavorRef': '1', 'networks': 'none',
        'availability_zone': zone}}, user=user, version='2.96')


def test_boot_into_a_zone(api, rpc):
    assert fault(boot(api, 'az1'), 400) == 'The requested availability zone is not available'
    agg = create(api, zone='az1')
    # an aggregate's zone without hosts is not available either
    assert fault(boot(api, 'az1'), 400) == 'The requested availability zone is not available'
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    resp = boot(api, 'az1')
    assert resp.status_code == 202, resp.text
    _, (ctx, instances, spec), _ = rpc.calls[-1]
    assert spec.availability_zone == 'az1'
    assert boot(api, 'nova').status_code == 202     # compute2 is still in the default zone
    assert fault(boot(api, 'internal'), 400) == 'The requested availability zone is not available'
    # forcing a host skips the check (admin only), as in Nova
    assert boot(api, 'nowhere:compute2', user='admin').status_code == 202


def test_services_show_the_aggregate_zone(api):
    def service_zones():
        resp = api.get('/v2.1/os-services')
        assert resp.status_code == 200, resp.text
        return {s['host']: s['zone'] for s in resp.json['services'] if s['binary'] == 'novalite-compute'}

    assert set(service_zones().values()) == {'nova'}
    agg = create(api, zone='az1')
    action(api, agg['id'], 'add_host', {'host': 'compute1'})
    found = service_zones()
    assert found['compute1'] == 'az1'
    assert {z for h, z in found.items() if h != 'compute1'} <= {'nova'}
