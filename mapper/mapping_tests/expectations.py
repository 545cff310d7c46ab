"""What a case expects, and how actual outputs are compared with it and shown when they differ.

Outputs are compared as JSON, not as text: key order and number spelling (``1`` vs ``1.0``) do not
matter, types do (``true`` is not ``1``, ``"1"`` is not ``1``). An external message's
``textPayload`` that holds a JSON object or array is compared as that JSON, and shown parsed in
diffs, under the key ``textPayload (JSON)``; so an expectation file may give ``textPayload`` as the
object itself instead of an escaped string.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mapper.errors import ConfigError
from mapper.protocol.external import ExternalMessage

JSON_TEXT_KEY = "textPayload (JSON)"
_MAX_LISTED_DIFFERENCES = 5


class ExpectedExternalMessage(BaseModel):
    """One expected outgoing output, in the CLI shape. Absent keys mean: empty headers / null."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    headers: dict[str, Any] = Field(default_factory=dict)
    text_payload: str | dict[str, Any] | list[Any] | None = Field(default=None, alias="textPayload")
    byte_payload: str | None = Field(default=None, alias="bytePayload")
    content_type: str | None = Field(default=None, alias="contentType")


def load_expected_outputs(text: str, *, source: str, outgoing: bool) -> list[Any]:
    """Parse an ``.expected.json`` file into comparable views (see :func:`external_view`).

    Raises :class:`~mapper.errors.ConfigError` naming the file and the JSON path of a bad entry.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc}", source=source) from None
    if not isinstance(data, list):
        raise ConfigError("must be a JSON array of outputs ([] = the message is dropped)", source=source)
    if not outgoing:
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise ConfigError(
                    "each output must be a Ditto Protocol object", path=f"[{index}]", source=source
                )
        return data
    views = []
    for index, item in enumerate(data):
        try:
            expected = ExpectedExternalMessage.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
            raise ConfigError(first["msg"], path=f"[{index}]{where}", source=source) from None
        views.append(_expected_view(expected))
    return views


def external_view(message: ExternalMessage) -> dict[str, Any]:
    """The comparable, printable form of an actual outgoing message."""
    data = message.to_json_dict()
    return _view(data["headers"], data["textPayload"], data["bytePayload"], data["contentType"])


def _expected_view(expected: ExpectedExternalMessage) -> dict[str, Any]:
    headers = {name: _header_text(value) for name, value in expected.headers.items()}
    if isinstance(expected.text_payload, (dict, list)):
        view = _view(headers, None, expected.byte_payload, expected.content_type)
        del view["textPayload"]
        view[JSON_TEXT_KEY] = expected.text_payload
        return view
    return _view(headers, expected.text_payload, expected.byte_payload, expected.content_type)


def _view(
    headers: dict[str, str], text: str | None, byte_payload: str | None, content_type: str | None
) -> dict:
    view: dict[str, Any] = {"headers": headers, "contentType": content_type, "bytePayload": byte_payload}
    parsed = _json_container(text)
    if parsed is None:
        view["textPayload"] = text
    else:
        view[JSON_TEXT_KEY] = parsed
    return view


def _json_container(text: str | None) -> dict | list | None:
    """The JSON object/array ``text`` holds, else None (plain text, scalars, invalid JSON)."""
    if text is None or not text.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


def _header_text(value: Any) -> str:
    # Ditto's rule for non-string header values: JSON text (numbers and booleans too).
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), but never a bool equal to a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def json_differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as ``<path>: expected X, got Y`` lines (paths like ``a.b[2]``)."""
    here = path or "(top level)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(expected.keys() | actual.keys()):
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                found.append(f"{sub}: missing (expected {_short(expected[key])})")
            elif key not in expected:
                found.append(f"{sub}: not expected (got {_short(actual[key])})")
            else:
                found.extend(json_differences(expected[key], actual[key], sub))
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        found = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found.extend(json_differences(want, got, f"{path}[{index}]"))
        return found
    if json_equal(expected, actual):
        return []
    return [f"{here}: expected {_short(expected)}, got {_short(actual)}"]


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def pretty(value: Any) -> str:
    """Stable, readable JSON: sorted keys, two-space indent, non-ASCII kept."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def compare_outputs(expected: list[Any], actual: list[Any], *, expected_label: str) -> list[str]:
    """Describe every difference between expected and actual outputs; [] when they match.

    Each description is a headline, the JSON paths that differ, and a unified diff of the
    pretty-printed JSON (which may not show the enclosing keys of a deep change; the paths do).
    """
    if len(expected) != len(actual):
        headline = (
            f"expected {_count(len(expected))}, got {_count(len(actual))}"
            + (" (the mapping dropped the message)" if not actual else "")
            + (" (the expectation is: dropped)" if not expected else "")
        )
        return [headline + "\n" + unified_diff(pretty(expected), pretty(actual), expected_label)]
    problems = []
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        where = json_differences(want, got)
        if where:
            shown = where[:_MAX_LISTED_DIFFERENCES]
            if len(where) > len(shown):
                shown.append(f"... and {len(where) - len(shown)} more")
            problems.append(
                f"output[{index}] differs:\n"
                + "\n".join("  " + line for line in shown)
                + "\n"
                + unified_diff(pretty(want), pretty(got), f"{expected_label} [{index}]")
            )
    return problems


def unified_diff(expected_text: str, actual_text: str, expected_label: str) -> str:
    """A unified diff, expected (-) against actual (+), with enough context to see where it is."""
    lines = difflib.unified_diff(
        expected_text.splitlines(),
        actual_text.splitlines(),
        fromfile=f"expected: {expected_label}",
        tofile="actual",
        lineterm="",
        n=3,
    )
    return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n} output" + ("" if n == 1 else "s")
