"""AWS SigV4 request signing with Ditto's ``aws4-hmac-sha256`` options.

``AwsSigningParameters`` parses a connection's ``credentials.parameters``;
``SigV4Signer.from_parameters(params)`` signs requests; ``encode_s3_path`` turns an object
key into the wire path; credentials come from the parameters or the standard AWS chain.
"""

from mapper.signing.credentials import (
    AwsCredentials,
    BotocoreCredentialProvider,
    ChainCredentialProvider,
    CredentialProvider,
    StaticCredentialProvider,
    credential_provider_for,
)
from mapper.signing.params import AwsSigningParameters, PayloadHashMode
from mapper.signing.sigv4 import SigV4Signer, encode_s3_path

__all__ = [
    "AwsCredentials",
    "AwsSigningParameters",
    "BotocoreCredentialProvider",
    "ChainCredentialProvider",
    "CredentialProvider",
    "PayloadHashMode",
    "SigV4Signer",
    "StaticCredentialProvider",
    "credential_provider_for",
    "encode_s3_path",
]
