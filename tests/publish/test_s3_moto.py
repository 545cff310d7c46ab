"""S3Publisher against moto with IAM authentication on: every request's signature is verified."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from publish_support import s3_signer

from mapper.errors import PublishConflictError, PublishError
from mapper.protocol.external import ExternalMessage
from mapper.publish.endpoint import S3Endpoint
from mapper.publish.retry import RetryPolicy
from mapper.publish.s3 import S3Publisher

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01)


def _publisher(moto_server, bucket: str, *, secret: str | None = None, **options) -> S3Publisher:
    endpoint = S3Endpoint.from_ditto_uri(
        f"https://{bucket}.s3.us-east-1.amazonaws.com:443", endpoint_url=moto_server.endpoint_url
    )
    signer = s3_signer(moto_server.access_key, secret or moto_server.secret_key)
    options.setdefault("retry", FAST_RETRY)
    return S3Publisher(endpoint, signer, **options)


def _message(key: str, payload: str = '{"value": 42}', content_type: str = "application/json", **headers):
    return ExternalMessage({"http.path": key, **headers}, payload, None, content_type)


SEED_KEY = "com.acme:coffee-brewer:things:twin:events:modified:42"


@pytest.mark.parametrize(
    "key",
    [
        SEED_KEY,
        "folder/" + SEED_KEY,
        "with space/and more spaces",
        "at@sign~tilde",
        "double//slash",
        "trailing/",
        "semi;colon,comma&amp'quote(paren)!*",
    ],
)
def test_put_is_stored_byte_for_byte(moto_server, s3_bucket, key):
    payload = '{"topic": "com.acme/coffee-brewer/things/twin/events/modified", "revision": 42}'
    with _publisher(moto_server, s3_bucket) as publisher:
        result = publisher.publish(_message(key, payload))
    assert (result.key, result.status, result.attempts, result.already_archived) == (key, 200, 1, False)
    stored = moto_server.client().get_object(Bucket=s3_bucket, Key=key)
    assert stored["Body"].read() == payload.encode()
    assert stored["ContentType"] == "application/json"
    assert result.etag == '"' + hashlib.md5(payload.encode()).hexdigest() + '"'


def test_http_path_without_leading_slash_and_byte_payload(moto_server, s3_bucket):
    body = bytes(range(256)) * 10
    message = ExternalMessage({"http.path": "/bin/blob.dat"}, None, body, "application/octet-stream")
    with _publisher(moto_server, s3_bucket) as publisher:
        assert publisher.publish(message).key == "bin/blob.dat"
    assert moto_server.client().get_object(Bucket=s3_bucket, Key="bin/blob.dat")["Body"].read() == body


def test_mapped_headers_become_http_headers_reserved_ones_do_not(moto_server, s3_bucket):
    message = _message(
        "meta",
        **{
            "x-amz-meta-thing": "com.acme:brewer",
            "Cache-Control": "no-cache",
            "http.query": "",
            "connection": "x",
        },
    )
    with _publisher(moto_server, s3_bucket) as publisher:
        publisher.publish(message)
    head = moto_server.client().head_object(Bucket=s3_bucket, Key="meta")
    assert head["Metadata"] == {"thing": "com.acme:brewer"}
    assert head["CacheControl"] == "no-cache"


def test_s3_url_endpoint_prefixes_keys(moto_server, s3_bucket):
    endpoint = S3Endpoint.from_s3_url(
        f"s3://{s3_bucket}/archive", region="us-east-1", endpoint_url=moto_server.endpoint_url
    )
    signer = s3_signer(moto_server.access_key, moto_server.secret_key)
    with S3Publisher(endpoint, signer) as publisher:
        result = publisher.publish(_message(SEED_KEY))
    assert result.key == "archive/" + SEED_KEY
    moto_server.client().head_object(Bucket=s3_bucket, Key="archive/" + SEED_KEY)


def test_wrong_secret_is_a_clear_403_without_retries(moto_server, s3_bucket):
    wrong = "x" * 40
    with _publisher(moto_server, s3_bucket, secret=wrong) as publisher:
        with pytest.raises(PublishError) as caught:
            publisher.publish(_message(SEED_KEY))
        assert publisher.stats.requests == 1
    error = caught.value
    assert str(error).startswith("403 SignatureDoesNotMatch: ")
    assert (error.status, error.code, error.attempts, error.key) == (
        403,
        "SignatureDoesNotMatch",
        1,
        SEED_KEY,
    )
    assert wrong not in str(error) and moto_server.secret_key not in str(error)


def test_missing_bucket_is_404_no_such_bucket(moto_server):
    with _publisher(moto_server, "no-such-bucket-here") as publisher, pytest.raises(PublishError) as caught:
        publisher.publish(_message(SEED_KEY))
    assert str(caught.value).startswith("404 NoSuchBucket: ")
    assert caught.value.attempts == 1


def test_no_overwrite_same_content_is_already_archived(moto_server, s3_bucket):
    with _publisher(moto_server, s3_bucket, no_overwrite=True) as publisher:
        first = publisher.publish(_message(SEED_KEY))
        second = publisher.publish(_message(SEED_KEY))
        stats = publisher.stats
    assert (first.status, first.already_archived) == (200, False)
    assert (second.status, second.already_archived, second.attempts) == (412, True, 2)
    assert second.etag == first.etag
    assert (stats.published, stats.already_archived) == (1, 1)


def test_no_overwrite_different_content_is_a_conflict(moto_server, s3_bucket):
    with _publisher(moto_server, s3_bucket, no_overwrite=True) as publisher:
        publisher.publish(_message(SEED_KEY, '{"v": 1}'))
        with pytest.raises(PublishConflictError) as caught:
            publisher.publish(_message(SEED_KEY, '{"v": 2}'))
    assert caught.value.key == SEED_KEY and caught.value.status == 412
    assert moto_server.client().get_object(Bucket=s3_bucket, Key=SEED_KEY)["Body"].read() == b'{"v": 1}'


def test_content_md5_is_sent_and_accepted(moto_server, s3_bucket):
    with _publisher(moto_server, s3_bucket, content_md5=True) as publisher:
        result = publisher.publish(_message("md5-checked"))
    assert result.status == 200


def test_sixteen_threads_publish_500_objects_losing_nothing(moto_server, s3_bucket):
    keys = [f"com.acme:device-{i % 7}:things:twin:events:modified:{i}" for i in range(500)]
    with _publisher(moto_server, s3_bucket, concurrency=16) as publisher, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda k: publisher.publish(_message(k, f'{{"rev": "{k}"}}')), keys))
        stats = publisher.stats
    assert sorted(r.key for r in results) == sorted(keys)
    assert all(r.status == 200 for r in results)
    assert stats.published == 500 and stats.failed == 0
    # (no keep-alive assertion here: moto's werkzeug server answers HTTP/1.0 and closes every connection)
    client = moto_server.client()
    listed = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket):
        listed += [obj["Key"] for obj in page.get("Contents", [])]
    assert sorted(listed) == sorted(keys)
    sample = keys[123]
    assert client.get_object(Bucket=s3_bucket, Key=sample)["Body"].read() == f'{{"rev": "{sample}"}}'.encode()
