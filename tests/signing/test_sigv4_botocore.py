"""Property tests: our signatures equal botocore's for random keys, queries, headers and bodies.

botocore is the oracle. Its ``S3SigV4Auth`` signs every header present (minus a small
blacklist) and uses the already-encoded URL path as the canonical URI, so each example
configures our ``canonical_headers`` to the non-``x-amz-*`` headers it sends; ``x-amz-*``
headers are signed by us anyway. No Date header: botocore would drop X-Amz-Date for it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mapper.signing import (
    AwsCredentials,
    PayloadHashMode,
    SigV4Signer,
    StaticCredentialProvider,
    encode_s3_path,
)

REGION = "eu-central-1"

# any Unicode but lone surrogates, with S3's troublesome characters made frequent
_KEY_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from([*" :$+=@~&;,?#%/.!*'()[]{}<>|\\^`\"", "//", "./", "../", "ሴ", "é", "😀"]),
)
object_keys = st.lists(_KEY_CHARS, min_size=1, max_size=40).map("".join)

# (URL netloc, Host header as sent): the default port is not part of the Host header
hosts = st.sampled_from(
    [
        ("bucket.s3.eu-central-1.amazonaws.com", "bucket.s3.eu-central-1.amazonaws.com"),
        ("127.0.0.1:5000", "127.0.0.1:5000"),
        ("localhost:80", "localhost"),
        ("s3.eu-central-1.amazonaws.com", "s3.eu-central-1.amazonaws.com"),
    ]
)

_query_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
queries = st.lists(st.tuples(_query_text.filter(bool), st.one_of(st.none(), _query_text)), max_size=4).map(
    lambda pairs: "&".join(
        quote(k, safe="-_.~") + ("" if v is None else "=" + quote(v, safe="-_.~")) for k, v in pairs
    )
)

_token_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
_header_value = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_meta_headers = st.dictionaries(
    st.text(_token_chars, min_size=1, max_size=10).map(lambda s: "X-Amz-Meta-" + s), _header_value, max_size=3
)
_plain_headers = st.dictionaries(
    st.sampled_from(["Content-Type", "Content-MD5", "Cache-Control", "If-None-Match", "Content-Encoding"]),
    _header_value,
    max_size=3,
)

credentials = st.tuples(
    st.text(_token_chars, min_size=1, max_size=20),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
    st.one_of(st.none(), st.text(_token_chars + "/+=", min_size=1, max_size=40)),
)

fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _botocore_sign(
    auth_cls: type, service: str, creds: tuple, method: str, url: str, headers: dict, body: bytes
):
    access_key, secret_key, token = creds
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    auth_cls(Credentials(access_key, secret_key, token), service, REGION).add_auth(request)
    return request


def _our_signer(service: str, creds: tuple, headers: dict, *, double_encode: bool, mode: PayloadHashMode):
    access_key, secret_key, token = creds
    return SigV4Signer(
        region=REGION,
        service=service,
        credentials=StaticCredentialProvider(AwsCredentials(access_key, secret_key, token)),
        double_encode=double_encode,
        canonical_headers=["host", *(name for name in headers if not name.lower().startswith("x-amz-"))],
        payload_hash_mode=mode,
    )


def _signed_at(request: AWSRequest) -> datetime:
    return datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


@fast
@given(
    key=object_keys,
    host=hosts,
    query=queries,
    meta=_meta_headers,
    plain=_plain_headers,
    body=st.binary(max_size=600),
    creds=credentials,
    method=st.sampled_from(["PUT", "GET", "POST", "DELETE"]),
)
def test_s3_signature_matches_botocore(key, host, query, meta, plain, body, creds, method) -> None:
    netloc, host_header = host
    path = encode_s3_path("/" + key)
    headers = {**plain, **meta}
    url = f"http://{netloc}{path}" + (f"?{query}" if query else "")
    expected = _botocore_sign(S3SigV4Auth, "s3", creds, method, url, headers, body)

    signer = _our_signer("s3", creds, headers, double_encode=False, mode=PayloadHashMode.INCLUDED)
    added = signer.sign(method, host_header, path, query, headers, body, now=_signed_at(expected))

    assert added["authorization"] == expected.headers["Authorization"]
    assert added["x-amz-content-sha256"] == expected.headers["X-Amz-Content-SHA256"]
    assert added.get("x-amz-security-token") == expected.headers.get("X-Amz-Security-Token")


@fast
@given(
    segments=st.lists(object_keys, min_size=1, max_size=4),
    trailing_slash=st.booleans(),
    query=queries,
    body=st.binary(max_size=200),
    creds=credentials,
)
def test_double_encoded_signature_matches_botocore_for_other_services(
    segments, trailing_slash, query, body, creds
) -> None:
    # botocore (non-S3) also removes dot segments; Ditto does not, so keep them out of this comparison
    wire_segments = [encode_s3_path(s).replace("/", "%2F") for s in segments]
    assume(all(s not in (".", "..") for s in wire_segments))
    path = "/" + "/".join(wire_segments) + ("/" if trailing_slash else "")
    url = f"https://service.eu-central-1.amazonaws.com{path}" + (f"?{query}" if query else "")
    expected = _botocore_sign(SigV4Auth, "service", creds, "POST", url, {}, body)

    signer = _our_signer("service", creds, {}, double_encode=True, mode=PayloadHashMode.EXCLUDED)
    added = signer.sign(
        "POST", "service.eu-central-1.amazonaws.com", path, query, {}, body, now=_signed_at(expected)
    )
    assert added["authorization"] == expected.headers["Authorization"]


@fast
@given(key=object_keys)
def test_encode_s3_path_matches_urllib_quote(key: str) -> None:
    assert encode_s3_path("/" + key) == quote("/" + key, safe="/~")


def test_repeated_header_names_in_different_case_match_botocore() -> None:
    # two entries that differ only in case are two header lines on the wire: values joined by ','
    headers = {"X-Amz-Meta-Tag": "  a   b ", "x-amz-meta-tag": "c", "Content-Type": "application/json"}
    creds = ("AKIAEXAMPLE", "secret", None)
    expected = _botocore_sign(S3SigV4Auth, "s3", creds, "PUT", "http://b.example.com/k", headers, b"{}")
    signer = _our_signer("s3", creds, headers, double_encode=False, mode=PayloadHashMode.INCLUDED)
    added = signer.sign("PUT", "b.example.com", "/k", "", headers, b"{}", now=_signed_at(expected))
    assert added["authorization"] == expected.headers["Authorization"]
    assert "x-amz-meta-tag:a b,c\n" in signer.canonical_request(
        "PUT", "b.example.com", "/k", "", headers, b"{}", now=_signed_at(expected)
    )
