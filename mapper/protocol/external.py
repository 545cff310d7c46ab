"""The external message: what a mapping produces (outgoing) or consumes (incoming).

Kept as a slotted dataclass rather than a pydantic model because one is built per event on
the hot path; :meth:`ExternalMessage.from_json_dict` validates the CLI's JSON shape.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from mapper.errors import ProtocolError


@dataclass(frozen=True, slots=True)
class ExternalMessage:
    """A message on the external side of a connection: headers plus text or byte payload.

    ``headers`` values are always strings (Ditto's rule for outgoing headers). Reserved
    headers such as ``http.path`` / ``http.query`` stay in ``headers``; the publisher
    interprets them.
    """

    headers: dict[str, str] = field(default_factory=dict)
    text_payload: str | None = None
    byte_payload: bytes | None = None
    content_type: str | None = None

    def payload(self) -> bytes:
        """The bytes to send: ``byte_payload`` wins over ``text_payload`` (UTF-8), else empty."""
        if self.byte_payload is not None:
            return self.byte_payload
        if self.text_payload is not None:
            return self.text_payload.encode("utf-8")
        return b""

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI / JSON Lines shape: bytePayload as base64."""
        return {
            "headers": self.headers,
            "textPayload": self.text_payload,
            "bytePayload": None
            if self.byte_payload is None
            else base64.b64encode(self.byte_payload).decode("ascii"),
            "contentType": self.content_type,
        }

    @classmethod
    def from_json_dict(cls, data: Any) -> ExternalMessage:
        """Parse the CLI / JSON Lines shape, with a clear error naming the bad field."""
        if not isinstance(data, dict):
            raise ProtocolError(f"expected a JSON object, got {type(data).__name__}", field="externalMessage")
        headers = data.get("headers") or {}
        if not isinstance(headers, dict):
            raise ProtocolError("must be an object", field="headers")
        str_headers = {str(k): v if isinstance(v, str) else _header_text(v) for k, v in headers.items()}
        text = data.get("textPayload")
        if text is not None and not isinstance(text, str):
            raise ProtocolError("must be a string or null", field="textPayload")
        raw = data.get("bytePayload")
        byte_payload: bytes | None = None
        if raw is not None:
            if not isinstance(raw, str):
                raise ProtocolError("must be a base64 string or null", field="bytePayload")
            try:
                byte_payload = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ProtocolError(f"is not valid base64: {exc}", field="bytePayload") from None
        content_type = data.get("contentType")
        if content_type is None:
            content_type = str_headers.get("content-type")
        elif not isinstance(content_type, str):
            raise ProtocolError("must be a string or null", field="contentType")
        return cls(str_headers, text, byte_payload, content_type)


def _header_text(value: Any) -> str:
    """Ditto's rule for header values that are not strings: JSON text (numbers, booleans too)."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
