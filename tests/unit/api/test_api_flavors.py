"""/flavors and /flavors/{id}/os-extra_specs."""

import pytest


def _ids(resp):
    assert resp.status_code == 200, resp.text
    return [f['id'] for f in resp.json['flavors']]


def test_list_and_detail(api):
    resp = api.get('/v2.1/flavors', user='demo')
    assert _ids(resp) == ['1', '2']
    assert set(resp.json['flavors'][0]) == {'id', 'name', 'links'}
    detail = api.get('/v2.1/flavors/detail', user='demo').json['flavors'][0]
    assert detail == {
        'id': '1', 'name': 'm1.tiny', 'ram': 512, 'vcpus': 1, 'disk': 1, 'swap': '',
        'OS-FLV-EXT-DATA:ephemeral': 0, 'OS-FLV-DISABLED:disabled': False,
        'os-flavor-access:is_public': True, 'rxtx_factor': 1.0,
        'links': [{'rel': 'self', 'href': 'http://falconframework.org/v2.1/flavors/1'},
                  {'rel': 'bookmark', 'href': 'http://falconframework.org/flavors/1'}]}


@pytest.mark.parametrize('version, fields, swap', [
    ('2.54', set(), ''),
    ('2.55', {'description'}, ''),
    ('2.61', {'description', 'extra_specs'}, ''),
    ('2.75', {'description', 'extra_specs'}, 0),
])
def test_detail_fields_per_microversion(api, version, fields, swap):
    flavor = api.get('/v2.1/flavors/2', user='demo', version=version).json['flavor']
    base = {'id', 'name', 'ram', 'vcpus', 'disk', 'swap', 'OS-FLV-EXT-DATA:ephemeral',
            'OS-FLV-DISABLED:disabled', 'os-flavor-access:is_public', 'rxtx_factor', 'links'}
    assert set(flavor) == base | fields
    assert flavor['swap'] == swap
    if 'extra_specs' in fields:
        assert flavor['extra_specs'] == {'hw:cpu_policy': 'shared'}


def test_is_public_filter(api):
    # openstacksdk sends the literal string None: all flavors for an admin
    assert _ids(api.get('/v2.1/flavors/detail?is_public=None')) == ['1', '2', '42']
    assert _ids(api.get('/v2.1/flavors?is_public=false')) == ['42']
    assert _ids(api.get('/v2.1/flavors?is_public=true')) == ['1', '2']
    # non-admins only ever see public flavors
    assert _ids(api.get('/v2.1/flavors?is_public=None', user='demo')) == ['1', '2']
    resp = api.get('/v2.1/flavors?is_public=maybe')
    assert resp.json['badRequest']['message'] == 'Invalid is_public filter [maybe]'


def test_min_filters_sort_and_paging(api):
    assert _ids(api.get('/v2.1/flavors?minRam=1024', user='demo')) == ['2']
    assert _ids(api.get('/v2.1/flavors?minDisk=5', user='demo')) == ['2']
    assert api.get('/v2.1/flavors?minRam=x').status_code == 400
    assert _ids(api.get('/v2.1/flavors?sort_key=memory_mb&sort_dir=desc',
                        user='demo')) == ['2', '1']
    resp = api.get('/v2.1/flavors?limit=1', user='demo')
    assert _ids(resp) == ['1']
    assert 'marker=1' in resp.json['flavors_links'][0]['href']
    assert _ids(api.get('/v2.1/flavors?limit=1&marker=1', user='demo')) == ['2']
    resp = api.get('/v2.1/flavors?marker=zzz', user='demo')
    assert resp.json['badRequest']['message'] == 'marker [zzz] not found'


def test_show_missing_is_404(api):
    resp = api.get('/v2.1/flavors/nope')
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'Flavor nope could not be found.'}}


