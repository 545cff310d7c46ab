"""Fixtures for connection tests: the recorded twin-event log and small hand-made envelopes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONNECTIONS = FIXTURES / "connections"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def twin_events() -> list[dict[str, Any]]:
    return read_jsonl(FIXTURES / "events" / "twin-events.jsonl")


@pytest.fixture(scope="session")
def other_messages() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for name in ("live.jsonl", "announcements.jsonl", "commands.jsonl", "responses.jsonl"):
        messages.extend(read_jsonl(FIXTURES / "messages" / name))
    return messages


def make_event(
    topic: str = "com.acme/thing-1/things/twin/events/modified",
    path: str = "/attributes/location",
    value: Any = "kitchen",
    **more: Any,
) -> dict[str, Any]:
    """A small twin event envelope."""
    envelope: dict[str, Any] = {"topic": topic, "headers": {"correlation-id": "c-1"}, "path": path}
    if value is not ...:
        envelope["value"] = value
    envelope.update(more)
    return envelope


@pytest.fixture
def event() -> Any:
    """Factory for small twin event envelopes: ``event(path=..., value=..., **more)``."""
    return make_event
