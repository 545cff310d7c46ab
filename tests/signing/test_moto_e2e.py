"""End to end: moto's S3 server with IAM auth enforced accepts our signature and rejects a wrong secret.

Small on purpose (the publisher's tests cover S3 behaviour). moto in server mode verifies the
signature against the *decoded* path, so keys with ``$ + =`` or non-ASCII characters fail there
even for boto3; this test uses a seed-style key with ':' only.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import ThreadedMotoServer

from mapper.signing import (
    AwsCredentials,
    PayloadHashMode,
    SigV4Signer,
    StaticCredentialProvider,
    encode_s3_path,
)

REGION = "us-east-1"
BUCKET = f"mapper-signing-{uuid.uuid4().hex[:12]}"
# create_bucket, create_user, create_policy, attach_user_policy, create_access_key
_SETUP_ACTIONS = 5


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[tuple[str, int]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield host, port
    finally:
        server.stop()


@pytest.fixture
def iam_access_key(moto_endpoint: tuple[str, int], monkeypatch: pytest.MonkeyPatch) -> AwsCredentials:
    """An IAM user allowed s3:*, created while auth is still off; every later request is verified."""
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", _SETUP_ACTIONS)
    monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
    host, port = moto_endpoint
    client_args = {
        "endpoint_url": f"http://{host}:{port}",
        "region_name": REGION,
        "aws_access_key_id": "setup",
        "aws_secret_access_key": "setup",
    }
    boto3.client("s3", **client_args).create_bucket(Bucket=BUCKET)
    iam = boto3.client("iam", **client_args)
    iam.create_user(UserName="archiver")
    policy = iam.create_policy(
        PolicyName="archiver-s3",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    iam.attach_user_policy(UserName="archiver", PolicyArn=policy["Policy"]["Arn"])
    key = iam.create_access_key(UserName="archiver")["AccessKey"]
    return AwsCredentials(key["AccessKeyId"], key["SecretAccessKey"])


def _signed_put(
    endpoint: tuple[str, int],
    credentials: AwsCredentials,
    key: str,
    body: bytes,
    *,
    signed_host: str | None = None,
) -> tuple[int, bytes]:
    host, port = endpoint
    signer = SigV4Signer(
        region=REGION,
        service="s3",
        credentials=StaticCredentialProvider(credentials),
        double_encode=False,
        canonical_headers=["host", "x-amz-date"],
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )
    path = encode_s3_path(f"/{BUCKET}/{key}")
    host_header = f"{host}:{port}"  # non-default port: part of the Host header, so part of the signature
    headers = {"Content-Type": "application/json", "x-amz-meta-revision": "42"}
    headers.update(signer.sign("PUT", signed_host or host_header, path, "", headers, body))
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("PUT", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_moto_accepts_our_signature_and_rejects_a_wrong_secret(
    moto_endpoint: tuple[str, int], iam_access_key: AwsCredentials
) -> None:
    key = "com.acme:coffee-brewer:things:twin:events:modified:42"
    body = b'{"topic":"com.acme/coffee-brewer/things/twin/events/modified","revision":42}'

    status, answer = _signed_put(moto_endpoint, iam_access_key, key, body)
    assert status == 200, answer.decode(errors="replace")

    host, port = moto_endpoint
    stored = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name=REGION,
        aws_access_key_id=iam_access_key.access_key,
        aws_secret_access_key=iam_access_key.secret_key,
    ).get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == body
    assert stored["Metadata"] == {"revision": "42"}

    wrong = AwsCredentials(iam_access_key.access_key, iam_access_key.secret_key + "x")
    status, answer = _signed_put(moto_endpoint, wrong, key + ":tampered", body)
    assert status == 403
    assert b"SignatureDoesNotMatch" in answer

    # Ditto signs the host without its port; a server on a non-default port sees the port in Host
    status, answer = _signed_put(moto_endpoint, iam_access_key, key + ":noport", body, signed_host=host)
    assert status == 403
    assert b"SignatureDoesNotMatch" in answer
