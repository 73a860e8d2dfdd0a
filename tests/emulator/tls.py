"""Certificates made at start: a CA, a server certificate for loopback, and an app's client certificate."""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'backupops emulator'),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30)))


def _write(path, data):
    with open(path, 'wb') as handle:
        handle.write(data)
    os.chmod(path, 0o600)
    return path


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def make_self_signed(directory, name):
    """A self-signed certificate for loopback, as VB365 makes for its REST API by default: NAME.pem, NAME.key."""
    key = _key()
    subject = _name('localhost')
    cert = (_builder(subject, subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                        x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return (_write(os.path.join(directory, name + '.pem'), _pem(cert)),
            _write(os.path.join(directory, name + '.key'), _key_pem(key)))


def make_certificates(directory):
    """Write ca.pem, server.pem/server.key (for 127.0.0.1 and localhost) and client.pem/client.key."""
    ca_key = _key()
    ca_name = _name('backupops emulator CA')
    ca = (_builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server_key = _key()
    server = (_builder(_name('localhost'), ca_name, server_key.public_key())
              .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                          x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                             critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    client_key = _key()
    client_name = _name('backupops emulator app')
    client = _builder(client_name, client_name, client_key.public_key()).sign(client_key, hashes.SHA256())
    return dict(
        ca_path=_write(os.path.join(directory, 'ca.pem'), _pem(ca)),
        server_cert=_write(os.path.join(directory, 'server.pem'), _pem(server)),
        server_key=_write(os.path.join(directory, 'server.key'), _key_pem(server_key)),
        client_cert=_write(os.path.join(directory, 'client.pem'), _pem(client)),
        client_key=_write(os.path.join(directory, 'client.key'), _key_pem(client_key)),
    )
