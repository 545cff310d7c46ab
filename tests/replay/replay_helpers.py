"""A tiny real pipeline for the replay tests (JSON line -> job), importable as ``replay_helpers``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from mapper.errors import ProtocolError
from mapper.outcome import OutcomeKind, TargetOutcome
from mapper.replay.reader import InputRecord


@dataclass(frozen=True)
class KeyedJob:
    """A job as the pipeline would build it: key, content digest, the bytes to store."""

    key: str
    content_digest: bytes
    payload: bytes
    target: int = 0


def job_for(key: str, payload: bytes, target: int = 0) -> KeyedJob:
    return KeyedJob(key, hashlib.blake2b(payload, digest_size=8).digest(), payload, target)


def json_prepare(record: InputRecord) -> list[TargetOutcome | KeyedJob]:
    """Parse the line as JSON; ``{"id": ..., "drop": true, "filter": true}`` steer the outcome."""
    event = json.loads(record.text)
    if not isinstance(event, dict) or "id" not in event:
        raise ProtocolError("missing", field="id")
    if event.get("filter"):
        return [TargetOutcome(OutcomeKind.FILTERED)]
    if event.get("drop"):
        return [TargetOutcome(OutcomeKind.DROPPED)]
    return [job_for(str(event["id"]), record.text.encode("utf-8"))]


def published(job: KeyedJob) -> TargetOutcome:
    return TargetOutcome(OutcomeKind.PUBLISHED, target=job.target, key=job.key, status=201, attempts=1)


def records(lines: Iterable[str], source: str = "events.jsonl") -> list[InputRecord]:
    return [InputRecord(source, i, text, None, 0) for i, text in enumerate(lines, start=1)]
