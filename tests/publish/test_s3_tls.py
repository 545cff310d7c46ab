"""S3Publisher over HTTPS: a local TLS server with a self-signed certificate.

The certificate is trusted through ``ssl_context`` (what an operator does for a private CA or a
MinIO with its own certificate); without it the handshake fails with a clear, non-retried error.
The request still arrives signed and byte for byte as over plain HTTP.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from fault_server import FaultServer
from publish_support import s3_signer
from tls_certificate import self_signed_certificate

from mapper.errors import TransportError
from mapper.protocol.external import ExternalMessage
from mapper.publish.endpoint import S3Endpoint
from mapper.publish.retry import RetryPolicy
from mapper.publish.s3 import S3Publisher


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert PEM, key PEM)."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(certificate):
    cert_file, key_file = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with FaultServer(tls=context) as server:
        yield server


def _message(key: str) -> ExternalMessage:
    return ExternalMessage({"http.path": key, "x-amz-meta-a": "1"}, '{"v": 1}', None, "application/json")


def test_https_with_a_trusted_private_certificate(tls_server, certificate):
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    endpoint = S3Endpoint.from_ditto_uri(
        "https://archive.s3.eu-central-1.amazonaws.com:443", endpoint_url=tls_server.url
    )
    assert endpoint.scheme == "https"
    signer = s3_signer("AKIATLS", "tls-secret", "eu-central-1")
    with S3Publisher(endpoint, signer, ssl_context=trusted, concurrency=2) as publisher:
        results = [publisher.publish(_message(f"dir/key {i}:x")) for i in range(5)]
        stats = publisher.stats
    assert [r.status for r in results] == [200] * 5
    first = tls_server.requests[0]
    assert first.raw_path == "/archive/dir/key%200%3Ax"
    assert first.header("Host") == f"127.0.0.1:{tls_server.port}"
    assert first.header("Authorization").startswith("AWS4-HMAC-SHA256 Credential=AKIATLS/")
    assert first.body == b'{"v": 1}'
    # keep-alive works over TLS too: one handshake for five sequential requests
    assert tls_server.connections == 1 and stats.connections_opened == 1


def test_untrusted_certificate_fails_at_once_naming_the_endpoint(tls_server):
    # the default context trusts only the system CAs: the self-signed certificate is refused
    endpoint = S3Endpoint.from_ditto_uri(tls_server.url)
    retry = RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.001)
    with S3Publisher(endpoint, None, retry=retry) as publisher, pytest.raises(TransportError) as caught:
        publisher.publish(_message("k"))
    text = str(caught.value)
    assert f"TLS certificate of 127.0.0.1:{tls_server.port} not trusted" in text
    assert "self-signed" in text or "self signed" in text
    assert caught.value.attempts == 1  # a certificate problem does not go away by retrying
    assert tls_server.requests == []


def test_plain_http_to_a_tls_port_is_a_transport_error(tls_server):
    endpoint = S3Endpoint.from_ditto_uri(tls_server.url.replace("https://", "http://"))
    retry = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001)
    with (
        S3Publisher(endpoint, None, retry=retry, read_timeout=2.0) as publisher,
        pytest.raises(TransportError) as caught,
    ):
        publisher.publish(_message("k"))
    assert f"PUT to 127.0.0.1:{tls_server.port} failed" in str(caught.value)
