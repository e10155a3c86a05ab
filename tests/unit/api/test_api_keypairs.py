"""/os-keypairs and the KeypairAPI (generation, import, fingerprints, quota)."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from novalite import exception
from novalite.compute import keypairs

BASE = '/v2.1/os-keypairs'


def _md5_fingerprint(public_key):
    blob = base64.b64decode(public_key.split()[1])
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def test_generate_returns_private_key_and_openssh_public_key(api):
    resp = api.post(BASE, {'keypair': {'name': 'gen'}}, user='demo')
    assert resp.status_code == 200  # 2.1: 200, 2.2+: 201
    keypair = resp.json['keypair']
    assert set(keypair) == {'name', 'public_key', 'fingerprint', 'user_id', 'private_key'}
    assert keypair['public_key'].startswith('ssh-rsa ')
    assert keypair['fingerprint'] == _md5_fingerprint(keypair['public_key'])
    assert keypair['private_key'].startswith('-----BEGIN RSA PRIVATE KEY-----')
    key = serialization.load_pem_private_key(keypair['private_key'].encode(), None)
    assert key.key_size == 2048


def test_import_and_show_list_delete_at_2_2(api):
    _, public = keypairs.generate_ssh_key()
    resp = api.post(BASE, {'keypair': {'name': 'imp', 'public_key': public}},
                    user='demo', version='2.2')
    assert resp.status_code == 201
    assert 'private_key' not in resp.json['keypair']
    assert resp.json['keypair']['type'] == 'ssh'
    listed = api.get(BASE, user='demo', version='2.2').json['keypairs']
    assert listed == [{'keypair': {'name': 'imp', 'public_key': public, 'type': 'ssh',
                                   'fingerprint': _md5_fingerprint(public)}}]
    shown = api.get(BASE + '/imp', user='demo', version='2.2').json['keypair']
    assert shown['user_id'] == 'demo' and shown['deleted'] is False
    assert api.delete(BASE + '/imp', user='demo', version='2.2').status_code == 204
    assert api.get(BASE + '/imp', user='demo').status_code == 404


def test_delete_is_202_before_2_2(api):
    api.post(BASE, {'keypair': {'name': 'k'}}, user='demo')
    assert api.delete(BASE + '/k', user='demo').status_code == 202


def test_bad_public_key_and_name(api):
    resp = api.post(BASE, {'keypair': {'name': 'bad', 'public_key': 'ssh-rsa nope'}},
                    user='demo')
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == \
        'Keypair data is invalid: failed to generate fingerprint'
    resp = api.post(BASE, {'keypair': {'name': 'a/b'}}, user='demo')
    assert resp.json['badRequest']['message'] == \
        'Keypair data is invalid: Keypair name contains unsafe characters'


def test_duplicate_is_409(api):
    api.post(BASE, {'keypair': {'name': 'dup'}}, user='demo')
    resp = api.post(BASE, {'keypair': {'name': 'dup'}}, user='demo')
    assert resp.status_code == 409
    assert resp.json['conflictingRequest']['message'] == "Key pair 'dup' already exists."


def test_x509_generation_and_import(api):
    resp = api.post(BASE, {'keypair': {'name': 'cert', 'type': 'x509'}}, user='demo',
                    version='2.2')
    keypair = resp.json['keypair']
    assert keypair['type'] == 'x509'
    assert keypair['public_key'].startswith('-----BEGIN CERTIFICATE-----')
    assert len(keypair['fingerprint'].split(':')) == 20
    resp = api.post(BASE, {'keypair': {'name': 'cert2', 'type': 'x509',
                                       'public_key': keypair['public_key']}},
                    user='demo', version='2.2')
    assert resp.json['keypair']['fingerprint'] == keypair['fingerprint']
    resp = api.post(BASE, {'keypair': {'name': 'x', 'type': 'x509'}}, user='demo')
    assert "'type' was unexpected" in resp.json['badRequest']['message']


def test_public_key_required_from_2_92(api):
    resp = api.post(BASE, {'keypair': {'name': 'gen'}}, user='demo', version='2.92')
    assert resp.status_code == 400
    assert "'public_key' is a required property" in resp.json['badRequest']['message']
    _, public = keypairs.generate_ssh_key()
    resp = api.post(BASE, {'keypair': {'name': 'me@host.x', 'public_key': public}},
                    user='demo', version='2.92')
    assert resp.status_code == 201


def test_admin_manages_other_users_keys_from_2_10(api):
    resp = api.post(BASE, {'keypair': {'name': 'k', 'user_id': 'bob'}}, version='2.10')
    assert resp.json['keypair']['user_id'] == 'bob'
    assert [k['keypair']['name'] for k in
            api.get(BASE + '?user_id=bob', version='2.10').json['keypairs']] == ['k']
    assert api.get(BASE + '/k', user='bob').status_code == 200
    resp = api.post(BASE, {'keypair': {'name': 'k2', 'user_id': 'bob'}}, user='demo',
                    version='2.10')
    assert resp.status_code == 403
    assert api.get(BASE + '?user_id=bob', user='demo', version='2.10').status_code == 403


def test_paging_from_2_35(api):
    for name in ('a', 'b', 'c'):
        api.post(BASE, {'keypair': {'name': name}}, user='demo')
    resp = api.get(BASE + '?limit=2', user='demo', version='2.35')
    assert [k['keypair']['name'] for k in resp.json['keypairs']] == ['a', 'b']
    assert 'marker=b' in resp.json['keypairs_links'][0]['href']
    resp = api.get(BASE + '?limit=2&marker=b', user='demo', version='2.35')
    assert [k['keypair']['name'] for k in resp.json['keypairs']] == ['c']
    # before 2.35 paging parameters are ignored
    assert len(api.get(BASE + '?limit=1', user='demo').json['keypairs']) == 3


def test_quota(api, db):
    db.quota_set('demo', 'key_pairs', 1)
    assert api.post(BASE, {'keypair': {'name': 'one'}}, user='demo').status_code == 200
    resp = api.post(BASE, {'keypair': {'name': 'two'}}, user='demo')
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == 'Quota exceeded, too many key pairs.'


def test_fingerprint_helpers():
    with pytest.raises(exception.Invalid):
        keypairs.x509_fingerprint('not a cert')
    _, public = keypairs.generate_ssh_key()
    assert keypairs.ssh_fingerprint(public) == _md5_fingerprint(public)
