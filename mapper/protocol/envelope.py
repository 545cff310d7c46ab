"""The Ditto Protocol envelope: ``{topic, headers, path, value?, fields?, extra?, status?, revision?,
timestamp?, metadata?}``.

One set of rules, two views:

- :func:`validate_envelope` is the per-event check of the hot path (JS mapping, replay). It walks
  the dict once, calling the check of each known key from ``_FIELD_CHECKS``, and returns the
  dict unchanged. No model is built.
- :class:`Envelope` is the typed view for everything else. Its only validation *is*
  :func:`validate_envelope` (a before-validator); the pydantic field types merely describe what
  the checks guarantee, and a hypothesis test asserts the two never disagree.

Both raise :class:`~mapper.errors.ProtocolError` whose ``field`` names the offending key and
whose message says what was wrong, e.g. ``revision: must be a non-negative integer, got "abc"``.

Choices, after Ditto's ``ImmutableJsonifiableAdaptable`` / ``ImmutablePayload``:

- Unknown top-level keys are kept and ignored, as Ditto ignores them.
- ``value`` may be any JSON, and an explicit ``null`` differs from an absent value (a merge
  event deleting everything carries ``null``; ``deleted`` on ``/`` carries none). The other
  optional keys read ``null`` as absent, as Ditto's typed field lookups do.
- ``path`` must start with ``/``. Ditto itself also reads ``attributes/x`` as ``/attributes/x``,
  but never emits it; requiring the slash catches mapping scripts that build paths wrongly.
- ``revision`` is a Java long (0 .. 2**63-1); ``status`` an HTTP status code (100..599);
  ``timestamp`` an ISO-8601 instant as Java's ``Instant.parse`` reads it: date ``T`` time with
  seconds, optional fraction (up to 9 digits), ``Z`` or a ``+hh:mm`` offset.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, model_validator

from mapper.errors import MalformedJSONError, ProtocolError
from mapper.protocol.topic import Topic, check_topic, parse_topic

CONTENT_TYPE = "application/vnd.eclipse.ditto+json"
MERGE_PATCH_CONTENT_TYPE = "application/merge-patch+json"

REQUIRED_FIELDS = ("topic", "headers", "path")
_JAVA_LONG_MAX = 2**63 - 1

_INSTANT = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
)


def _json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages an operator reads."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _shown(value: Any) -> str:
    """A short JSON rendering of the offending value."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(field: str, rule: str, value: Any) -> ProtocolError:
    return ProtocolError(f"{rule}, got {_shown(value)}", field=field)


# ---- the rules: one check per known key; each returns None or raises ProtocolError --------------


def _check_topic(value: Any) -> None:
    if type(value) is not str:
        raise _fail("topic", "must be a string", value)
    check_topic(value)


def _check_headers(value: Any) -> None:
    if type(value) is not dict:
        raise _fail("headers", "must be an object", value)


def _check_path(value: Any) -> None:
    if type(value) is not str:
        raise _fail("path", "must be a string", value)
    if not value.startswith("/"):
        raise _fail("path", "must start with '/'", value)


def _check_fields(value: Any) -> None:
    if value is not None and type(value) is not str:
        raise _fail("fields", "must be a string", value)


