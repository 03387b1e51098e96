"""X.509 certificates for synthetic TLS servers, the same bytes on every run.

Keys are Ed25519, derived from the names they certify (Ed25519 signatures
are deterministic and DER is canonical), so a server's certificate depends
only on its name, issuer and validity: no key files to ship, no randomness.
"""

from __future__ import annotations

import datetime
import hashlib


def _key(label: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"fklab-tls-key/{label}".encode()).digest())


def _name(common_name: str, organization: str | None = None):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "US")] if organization else []
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _when(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def make_chain(server_name: str, *, issuer: str, organization: str, not_before: int,
               valid_days: int) -> tuple[list[bytes], dict]:
    """DER of the server certificate and its issuing CA certificate, and the server one's truth."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ca_key, key = _key(f"ca/{organization}/{issuer}"), _key(f"server/{server_name}/{organization}/{issuer}")
    ca_name = _name(issuer, organization)
    serial = int.from_bytes(hashlib.sha256(f"{server_name}/{not_before}".encode()).digest()[:16], "big") >> 1
    ca_start = not_before - 400 * 86_400
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(serial ^ 1)
               .not_valid_before(_when(ca_start)).not_valid_after(_when(ca_start + 5 * 365 * 86_400))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(ca_key, None))
    end = not_before + valid_days * 86_400
    cert = (x509.CertificateBuilder().subject_name(_name(server_name)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(_when(not_before)).not_valid_after(_when(end))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(server_name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, None))
    der = cert.public_bytes(serialization.Encoding.DER)
    truth = {
        "subject": f"CN={server_name}",
        "issuer": f"C=US, O={organization}, CN={issuer}",
        "serial": f"{serial:x}",
        "not_before": _when(not_before).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": _when(end).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": hashlib.sha256(der).hexdigest(),
        "sha1": hashlib.sha1(der).hexdigest(),
    }
    return [der, ca_cert.public_bytes(serialization.Encoding.DER)], truth
