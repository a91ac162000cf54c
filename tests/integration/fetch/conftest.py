"""Fixtures for the fetcher integration tests (servers and resolver in ``fetch_testnet``)."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Callable, Iterator

import pytest
from fetch_testnet import (
    CLOSED_V4,
    PUBLIC_V4,
    PUBLIC_V4_B,
    PUBLIC_V6,
    TLS_V4,
    CanaryHandler,
    CountingServer,
    SiteHandler,
    StubResolver,
    TestCA,
)

from core.fetch import FetchPolicy, SafeFetcher


def _serve(server: CountingServer) -> Iterator[CountingServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def canary() -> Iterator[CountingServer]:
    yield from _serve(CountingServer(CanaryHandler))


@pytest.fixture(scope="session")
def site() -> Iterator[CountingServer]:
    yield from _serve(CountingServer(SiteHandler))


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """A CA and a leaf certificate for ``secure.test`` (made with ``cryptography``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "article-ingest test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secure.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("secure.test")]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TestCA(ca_file, cert_file, key_file)


@pytest.fixture(scope="session")
def tls_site(test_ca: TestCA) -> Iterator[CountingServer]:
    server = CountingServer(SiteHandler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(test_ca.cert_file, test_ca.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


@pytest.fixture
def resolver(
    canary: CountingServer, site: CountingServer, tls_site: CountingServer
) -> StubResolver:
    closed = CountingServer(CanaryHandler)  # bind, then close: a port nobody listens on
    closed_port = closed.port
    closed.server_close()
    return StubResolver(
        names={
            "public.test": [PUBLIC_V4],
            "www.public.test": [PUBLIC_V4_B],
            "robots.test": [PUBLIC_V4],
            "robots5xx.test": [PUBLIC_V4],
            "rfc9309.test": [PUBLIC_V4],
            "slowrobots.test": [PUBLIC_V4],
            "hostilerobots.test": [PUBLIC_V4],
            "v6.public.test": [PUBLIC_V6],
            "xn--bcher-kva.test": [PUBLIC_V4],
            "secure.test": [TLS_V4],
            "wrongname.test": [TLS_V4],
            "closed.test": [CLOSED_V4],
            "internal.test": ["127.0.0.1"],
            "metadata.test": ["169.254.169.254"],
            "ecs.test": ["169.254.170.2"],
            "mixed.test": [PUBLIC_V4, "10.0.0.5"],
            "v6meta.test": ["fd00:ec2::254"],
            "mapped.test": ["::ffff:10.0.0.1"],
            "nat64.test": ["64:ff9b::a9fe:a9fe"],
            "cgnat.test": ["100.64.0.1"],
            "private.test": ["192.168.0.10"],
            "rebind.test": [[PUBLIC_V4], ["127.0.0.1"]],
        },
        routes={
            PUBLIC_V4: ("127.0.0.1", site.port),
            PUBLIC_V4_B: ("127.0.0.1", site.port),
            PUBLIC_V6: ("127.0.0.1", site.port),
            TLS_V4: ("127.0.0.1", tls_site.port),
            CLOSED_V4: ("127.0.0.1", closed_port),
        },
        canary_port=canary.port,
    )


@pytest.fixture
def make_fetcher(
    resolver: StubResolver,
    canary: CountingServer,
    site: CountingServer,
    tls_site: CountingServer,
    test_ca: TestCA,
) -> Callable[..., SafeFetcher]:
    """Build a fetcher whose allowed ports include the local servers' ports."""

    def build(**overrides: object) -> SafeFetcher:
        options: dict[str, object] = {
            "allowed_ports": {80, 443, canary.port, site.port, tls_site.port},
            "per_host_delay_s": 0.0,
            "per_host_concurrency": 4,
            "deadline_s": 5.0,
            "connect_timeout_s": 2.0,
            "read_timeout_s": 2.0,
            "max_body_bytes": 1_000_000,
            "extra_ca_certs": str(test_ca.ca_file),
        }
        options.update(overrides)
        return SafeFetcher(FetchPolicy(**options), resolver=resolver)  # type: ignore[arg-type]

    return build
