"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
MAPPINGS = REPO_ROOT / "mappings"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


# --- moto S3 with IAM authentication enforced (shared by publish, pipeline and replay tests) -----
#
# moto runs in a child process rather than as an in-process ThreadedMotoServer: turning IAM
# authentication on is a process-wide moto setting, which would break any test in this session
# that uses moto's in-process mock with dummy credentials; a child process also serves on the
# second core instead of competing with the test's own threads for the GIL.

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from moto_s3 import MOTO_REGION, MotoS3  # noqa: E402  (tests import MotoS3 from moto_s3)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoS3]:
    """moto in a child process, IAM auth on; an IAM user with an s3:* policy and an access key."""
    pytest.importorskip("moto")
    import boto3

    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["MOTO_PORT"] = str(port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        # Authentication is still off: create the IAM user, its policy and its key.
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=MOTO_REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="archiver")
        policy = iam.create_policy(
            PolicyName="archiver-s3",
            PolicyDocument='{"Version": "2012-10-17", "Statement": '
            '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
        )
        iam.attach_user_policy(UserName="archiver", PolicyArn=policy["Policy"]["Arn"])
        key = iam.create_access_key(UserName="archiver")["AccessKey"]
        # From now on every request must carry a valid signature of a known key.
        reset = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(reset, timeout=5):
            pass
        yield MotoS3(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def s3_bucket(moto_server: MotoS3) -> str:
    """A fresh, empty bucket on the moto server (its name)."""
    name = f"test-{uuid.uuid4().hex[:20]}"
    moto_server.client().create_bucket(Bucket=name)
    return name
