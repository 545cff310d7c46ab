"""Fixtures for the JavaScript engine tests: the seed's S3 script and sample envelopes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seed_script import SEED_AS_PRINTED as SEED_SCRIPT_AS_PRINTED

REPO_ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture
def seed_script_as_printed() -> str:
    """The seed's S3 mapping exactly as the seed document prints it (broken)."""
    return SEED_SCRIPT_AS_PRINTED


@pytest.fixture
def seed_script() -> str:
    """The seed's S3 mapping, corrected."""
    return (REPO_ROOT / "mappings" / "s3-per-revision.js").read_text(encoding="utf-8")


@pytest.fixture
def envelope() -> dict:
    """A thing-modified twin event as Ditto sends it (revision beyond 32 bits on purpose)."""
    return {
        "topic": "com.acme/coffee-brewer/things/twin/events/modified",
        "headers": {"correlation-id": "c-1", "requested-acks": ["twin-persisted"], "ditto-originator": "x"},
        "path": "/features/tank/properties/level",
        "value": {"level": 42.5, "ok": True, "big": 2**40},
        "revision": 2**33 + 7,
        "timestamp": "2024-05-01T12:34:56.789Z",
        "extra": {"attributes": {"room": "kitchen"}},
    }


@pytest.fixture
def envelope_json(envelope: dict) -> str:
    return json.dumps(envelope)
