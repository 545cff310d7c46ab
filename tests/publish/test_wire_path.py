"""What goes on the wire: the raw request line, headers and signature, checked by a real server.

moto's server mode cannot verify signatures for keys with ``$ + =`` or non-ASCII characters (it
checks the decoded path), so these keys are checked here: the fault server records the raw request
target and recomputes the signature with botocore (the independent oracle) from what it received.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from urllib.parse import quote

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from fault_server import FaultServer, RecordedRequest, Reply, s3_error
from publish_support import s3_signer

from mapper.errors import InvalidKeyError, PublishError
from mapper.protocol.external import ExternalMessage
from mapper.publish.endpoint import S3Endpoint
from mapper.publish.retry import RetryPolicy
from mapper.publish.s3 import S3Publisher
from mapper.signing.sigv4 import encode_s3_path

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/[^,]+, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)


def botocore_verifier(request: RecordedRequest) -> Reply:
    """Accept the request only if botocore computes the same signature from what was received."""
    match = _AUTH.match(request.header("Authorization") or "")
    if not match or match.group(1) != ACCESS_KEY:
        return s3_error(403, "AccessDenied", "no or unknown credentials")
    if request.header("x-amz-content-sha256") != hashlib.sha256(request.body).hexdigest():
        return s3_error(400, "XAmzContentSHA256Mismatch", "body hash differs")
    signed_names = match.group(2).split(";")
    headers = {name: request.header(name) for name in signed_names}
    aws_request = AWSRequest(
        method=request.method, url=f"http://{request.header('Host')}{request.raw_path}", headers=headers
    )
    aws_request.context["timestamp"] = request.header("x-amz-date")
    auth = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1")
    string_to_sign = auth.string_to_sign(aws_request, auth.canonical_request(aws_request))
    expected = auth.signature(string_to_sign, aws_request)
    if not hmac.compare_digest(expected, match.group(3)):
        return s3_error(403, "SignatureDoesNotMatch", "botocore computed a different signature")
    return Reply(200, headers={"ETag": '"' + hashlib.md5(request.body).hexdigest() + '"'})


@pytest.fixture
def verifying_server():
    with FaultServer(default=botocore_verifier) as server:
        yield server


def _publisher(server: FaultServer, secret: str = SECRET_KEY) -> S3Publisher:
    endpoint = S3Endpoint.from_ditto_uri(
        "https://archive.s3.us-east-1.amazonaws.com:443", endpoint_url=server.url
    )
    return S3Publisher(endpoint, s3_signer(ACCESS_KEY, secret))


KEYS = [
    "com.acme:coffee-brewer:things:twin:events:modified:42",
    "dollar$plus+equals=",
    "grüße/käse/日本語/emoji-🙂",
    "with space & ampersand?question#hash%percent",
    "a/./b/../c",
    "..",
    "./leading-dot",
    "double//slash/",
    "tilde~at@comma,semicolon;",
]


@pytest.mark.parametrize("key", KEYS)
def test_raw_path_is_the_encoded_key_and_the_signature_verifies(verifying_server, key):
    with _publisher(verifying_server) as publisher:
        result = publisher.publish(ExternalMessage({"http.path": key}, "payload", None, "text/plain"))
    assert result.status == 200 and result.key == key
    (request,) = verifying_server.requests
    # path-style on the override host, dot segments and '//' intact, encoded exactly once
    assert request.raw_path == "/archive" + encode_s3_path("/" + key)
    assert request.raw_path == "/archive/" + quote(key.encode("utf-8"), safe="/~")
    assert request.header("Host") == f"127.0.0.1:{verifying_server.port}"
    assert request.body == b"payload"


def test_botocore_verifier_rejects_a_wrong_secret(verifying_server):
    with (
        _publisher(verifying_server, secret="not-the-secret") as publisher,
        pytest.raises(PublishError) as caught,
    ):
        publisher.publish(ExternalMessage({"http.path": "k"}, "x", None, None))
    assert caught.value.code == "SignatureDoesNotMatch"


def test_http_query_replaces_the_query_and_is_signed(verifying_server):
    message = ExternalMessage({"http.path": "k", "http.query": "tagging=&b=2%203"}, "x", None, None)
    with _publisher(verifying_server) as publisher:
        publisher.publish(message)
    (request,) = verifying_server.requests
    assert request.raw_path == "/archive/k?tagging=&b=2%203"


def test_headers_on_the_wire(verifying_server):
    message = ExternalMessage(
        {
            "http.path": "k",
            "http.query": "",
            "x-amz-meta-revision": "42",
            "content-type": "ignored/because-contentType-wins",
            "Host": "evil.example",
            "Content-Length": "999",
            "Transfer-Encoding": "chunked",
            "Authorization": "forged",
            "x-amz-date": "19700101T000000Z",
            "Cache-Control": "no-store",
        },
        "body",
        None,
        "application/json",
    )
    with _publisher(verifying_server) as publisher:
        publisher.publish(message)
    (request,) = verifying_server.requests
    names = [name.lower() for name, _ in request.headers]
    assert len(names) == len(set(names)), "no header sent twice"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Content-Length") == "4"
    assert request.header("Cache-Control") == "no-store"
    assert request.header("x-amz-meta-revision") == "42"
    assert request.header("Transfer-Encoding") is None
    assert not any(name.startswith("http.") for name in names)
    assert "x-amz-meta-revision" in request.header("Authorization")  # every x-amz-* header is signed


def test_unsigned_publisher_sends_no_authorization():
    with FaultServer() as server:
        endpoint = S3Endpoint.from_ditto_uri(server.url, target_address="POST:/ingest")
        with S3Publisher(endpoint, None) as publisher:
            result = publisher.publish(ExternalMessage({}, "x", None, None))
        (request,) = server.requests
    assert (request.method, request.raw_path, result.key) == ("POST", "/ingest", "ingest")
    assert request.header("Authorization") is None


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "empty"),
        ("/", "empty"),
        ("nul\x00byte", "NUL"),
        ("k" * 1025, "1025 bytes"),
        ("ü" * 513, "1026 bytes"),
        ("lone\ud800surrogate", "surrogate"),
    ],
)
def test_invalid_keys_are_refused_before_sending(key, reason):
    with FaultServer() as server, S3Publisher(S3Endpoint.from_ditto_uri(server.url), None) as publisher:
        with pytest.raises(InvalidKeyError, match=reason):
            publisher.publish(ExternalMessage({"http.path": key}, "x", None, None))
        assert server.requests == [] and publisher.stats.requests == 0 and publisher.stats.failed == 1


def test_longest_allowed_key_is_sent(verifying_server):
    key = "k" * 1024
    with _publisher(verifying_server) as publisher:
        assert publisher.publish(ExternalMessage({"http.path": key}, "x", None, None)).status == 200


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"bad header": "x"}, "not a valid HTTP header name"),
        ({"x-amz-meta-a": "line\r\nInjected: yes"}, "control character"),
        ({"x-amz-meta-a": "nul\x00byte"}, "control character"),
        ({"x-amz-meta-a": "naïve"}, "non-ASCII"),
        ({"x-amz-meta-note": "温度 23°C"}, "non-ASCII.*RFC 2047"),  # not Latin-1: http.client would crash
        ({"x-amz-meta-a": 5}, "must have a string value, got int"),
        ({"x-amz-meta-a": None}, "must have a string value, got NoneType"),
        ({7: "x"}, "header name 7 is not a valid"),
        ({"content-type": "text/plain; name=温度"}, "content type has non-ASCII"),
        ({"http.query": "a b"}, "percent-encode"),
        ({"http.query": "q=温度"}, "non-ASCII"),
        ({"http.query": 5}, "'http.query' header must be a string"),
    ],
)
def test_unsendable_headers_are_clear_errors(headers, message):
    with FaultServer() as server, S3Publisher(S3Endpoint.from_ditto_uri(server.url), None) as publisher:
        with pytest.raises(PublishError, match=message) as caught:
            publisher.publish(ExternalMessage({"http.path": "k", **headers}, "x", None, None))
        assert server.requests == [] and publisher.stats.failed == 1
    assert caught.value.code in ("InvalidHeader", "InvalidQuery") and caught.value.key == "k"


def test_a_non_string_http_path_is_an_invalid_key():
    with FaultServer() as server, S3Publisher(S3Endpoint.from_ditto_uri(server.url), None) as publisher:
        with pytest.raises(InvalidKeyError, match=r"'http\.path' header must be a string, got int"):
            publisher.publish(ExternalMessage({"http.path": 42}, "x", None, None))
        assert server.requests == []


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        # what a JavaScript mapping returns for 'bad\ud800text': a lone surrogate, not UTF-8-encodable
        (ExternalMessage({"http.path": "k"}, "bad\ud800text", None, "text/plain"), "lone surrogate"),
        (ExternalMessage({"http.path": "k"}, 42, None, None), "text payload must be a string"),  # type: ignore[arg-type]
        (ExternalMessage({"http.path": "k"}, None, "text", None), "byte payload must be bytes"),  # type: ignore[arg-type]
    ],
)
def test_payloads_that_cannot_be_sent_are_clear_errors(message, fragment):
    with FaultServer() as server, S3Publisher(S3Endpoint.from_ditto_uri(server.url), None) as publisher:
        with pytest.raises(PublishError, match=fragment) as caught:
            publisher.publish(message)
        assert server.requests == [] and publisher.stats.failed == 1
    assert caught.value.code == "InvalidPayload"


def test_secrets_never_in_logs_errors_or_reprs(caplog):
    caplog.set_level(logging.DEBUG, logger="mapper")
    with FaultServer() as server:
        server.script(
            s3_error(503, "SlowDown", "slow"), Reply(200), s3_error(403, "SignatureDoesNotMatch", "bad")
        )
        endpoint = S3Endpoint.from_ditto_uri("https://b.s3.us-east-1.amazonaws.com", endpoint_url=server.url)
        retry = RetryPolicy(base_delay=0.001, max_delay=0.001)
        with S3Publisher(endpoint, s3_signer(ACCESS_KEY, SECRET_KEY), retry=retry) as publisher:
            publisher.publish(ExternalMessage({"http.path": "k"}, "x", None, None))
            with pytest.raises(PublishError) as caught:
                publisher.publish(ExternalMessage({"http.path": "k"}, "x", None, None))
            texts = [
                caplog.text,
                str(caught.value),
                repr(caught.value),
                repr(publisher),
                repr(publisher.stats),
            ]
    assert "retrying 'k'" in caplog.text  # the retry was logged...
    for text in texts:  # ...without the secret or a signature
        assert SECRET_KEY not in text and "Signature=" not in text
