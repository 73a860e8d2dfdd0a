# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AvePoint Online Services tokens: OAuth 2.0 client credentials with a client secret or a certificate.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The certificate flow signs a JWT client assertion (RS256) with the app's private key. AvePoint's own
samples disagree on what the identity service needs (``kid`` thumbprint or ``x5t``; ``client_id`` in the
body or not), so the assertion carries both headers and the body carries ``client_id``.
"""

import base64
import json
import time
import traceback
import uuid
from types import SimpleNamespace

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._tokens import BearerToken


ASSERTION_LIFETIME = 300
JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'


def load_cryptography():
    """The parts of cryptography the certificate flow uses, imported on first use: a run with a client secret or a
    token never needs them, and importing them costs more than the rest of a module's start-up."""
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    return SimpleNamespace(x509=x509, hashes=hashes, serialization=serialization, padding=padding, rsa=rsa)


def cryptography_import_error():
    """None where cryptography can be imported, else the traceback of the failed import (for fail_json)."""
    try:
        load_cryptography()
    except ImportError:
        return traceback.format_exc()
    return None


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _read(option, path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError) as error:
        raise OptionError('%s: cannot read %s: %s' % (option, path, error.strerror or error),
                          option=option, value=path)


class ClientCertificate:
    """An app registration's certificate and private key (PEM), checked to belong together."""

    def __init__(self, certificate_path, private_key_path):
        crypto = self._crypto = load_cryptography()
        certificate_pem = _read('certificate_path', certificate_path)
        key_pem = _read('private_key_path', private_key_path)
        try:
            self.certificate = crypto.x509.load_pem_x509_certificate(certificate_pem)
        except ValueError as error:
            raise OptionError('certificate_path: %s is not a PEM certificate (%s)' % (certificate_path, error),
                              option='certificate_path', value=certificate_path)
        try:
            self.private_key = crypto.serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError) as error:
            raise OptionError('private_key_path: %s is not an unencrypted PEM private key (%s)'
                              % (private_key_path, error), option='private_key_path', value=private_key_path)
        if not isinstance(self.private_key, crypto.rsa.RSAPrivateKey):
            raise OptionError('private_key_path: %s holds a %s key; AvePoint signs client assertions with RSA (RS256)'
                              % (private_key_path, type(self.private_key).__name__.replace('_', '')),
                              option='private_key_path', value=private_key_path)
        if self.private_key.public_key().public_numbers() != self.certificate.public_key().public_numbers():
            raise OptionError('private_key_path: the key in %s does not belong to the certificate in %s'
                              % (private_key_path, certificate_path),
                              option='private_key_path', value=private_key_path)
        sha1 = self.certificate.fingerprint(crypto.hashes.SHA1())  # nosec - a thumbprint, as x5t defines it
        self.x5t = _b64url(sha1)
        self.thumbprint = sha1.hex().upper()

    def assertion(self, client_id, audience, now=None):
        """A signed JWT: iss = sub = client id, aud = the token URL, a fresh jti, valid for five minutes."""
        issued = int(now if now is not None else time.time())
        header = dict(alg='RS256', typ='JWT', x5t=self.x5t, kid=self.thumbprint)
        claims = dict(iss=client_id, sub=client_id, aud=audience, jti=str(uuid.uuid4()),
                      iat=issued, nbf=issued, exp=issued + ASSERTION_LIFETIME)
        signing_input = '%s.%s' % (_b64url(json.dumps(header, separators=(',', ':')).encode()),
                                   _b64url(json.dumps(claims, separators=(',', ':')).encode()))
        signature = self.private_key.sign(signing_input.encode('ascii'), self._crypto.padding.PKCS1v15(),
                                          self._crypto.hashes.SHA256())
        return '%s.%s' % (signing_input, _b64url(signature))


class ClientCredentialsToken(BearerToken):
    """An AvePoint token from the client-credentials grant, with a client secret or a certificate."""

    def __init__(self, http, token_url, client_id, scope, client_secret=None, certificate=None,
                 access_token=None, on_token=None):
        super().__init__(http, token_url, access_token=access_token, on_token=on_token)
        self.client_id = client_id
        self.scope = scope
        self._client_secret = client_secret
        self._certificate = certificate

    @property
    def holder(self):
        return 'client_id %s, scope %s' % (self.client_id, self.scope)

    def _obtain(self):
        form = dict(grant_type='client_credentials', client_id=self.client_id, scope=self.scope)
        if self._certificate is not None:
            form.update(client_assertion_type=JWT_BEARER,
                        client_assertion=self._certificate.assertion(self.client_id, self.token_url))
        else:
            form['client_secret'] = self._client_secret
        self._post_form(form, 'The identity service refused client_id %s for scope %s: check the app registration, '
                              'its credential and that it was granted this service' % (self.client_id, self.scope))
