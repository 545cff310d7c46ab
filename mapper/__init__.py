"""mapper: archive Ditto twin events to S3 through sandboxed Ditto-compatible JavaScript mappings.

The public API, re-exported here (see README "Embedding in a connector"):

- :class:`Pipeline` — build from a Ditto connection, feed Ditto Protocol messages, get one
  :class:`TargetOutcome` per target (sync, asyncio, thread-safe);
- :func:`load_connection` / :class:`Connection` — Ditto connection JSON as configuration;
- :class:`MappingEngine` / :func:`check_script` / :class:`SandboxLimits` — the JavaScript engine;
- :class:`SigV4Signer`, :class:`S3Publisher`, :class:`S3Endpoint`, :class:`DirectoryPublisher` —
  the publishing parts, usable on their own;
- :func:`run_replay` / :class:`ReplayOptions` / :class:`ReplayReport` — batch replay;
- the exceptions, all under :class:`MapperError`.
"""

from mapper.connection.model import Connection, load_connection
from mapper.errors import (
    ConfigError,
    CredentialsError,
    InvalidKeyError,
    MalformedJSONError,
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
from mapper.javascript import MappingEngine, SandboxLimits, check_script
from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.pipeline import Pipeline, PipelineCounters
from mapper.protocol import Envelope, ExternalMessage, parse_envelope, validate_envelope
from mapper.publish import PublishResult, RetryPolicy, S3Endpoint, S3Publisher
from mapper.publish.directory import DirectoryPublisher
from mapper.replay.report import ReplayReport
from mapper.replay.session import ReplayOptions, run_replay
from mapper.signing import AwsSigningParameters, SigV4Signer

__version__ = "0.1.0"

__all__ = [
    "AwsSigningParameters",
    "ConfigError",
    "Connection",
    "CredentialsError",
    "DirectoryPublisher",
    "Envelope",
    "ExternalMessage",
    "InvalidKeyError",
    "MalformedJSONError",
    "MapperError",
    "MappingEngine",
    "MappingError",
    "MappingResultError",
    "OutcomeKind",
    "Pipeline",
    "PipelineCounters",
    "ProtocolError",
    "PublishConflictError",
    "PublishError",
    "PublishResult",
    "ReplayOptions",
    "ReplayReport",
    "RetryPolicy",
    "S3Endpoint",
    "S3Publisher",
    "SandboxLimits",
    "ScriptLimitError",
    "ScriptSyntaxError",
    "SigV4Signer",
    "SigningError",
    "Stage",
    "TargetOutcome",
    "TransportError",
    "__version__",
    "check_script",
    "load_connection",
    "parse_envelope",
    "run_replay",
    "validate_envelope",
]