def _check_object(field: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value is not None and type(value) is not dict:
            raise _fail(field, "must be an object", value)

    return check


def _check_status(value: Any) -> None:
    if value is not None and (type(value) is not int or not 100 <= value <= 599):
        raise _fail("status", "must be an HTTP status code (an integer from 100 to 599)", value)


def _check_revision(value: Any) -> None:
    if value is not None and (type(value) is not int or not 0 <= value <= _JAVA_LONG_MAX):
        raise _fail("revision", "must be a non-negative integer", value)


def _check_timestamp(value: Any) -> None:
    if value is None:
        return
    if type(value) is not str:
        raise _fail("timestamp", "must be an ISO-8601 instant string", value)
    if _INSTANT.fullmatch(value) is None:
        raise _fail("timestamp", "must be an ISO-8601 instant like 2024-05-01T12:00:00.123Z", value)
    if value[8] == "3" or value[8:10] == "29":  # only then can the day be past the month's end
        year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
        if day > calendar.monthrange(year, month)[1]:
            raise _fail("timestamp", "is not a calendar date", value)


_FIELD_CHECKS: dict[str, Callable[[Any], None]] = {
    "topic": _check_topic,
    "headers": _check_headers,
    "path": _check_path,
    # "value": any JSON, nothing to check
    "fields": _check_fields,
    "extra": _check_object("extra"),
    "status": _check_status,
    "revision": _check_revision,
    "timestamp": _check_timestamp,
    "metadata": _check_object("metadata"),
}


def validate_envelope(data: Any) -> dict[str, Any]:
    """Check one Ditto Protocol envelope (a dict from ``json.loads``); return it unchanged.

    Raises ProtocolError naming the first offending field. This is the per-event check of the
    hot path: a few type checks and the topic's rules; no model, no Topic object.
    """
    if type(data) is not dict:
        raise ProtocolError(f"a Ditto Protocol envelope must be a JSON object, got {_json_type(data)}")
    if "topic" not in data or "headers" not in data or "path" not in data:
        # Report the first problem in field order: a bad topic before a missing headers.
        for name in REQUIRED_FIELDS:
            if name not in data:
                raise ProtocolError("is missing (every envelope needs topic, headers and path)", field=name)
            _FIELD_CHECKS[name](data[name])
    checks = _FIELD_CHECKS
    for key, value in data.items():
        check = checks.get(key)
        if check is not None:
            check(value)
    return data


# ---- the typed view ------------------------------------------------------------------------------


def _as_topic(value: Any) -> Topic:
    return value if isinstance(value, Topic) else parse_topic(value)


TopicField = Annotated[Topic, PlainValidator(_as_topic), PlainSerializer(str, return_type=str)]


class Envelope(BaseModel):
    """A validated Ditto Protocol envelope.

    Validation is :func:`validate_envelope`; invalid data raises ProtocolError (not pydantic's
    ValidationError). ``value`` is None both when absent and when null: use :attr:`has_value`.
    Unknown top-level keys are kept (``model_extra``) and written back by :meth:`to_dict`.
    """

    model_config = ConfigDict(frozen=True, extra="allow", strict=True)

    topic: TopicField
    headers: dict[str, Any]
    path: str
    value: Any = None
    fields: str | None = None
    extra: dict[str, Any] | None = None
    status: int | None = None
    revision: int | None = None
    timestamp: str | None = None
    metadata: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _validate(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("topic"), Topic):
            data = {**data, "topic": str(data["topic"])}
        return validate_envelope(data)

    @property
    def has_value(self) -> bool:
        """True if the envelope carries ``value`` (possibly JSON null)."""
        return "value" in self.model_fields_set

    @property
    def thing_id(self) -> str:
        """``namespace:name`` from the topic."""
        return self.topic.thing_id

    def to_dict(self) -> dict[str, Any]:
        """The wire shape: only the keys that were given (an absent value stays absent)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self) -> str:
        """Compact JSON text of :meth:`to_dict` (non-ASCII kept as is)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


def parse_envelope(data: dict[str, Any] | str | bytes) -> Envelope:
    """The typed view of one envelope, from a dict or JSON text (str or UTF-8 bytes).

    Malformed JSON raises ProtocolError (``field`` None) quoting line and column.
    """
    if isinstance(data, (str, bytes, bytearray)):
        data = loads_json(data)
    return Envelope.model_validate(data)


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN / Infinity; JSON (RFC 8259), Ditto and JavaScript's JSON.parse do not.
    raise ProtocolError(f"{name} is not JSON (JSON has no NaN or Infinity)")


def loads_json(text: str | bytes | bytearray) -> Any:
    """``json.loads`` as strict as JSON itself (no NaN / Infinity); errors are ProtocolError
    (MalformedJSONError with line and column for text that is not JSON)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise MalformedJSONError(exc.msg, line=exc.lineno, column=exc.colno) from None
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"JSON text is not valid UTF-8 at byte {exc.start}: {exc.reason}") from None
