"""mapper: archive Ditto twin events to S3 through sandboxed Ditto-compatible JavaScript mappings."""

from mapper.errors import (
    ConfigError,
    CredentialsError,
    InvalidKeyError,
    MapperError,
    MappingError,
    MappingResultError,
    ProtocolError,
    PublishConflictError,
    PublishError,
    ScriptLimitError,
    ScriptSyntaxError,
    SigningError,
    TransportError,
)
from mapper.protocol.external import ExternalMessage

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "CredentialsError",
    "ExternalMessage",
    "InvalidKeyError",
    "MapperError",
    "MappingError",
    "MappingResultError",
    "ProtocolError",
    "PublishConflictError",
    "PublishError",
    "ScriptLimitError",
    "ScriptSyntaxError",
    "SigningError",
    "TransportError",
    "__version__",
]