def test_create_and_delete_as_admin(api):
    resp = api.post('/v2.1/flavors', {'flavor': {
        'name': 'm1.big', 'ram': '4096', 'vcpus': 4, 'disk': 40, 'id': '10',
        'OS-FLV-EXT-DATA:ephemeral': 5, 'swap': 512, 'rxtx_factor': 2.0,
        'os-flavor-access:is_public': False, 'description': 'big one'}}, version='2.55')
    assert resp.status_code == 200, resp.text
    flavor = resp.json['flavor']
    assert (flavor['id'], flavor['ram'], flavor['swap'], flavor['description']) == \
        ('10', 4096, 512, 'big one')
    assert flavor['os-flavor-access:is_public'] is False
    resp = api.post('/v2.1/flavors', {'flavor': {'name': 'm1.big', 'ram': 1, 'vcpus': 1,
                                                 'disk': 0}})
    assert resp.status_code == 409
    assert resp.json['conflictingRequest']['message'] == \
        'Flavor with name m1.big already exists.'
    generated = api.post('/v2.1/flavors', {'flavor': {'name': 'auto', 'ram': 1, 'vcpus': 1,
                                                      'disk': 0}}).json['flavor']
    assert len(generated['id']) == 36
    assert api.delete('/v2.1/flavors/10').status_code == 202
    assert api.get('/v2.1/flavors/10').status_code == 404


def test_create_validation_and_policy(api):
    resp = api.post('/v2.1/flavors', {'flavor': {'name': 'x', 'ram': 0, 'vcpus': 1,
                                                 'disk': 0}})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'].startswith(
        'Invalid input for field/attribute ram. Value: 0.')
    resp = api.post('/v2.1/flavors', {'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1,
                                                 'disk': 0, 'description': 'd'}},
                    version='2.54')
    assert "'description' was unexpected" in resp.json['badRequest']['message']
    resp = api.post('/v2.1/flavors', {'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1,
                                                 'disk': 0}}, user='demo')
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == \
        "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed."
    assert api.delete('/v2.1/flavors/1', user='demo').status_code == 403


def test_update_description_from_2_55(api):
    body = {'flavor': {'description': 'tiny'}}
    assert api.put('/v2.1/flavors/1', body, version='2.54').status_code == 404
    resp = api.put('/v2.1/flavors/1', body, version='2.55')
    assert resp.status_code == 200
    assert resp.json['flavor']['description'] == 'tiny'
    assert api.put('/v2.1/flavors/1', body, user='demo', version='2.55').status_code == 403


def test_extra_specs_crud(api):
    base = '/v2.1/flavors/1/os-extra_specs'
    assert api.get(base, user='demo').json == {'extra_specs': {}}
    resp = api.post(base, {'extra_specs': {'hw:numa_nodes': 2, 'quota:x': True}})
    assert resp.json == {'extra_specs': {'hw:numa_nodes': '2', 'quota:x': 'True'}}
    assert api.get(base + '/hw:numa_nodes', user='demo').json == {'hw:numa_nodes': '2'}
    resp = api.put(base + '/hw:numa_nodes', {'hw:numa_nodes': '1'})
    assert resp.json == {'hw:numa_nodes': '1'}
    resp = api.put(base + '/hw:numa_nodes', {'other': '1'})
    assert resp.json['badRequest']['message'] == 'Request body and URI mismatch'
    resp = api.put(base + '/a', {'a': '1', 'b': '2'})
    assert resp.status_code == 400
    assert api.delete(base + '/quota:x').status_code == 200
    assert api.get(base).json == {'extra_specs': {'hw:numa_nodes': '1'}}
    resp = api.get(base + '/quota:x')
    assert resp.json['itemNotFound']['message'] == \
        'Flavor 1 has no extra specs with key quota:x.'
    assert api.post(base, {'extra_specs': {'a': 'b'}}, user='demo').status_code == 403
    assert api.delete(base + '/hw:numa_nodes', user='demo').status_code == 403
    assert api.get('/v2.1/flavors/99/os-extra_specs').status_code == 404
