"""What happened to one message at one target: the unit of accounting for 'nothing is lost'."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OutcomeKind(str, enum.Enum):
    """How one message ended at one target."""

    FILTERED = "filtered"  # the target's topics / namespaces / RQL filter did not select it
    DROPPED = "dropped"  # the mapping returned null / [] on purpose
    PUBLISHED = "published"  # stored (2xx)
    ALREADY_ARCHIVED = "already_archived"  # no-overwrite: the same content was already stored
    FAILED = "failed"  # an error at some stage; goes to the dead-letter file in replay


class Stage(str, enum.Enum):
    """Where in the flow a failure happened."""

    PARSE = "parse"  # not JSON
    VALIDATE = "validate"  # not a valid Ditto Protocol envelope
    FILTER = "filter"  # the topic filter could not be evaluated
    MAP = "map"  # the JavaScript mapping failed
    HEADER_MAPPING = "header_mapping"  # a target headerMapping placeholder could not be resolved
    PUBLISH = "publish"  # S3 / HTTP / directory write failed after retries
    COLLISION = "collision"  # another event of this run already took the key


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    """The outcome of one message at one target (``target`` is the target's index in the connection)."""

    kind: OutcomeKind
    target: int = 0
    key: str | None = None
    status: int | None = None
    attempts: int = 0
    stage: Stage | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the message failed (filtered and dropped are deliberate, hence ok)."""
        return self.kind is not OutcomeKind.FAILED
