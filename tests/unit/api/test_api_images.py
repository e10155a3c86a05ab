"""Compute /images, the Image API v2 shim and the Keystone v3 version document."""

from api_fixtures import IMAGE

SECRET = '70a599e0-31e7-49b7-b260-868f441e862b'


def test_compute_images_list_detail_show(api):
    resp = api.get('/v2.1/images', user='demo')
    assert resp.status_code == 200
    assert [i['id'] for i in resp.json['images']] == [IMAGE]  # private one hidden
    assert set(resp.json['images'][0]) == {'id', 'name', 'links'}
    image = api.get('/v2.1/images/detail', user='demo').json['images'][0]
    assert image['status'] == 'ACTIVE' and image['progress'] == 100
    assert image['metadata'] == {'os_distro': 'cirros'}
    assert image['OS-EXT-IMG-SIZE:size'] == 13287936
    assert image['created'].endswith('Z')
    assert [link['rel'] for link in image['links']] == ['self', 'bookmark', 'alternate']
    assert api.get('/v2.1/images/%s' % IMAGE, user='demo').json['image']['name'] == 'cirros'
    assert api.get('/v2.1/images/%s' % SECRET, user='demo').status_code == 404
    assert api.get('/v2.1/images/%s' % SECRET).status_code == 200  # admin
    assert len(api.get('/v2.1/images?name=cirros', user='demo').json['images']) == 1
    page = api.get('/v2.1/images?limit=1').json
    assert len(page['images']) == 1 and 'images_links' in page


def test_compute_images_gone_from_2_36(api):
    assert api.get('/v2.1/images', version='2.35').status_code == 200
    resp = api.get('/v2.1/images', version='2.36')
    assert resp.status_code == 404
    assert api.get('/v2.1/images/%s' % IMAGE, version='2.36').status_code == 404


def test_glance_version_document_is_public(api):
    resp = api.get('/image/v2', user=None)
    assert resp.status_code == 200
    current = resp.json['versions'][0]
    assert current['id'] == 'v2.16' and current['status'] == 'CURRENT'
    assert current['links'][0]['href'].endswith('/image/v2/')


def test_glance_images(api):
    resp = api.get('/image/v2/images', user='notused')
    assert resp.status_code == 200
    images = resp.json['images']
    assert [i['id'] for i in images] == [IMAGE]
    assert images[0]['status'] == 'active' and images[0]['os_distro'] == 'cirros'
    assert images[0]['self'] == '/v2/images/%s' % IMAGE
    # what the openstack CLI asks for to name images in "server list"
    resp = api.get('/image/v2/images', user='notused',
                   params={'id': 'in:%s,other' % IMAGE})
    assert [i['name'] for i in resp.json['images']] == ['cirros']
    assert api.get('/image/v2/images?name=nope').json['images'] == []
    resp = api.get('/image/v2/images?limit=1')
    assert resp.json['next'].startswith('/v2/images?marker=')
    assert api.get('/image/v2/images/%s' % IMAGE, user='x').json['name'] == 'cirros'
    assert api.get('/image/v2/images/%s' % SECRET, user='x').status_code == 404
    assert api.get('/image/v2/images', user=None).status_code == 401


def test_identity_version_document(api):
    resp = api.get('/identity/v3', user=None)
    assert resp.status_code == 200
    assert resp.json['version']['id'] == 'v3.14'
    assert resp.json['version']['status'] == 'stable'
    assert resp.json['version']['links'][0]['href'].endswith('/identity/v3/')
