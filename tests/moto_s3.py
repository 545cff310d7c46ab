"""The moto server handle the ``moto_server`` fixture (tests/conftest.py) yields.

A module of its own so tests can ``from moto_s3 import MotoS3`` for type hints: importing from
``conftest`` is ambiguous when several test directories have a conftest.py.
"""

from __future__ import annotations

import dataclasses

MOTO_REGION = "us-east-1"


@dataclasses.dataclass(frozen=True)
class MotoS3:
    """A running moto server that verifies every SigV4 signature, and credentials it accepts."""

    endpoint_url: str
    access_key: str
    secret_key: str = dataclasses.field(repr=False)
    region: str = MOTO_REGION

    def client(self, secret_key: str | None = None):  # -> botocore S3 client
        """A boto3 S3 client (path-style) signed with this server's IAM user's key."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )
