"""Helpers shared by the publisher tests (a uniquely named module: ``conftest`` is ambiguous)."""

from __future__ import annotations

from mapper.signing.credentials import AwsCredentials, StaticCredentialProvider
from mapper.signing.params import PayloadHashMode
from mapper.signing.sigv4 import SigV4Signer


def s3_signer(access_key: str, secret_key: str, region: str = "us-east-1") -> SigV4Signer:
    """A signer configured like Ditto's documented S3 connection (doubleEncode false, INCLUDED)."""
    return SigV4Signer(
        region=region,
        service="s3",
        credentials=StaticCredentialProvider(AwsCredentials(access_key, secret_key)),
        double_encode=False,
        canonical_headers=("host", "x-amz-date"),
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )
