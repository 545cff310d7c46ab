"""Ditto Protocol: the topic, the envelope and the external message.

The envelope API is small: :func:`validate_envelope` for the per-event hot path,
:func:`parse_envelope` / :class:`Envelope` for a typed view, :func:`parse_topic` / :class:`Topic`.
"""

from mapper.protocol.envelope import (
    CONTENT_TYPE,
    MERGE_PATCH_CONTENT_TYPE,
    Envelope,
    loads_json,
    parse_envelope,
    validate_envelope,
)
from mapper.protocol.external import ExternalMessage
from mapper.protocol.topic import Topic, parse_topic

__all__ = [
    "CONTENT_TYPE",
    "MERGE_PATCH_CONTENT_TYPE",
    "Envelope",
    "ExternalMessage",
    "Topic",
    "loads_json",
    "parse_envelope",
    "parse_topic",
    "validate_envelope",
]
