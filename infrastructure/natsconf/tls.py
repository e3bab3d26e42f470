"""A development CA and a server certificate for the kiosk bus's TLS (never for production: use the agency's CA)."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA, SERVER = "ca", "server"


def dev_ca(directory: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "nats")) -> dict[str, Path]:
    """`ca.pem` and `server.pem`/`server.key.pem` (for every host of `hosts`) in `directory`; existing files are
    kept. The CA's private key is not kept: a new server certificate means a new development CA."""
    paths = {name: directory / f"{name}.pem" for name in (CA, SERVER)} | {"server_key": directory / "server.key.pem"}
    if all(path.is_file() for path in paths.values()):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Một Cửa Dev NATS CA")])
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True, hosts=())
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    server = _certificate(server_name, ca_name, server_key.public_key(), ca_key, ca=False, hosts=hosts)
    paths[CA].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[SERVER].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["server_key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths["server_key"].chmod(0o600)
    return paths


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public: ec.EllipticCurvePublicKey,
    signer: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    hosts: tuple[str, ...],
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * (5 if ca else 1)))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if hosts:
        names = [_general_name(host) for host in hosts]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)
