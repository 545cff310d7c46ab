"""Every fixture line is what fixtures/README.md says it is."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from mapper.errors import ProtocolError
from mapper.protocol import (
    CONTENT_TYPE,
    MERGE_PATCH_CONTENT_TYPE,
    ExternalMessage,
    loads_json,
    parse_envelope,
    parse_topic,
    validate_envelope,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
VALID_FILES = sorted([*FIXTURES.glob("events/*.jsonl"), *FIXTURES.glob("messages/*.jsonl")])


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in _lines(FIXTURES / "events" / "twin-events.jsonl")]


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_line_is_a_valid_envelope_that_round_trips(path: Path) -> None:
    lines = _lines(path)
    assert lines
    for number, line in enumerate(lines, 1):
        data = json.loads(line)
        assert validate_envelope(data) is data, f"{path.name}:{number}"
        assert parse_envelope(line).to_dict() == data, f"{path.name}:{number}"


def test_twin_events_revisions_increase_per_thing_and_timestamps_too() -> None:
    last: dict[str, tuple[int, str]] = {}
    for event in _events():
        topic = parse_topic(event["topic"])
        assert (topic.group, topic.channel, topic.criterion) == ("things", "twin", "events")
        revision, timestamp = event["revision"], event["timestamp"]
        if topic.thing_id in last:
            assert revision > last[topic.thing_id][0]
            assert timestamp > last[topic.thing_id][1]  # same format and zone: text order is time order
        last[topic.thing_id] = (revision, timestamp)
    assert {
        "com.acme:coffee-brewer",
        "com.acme.building:room 101",
        "org.example.sensors:meter$1+2=3@home~v2",
        "com.acme:咖啡机-東京-001",
        "com.acme:датчик-температуры-7",
        ":legacy-device",
        "com.acme.gateways:gw:eu:01",
    } <= set(last)


def _path_shape(path: str) -> str:
    """'/features/<id>/properties/<ptr>' style names for the paths REFERENCE.md lists."""
    parts = path.split("/")[1:]
    if path == "/":
        return "/"
    if parts[0] in ("definition", "policyId") or (parts[0] in ("attributes", "features") and len(parts) == 1):
        return "/" + parts[0]
    if parts[0] == "attributes":
        return "/attributes/<ptr>"
    if len(parts) == 2:
        return "/features/<id>"
    suffix = "" if len(parts) == 3 else "/<ptr>"
    return f"/features/<id>/{parts[2]}{suffix}"


def test_twin_events_cover_every_action_and_path() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for event in _events():
        seen[_path_shape(event["path"])].add(event["topic"].rsplit("/", 1)[1])
    shapes = {
        "/", "/attributes", "/attributes/<ptr>", "/definition", "/policyId", "/features", "/features/<id>",
        "/features/<id>/definition", "/features/<id>/properties", "/features/<id>/properties/<ptr>",
        "/features/<id>/desiredProperties", "/features/<id>/desiredProperties/<ptr>",
    }  # fmt: skip
    assert set(seen) == shapes
    assert seen["/"] == {"created", "modified", "merged", "deleted"}
    assert set().union(*seen.values()) == {"created", "modified", "merged", "deleted"}


def test_merged_events_are_merge_patches_and_deleted_events_have_no_value() -> None:
    events = _events()
    merged = [e for e in events if e["topic"].endswith("/merged")]
    assert merged and all(e["headers"]["content-type"] == MERGE_PATCH_CONTENT_TYPE for e in merged)
    assert any(None in _leaves(e["value"]) for e in merged), "some merge patch deletes with null"
    deleted = [e for e in events if e["topic"].endswith("/deleted")]
    assert deleted and all("value" not in e for e in deleted)
    assert any(e["path"] == "/" for e in deleted)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def test_message_fixtures_cover_the_documented_kinds() -> None:
    topics = {
        name: [
            parse_topic(json.loads(line)["topic"]) for line in _lines(FIXTURES / "messages" / f"{name}.jsonl")
        ]
        for name in ("commands", "responses", "live", "announcements")
    }
    assert {"create", "modify", "merge", "delete", "retrieve"} <= {t.action for t in topics["commands"]}
    assert any(t.criterion == "errors" for t in topics["responses"])
    assert any(
        t.channel == "live" and t.criterion == "messages" and "/" in (t.action or "") for t in topics["live"]
    )
    assert {t.group for t in topics["announcements"]} == {"policies", "connections"}
    errors = [
        json.loads(line) for line in _lines(FIXTURES / "messages" / "responses.jsonl") if "/errors" in line
    ]
    assert all(isinstance(e["status"], int) and e["value"]["status"] == e["status"] for e in errors)


def test_external_messages_parse_and_carry_what_the_readme_says() -> None:
    messages = [
        ExternalMessage.from_json_dict(json.loads(line))
        for line in _lines(FIXTURES / "external" / "incoming.jsonl")
    ]
    text, octets, unknown, utf8_octets = messages
    assert text.content_type == CONTENT_TYPE and text.byte_payload is None
    validate_envelope(json.loads(text.text_payload or ""))
    assert octets.content_type == "application/octet-stream" and octets.text_payload is None
    assert octets.byte_payload is not None and octets.byte_payload.isascii()
    validate_envelope(
        json.loads(octets.byte_payload.decode("latin-1"))
    )  # as Ditto's arrayBufferToString reads it
    assert unknown.content_type not in (CONTENT_TYPE, "application/octet-stream")
    assert utf8_octets.byte_payload is not None and not utf8_octets.byte_payload.isascii()
    validate_envelope(json.loads(utf8_octets.byte_payload.decode("utf-8")))
    raw = json.loads(_lines(FIXTURES / "external" / "incoming.jsonl")[1])["bytePayload"]
    assert base64.b64decode(raw) == octets.byte_payload


def _invalid_cases() -> list[tuple[str, dict[str, Any]]]:
    lines = _lines(FIXTURES / "invalid" / "envelopes.jsonl")
    expected = [json.loads(line) for line in _lines(FIXTURES / "invalid" / "envelopes.expected.jsonl")]
    assert [e["line"] for e in expected] == list(range(1, len(lines) + 1))
    return list(zip(lines, expected, strict=True))


@pytest.mark.parametrize(
    ("line", "expected"), _invalid_cases(), ids=lambda x: str(x["line"]) if isinstance(x, dict) else ""
)
def test_every_invalid_line_fails_on_its_expected_field(line: str, expected: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as info:
        validate_envelope(loads_json(line))
    assert info.value.field == expected["field"]
    assert expected["contains"] in str(info.value)
    with pytest.raises(ProtocolError) as typed:
        parse_envelope(line)
    assert str(typed.value) == str(info.value)
