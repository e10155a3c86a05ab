"""Key pairs: generate (RSA 2048) or import SSH keys and x509 certificates, per user.

Fingerprints are computed as Nova does: MD5 of the OpenSSH key blob for ``ssh``
keys, SHA1 of the DER certificate for ``x509``, both as colon-separated hex.
"""

import base64
import datetime
import hashlib
import string

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from novalite import exception
from novalite.compute import quotas as quota_mod

KEY_TYPE_SSH = 'ssh'
KEY_TYPE_X509 = 'x509'

_SAFE_CHARS = frozenset('_- ' + string.digits + string.ascii_letters)
# Nova 2.92 also lets key pair names contain '@' and '.'.
_SAFE_CHARS_292 = _SAFE_CHARS | frozenset('@.')


def _colon_hex(digest):
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _invalid(reason):
    return exception.Invalid('Keypair data is invalid: %s' % reason)


def ssh_fingerprint(public_key):
    """MD5 of the key blob, ``aa:bb:...``; 400 if ``public_key`` is not an SSH public key."""
    try:
        key = serialization.load_ssh_public_key(public_key.strip().encode('utf-8'))
        blob = key.public_bytes(serialization.Encoding.OpenSSH,
                                serialization.PublicFormat.OpenSSH).split(b' ')[1]
    except (ValueError, IndexError, TypeError, AttributeError,
            NotImplementedError, UnicodeError):
        raise _invalid('failed to generate fingerprint') from None
    return _colon_hex(hashlib.md5(base64.b64decode(blob), usedforsecurity=False).hexdigest())


def x509_fingerprint(pem):
    """SHA1 of the certificate, ``aa:bb:...``; 400 if ``pem`` is not a PEM certificate."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode('utf-8'))
    except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
        raise _invalid('failed to generate X509 fingerprint. Error message: %s'
                       % exc) from None
    # SHA1 is what Nova shows for certificates; it identifies, it does not protect.
    return _colon_hex(cert.fingerprint(hashes.SHA1()).hex())


def generate_ssh_key(comment='Generated-by-novalite'):
    """A new RSA 2048 key: (private PEM, OpenSSH public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode('ascii')
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode('ascii')
    return private, '%s %s\n' % (public, comment)


def generate_x509_cert(user_id, days=3650):
    """A new self-signed certificate for ``user_id``: (private PEM, certificate PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id or 'novalite')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode('ascii')
    return private, cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


class KeypairAPI:
    """Create, import, list, show and delete a user's key pairs (quota ``key_pairs``)."""

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota_mod.QuotaEngine(conf, db)

    def create(self, project_id, user_id, name, key_type=KEY_TYPE_SSH, public_key=None,
               allow_special_chars=False):
        """Import ``public_key``, or generate one when it is None.

        Returns ``(keypair, private_key)``; ``private_key`` is None for an import.
        """
        self._check_name(name, allow_special_chars)
        self._check_quota(project_id, user_id)
        private_key = None
        if public_key is None:
            if key_type == KEY_TYPE_X509:
                private_key, public_key = generate_x509_cert(user_id)
            else:
                private_key, public_key = generate_ssh_key()
        if key_type == KEY_TYPE_X509:
            fingerprint = x509_fingerprint(public_key)
        else:
            fingerprint = ssh_fingerprint(public_key)
        keypair = self.db.keypair_create(user_id, name, public_key, fingerprint, key_type)
        return keypair, private_key

    def get(self, user_id, name):
        return self.db.keypair_get(user_id, name)

    def get_all(self, user_id, limit=None, marker=None):
        return self.db.keypair_get_all(user_id, limit=limit, marker=marker)

    def delete(self, user_id, name):
        self.db.keypair_delete(user_id, name)

    @staticmethod
    def _check_name(name, allow_special_chars):
        safe = _SAFE_CHARS_292 if allow_special_chars else _SAFE_CHARS
        if not all(c in safe for c in name):
            raise _invalid('Keypair name contains unsafe characters')
        if not 1 <= len(name) <= 255:
            raise _invalid('Keypair name must be string and between 1 and 255 characters '
                           'long')

    def _check_quota(self, project_id, user_id):
        limit = self.quotas.get_limits(project_id)['key_pairs']
        if 0 <= limit <= self.db.keypair_count(user_id):
            raise exception.QuotaExceeded('Quota exceeded, too many key pairs.')
