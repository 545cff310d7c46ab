"""validate_envelope (hot path) and Envelope / parse_envelope (typed view): one set of rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.errors import MalformedJSONError, ProtocolError
from mapper.protocol import Envelope, Topic, loads_json, parse_envelope, parse_topic, validate_envelope

EVENT: dict[str, Any] = {
    "topic": "com.acme/coffee-brewer/things/twin/events/modified",
    "headers": {"correlation-id": "c-1", "version": 2, "requested-acks": []},
    "path": "/features/water-tank/properties/temperature",
    "value": 92.5,
    "revision": 42,
    "timestamp": "2024-05-06T12:00:00.123Z",
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**EVENT, **changes}


def _without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in EVENT.items() if k not in keys}


def test_valid_envelope_is_returned_unchanged() -> None:
    data = dict(EVENT)
    assert validate_envelope(data) is data
    assert data == EVENT


def test_minimal_envelope_and_all_optional_fields() -> None:
    validate_envelope({"topic": "_/c/connections/announcements/opened", "headers": {}, "path": "/"})
    full = _with(
        fields="thingId,attributes",
        extra={"attributes": {"location": "HQ"}},
        status=200,
        metadata={"features": {}},
        revision=0,
        timestamp="2024-05-06T12:00:00+02:00",
    )
    assert validate_envelope(full) is full


@pytest.mark.parametrize("key", ["fields", "extra", "status", "revision", "timestamp", "metadata"])
def test_optional_fields_read_null_as_absent(key: str) -> None:
    envelope = parse_envelope(_with(**{key: None}))
    assert getattr(envelope, key) is None


def test_unknown_top_level_keys_are_kept_like_ditto_ignores_them() -> None:
    data = _with(custom={"a": 1})
    assert validate_envelope(data) is data
    envelope = parse_envelope(data)
    assert envelope.model_extra == {"custom": {"a": 1}}
    assert envelope.to_dict() == data


def test_absent_value_differs_from_null_value() -> None:
    absent = parse_envelope(_without("value"))
    null = parse_envelope(_with(value=None))
    assert (absent.has_value, absent.value) == (False, None)
    assert (null.has_value, null.value) == (True, None)
    assert "value" not in absent.to_dict()
    assert null.to_dict()["value"] is None


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-05-06T12:00:00Z",
        "2024-05-06T12:00:00.1Z",
        "2024-05-06T12:00:00.123456789Z",
        "2024-05-06T12:00:00-05:30",
        "2024-02-29T23:59:59Z",
        "2024-01-31T00:00:00Z",
        "2023-12-30T00:00:00Z",
        "2024-05-06t12:00:00z",
    ],
)
def test_instants_java_parses_are_accepted(timestamp: str) -> None:
    validate_envelope(_with(timestamp=timestamp))


ERRORS = [
    (_without("topic"), "topic", "topic: is missing (every envelope needs topic, headers and path)"),
    (
        _without("headers", "path"),
        "headers",
        "headers: is missing (every envelope needs topic, headers and path)",
    ),
    (_with(topic=None), "topic", "topic: must be a string, got null"),
    (
        _with(topic="com.acme/b/thingz/twin/events/modified"),
        "topic",
        "topic: unknown group 'thingz' (expected things, policies, connections)"
        " in 'com.acme/b/thingz/twin/events/modified'",
    ),
    (_with(headers=[]), "headers", "headers: must be an object, got []"),
    (_with(headers=None), "headers", "headers: must be an object, got null"),
    (_with(path="attributes"), "path", "path: must start with '/', got \"attributes\""),
    (_with(path=7), "path", "path: must be a string, got 7"),
    (_with(revision="abc"), "revision", 'revision: must be a non-negative integer, got "abc"'),
    (_with(revision=-1), "revision", "revision: must be a non-negative integer, got -1"),
    (_with(revision=1.0), "revision", "revision: must be a non-negative integer, got 1.0"),
    (_with(revision=False), "revision", "revision: must be a non-negative integer, got false"),
    (_with(revision=2**63), "revision", f"revision: must be a non-negative integer, got {2**63}"),
    (
        _with(status=600),
        "status",
        "status: must be an HTTP status code (an integer from 100 to 599), got 600",
    ),
    (
        _with(status="200"),
        "status",
        'status: must be an HTTP status code (an integer from 100 to 599), got "200"',
    ),
    (
        _with(timestamp="2024-05-06 12:00:00Z"),
        "timestamp",
        'timestamp: must be an ISO-8601 instant like 2024-05-01T12:00:00.123Z, got "2024-05-06 12:00:00Z"',
    ),
    (
        _with(timestamp="2024-05-06T12:00Z"),
        "timestamp",
        'timestamp: must be an ISO-8601 instant like 2024-05-01T12:00:00.123Z, got "2024-05-06T12:00Z"',
    ),
    (
        _with(timestamp="2024-04-31T12:00:00Z"),
        "timestamp",
        'timestamp: is not a calendar date, got "2024-04-31T12:00:00Z"',
    ),
    (
        _with(timestamp="2024-02-30T00:00:00Z"),
        "timestamp",
        'timestamp: is not a calendar date, got "2024-02-30T00:00:00Z"',
    ),
    (_with(timestamp=0), "timestamp", "timestamp: must be an ISO-8601 instant string, got 0"),
    (_with(extra="x"), "extra", 'extra: must be an object, got "x"'),
    (_with(metadata=[1]), "metadata", "metadata: must be an object, got [1]"),
    (_with(fields=1), "fields", "fields: must be a string, got 1"),
    (_with(value="x" * 100, path="x"), "path", "path: must start with '/', got \"x\""),
    ([EVENT], None, "a Ditto Protocol envelope must be a JSON object, got array"),
    ("{}", None, "a Ditto Protocol envelope must be a JSON object, got string"),
]


@pytest.mark.parametrize(("data", "field", "message"), ERRORS)
def test_invalid_envelopes_name_field_and_reason(data: Any, field: str | None, message: str) -> None:
    with pytest.raises(ProtocolError) as fast:
        validate_envelope(data)
    assert (fast.value.field, str(fast.value)) == (field, message)
    with pytest.raises(ProtocolError) as model:
        Envelope.model_validate(data)
    assert (model.value.field, str(model.value)) == (field, message)


def test_long_offending_values_are_shortened() -> None:
    with pytest.raises(ProtocolError) as info:
        validate_envelope(_with(extra="y" * 500))
    assert str(info.value) == 'extra: must be an object, got "' + "y" * 56 + "..."


def test_parse_envelope_accepts_dict_text_and_bytes() -> None:
    text = json.dumps(EVENT, ensure_ascii=False)
    for source in (EVENT, text, text.encode("utf-8")):
        envelope = parse_envelope(source)
        assert envelope.topic == parse_topic(EVENT["topic"])
        assert envelope.thing_id == "com.acme:coffee-brewer"
        assert envelope.revision == 42
        assert envelope.to_dict() == EVENT
    assert json.loads(parse_envelope(EVENT).to_json()) == EVENT


def test_malformed_json_reports_line_and_column() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_envelope('{\n  "topic": "a/b/things/twin/events/created",\n  "headers": {,\n}')
    assert info.value.field is None
    assert (
        str(info.value)
        == "malformed JSON at line 3, column 15: Expecting property name enclosed in double quotes"
    )


def test_bytes_that_are_not_utf8_are_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match=r"^JSON text is not valid UTF-8 at byte 1"):
        parse_envelope(b'{\xff"topic": 1}')


def test_envelope_built_from_a_topic_object_and_is_frozen() -> None:
    topic = Topic("com.acme", "b", "things", "twin", "events", "deleted")
    envelope = Envelope(topic=topic, headers={}, path="/")  # type: ignore[arg-type]
    assert envelope.to_dict() == {
        "topic": "com.acme/b/things/twin/events/deleted",
        "headers": {},
        "path": "/",
    }
    with pytest.raises(Exception, match="frozen"):
        envelope.path = "/attributes"  # type: ignore[misc]


# ---- the hot path and the model never disagree -------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
# Per key: mostly plausible values (valid and near-miss) so both outcomes are explored, plus any JSON.
_candidates: dict[str, st.SearchStrategy[Any]] = {
    "topic": st.sampled_from(
        [
            "com.acme/b/things/twin/events/modified",
            "/b/things/live/messages/a/b",
            "_/c/connections/announcements/opened",
            "com.acme/b/things/twin/events/modify",
            "com.acme/b/policies/twin/errors",
            "x",
        ]
    ),
    "headers": st.dictionaries(st.text(max_size=5), _json, max_size=3),
    "path": st.sampled_from(["/", "/attributes/a", "attributes", "", "/features/f/properties/p"]),
    "value": _json,
    "fields": st.sampled_from(["thingId", "", None]),
    "extra": st.dictionaries(st.text(max_size=3), _json, max_size=2) | st.none(),
    "status": st.integers(min_value=-1, max_value=700) | st.none(),
    "revision": st.integers(min_value=-2, max_value=2**64) | st.none(),
    "timestamp": st.sampled_from(["2024-05-06T12:00:00Z", "2024-02-30T00:00:00Z", "2024-05-06", None]),
    "metadata": st.dictionaries(st.text(max_size=3), _json, max_size=2) | st.none(),
}


@st.composite
def _envelopes(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(_json)
    data: dict[str, Any] = {}
    for key, plausible in _candidates.items():
        roll = draw(st.integers(0, 9))
        if roll == 0 and key not in ("topic", "headers", "path"):
            continue
        if roll == 0 and draw(st.booleans()):
            continue  # a required key missing, sometimes
        data[key] = draw(_json) if roll == 1 else draw(plausible)
    data.update(
        draw(st.dictionaries(st.text(max_size=6).filter(lambda k: k not in _candidates), _json, max_size=2))
    )
    return data


def _outcome(check: Any, data: Any) -> tuple[str, Any]:
    try:
        result = check(data)
    except ProtocolError as exc:
        return "error", (exc.field, str(exc))
    return "ok", result


@settings(max_examples=150)
@given(_envelopes())
def test_fast_check_and_model_agree(data: Any) -> None:
    fast = _outcome(validate_envelope, data)
    model = _outcome(Envelope.model_validate, data)  # a pydantic ValidationError here would be a disagreement
    assert fast[0] == model[0]
    if fast[0] == "error":
        assert fast[1] == model[1]
    else:
        assert model[1].to_dict() == data


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    # Python's json accepts them; JSON, Ditto and JavaScript's JSON.parse do not.
    text = '{"topic": "a/b/things/twin/events/modified", "headers": {}, "path": "/x", "value": '
    text += constant + "}"
    with pytest.raises(ProtocolError, match=f"{constant.lstrip('-')} is not JSON"):
        parse_envelope(text)
    with pytest.raises(ProtocolError, match="is not JSON"):
        loads_json(text)


def test_malformed_json_error_carries_line_column_and_reason() -> None:
    with pytest.raises(MalformedJSONError) as caught:
        loads_json('{\n  "topic": ,\n}')
    assert (caught.value.line, caught.value.column) == (2, 12)
    assert caught.value.reason == "Expecting value"
    assert isinstance(caught.value, ProtocolError)


def test_first_problem_in_field_order_is_reported_even_when_a_later_field_is_missing() -> None:
    with pytest.raises(ProtocolError) as caught:
        validate_envelope({"topic": 5})
    assert caught.value.field == "topic"
    with pytest.raises(ProtocolError) as caught:
        validate_envelope({"topic": "a/b/things/twin/events/modified", "headers": []})
    assert caught.value.field == "headers"
    with pytest.raises(ProtocolError) as caught:
        validate_envelope({"topic": "a/b/things/twin/events/modified", "headers": {}})
    assert (caught.value.field, str(caught.value)) == (
        "path",
        "path: is missing (every envelope needs topic, headers and path)",
    )
