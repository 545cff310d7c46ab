"""The body of a publish request: a message's payload as bytes, refused clearly when it has none.

A mapping script can hand back text that is not valid Unicode (a JavaScript string with a lone
surrogate such as ``'\\ud800'``) or, through the library API, a payload of the wrong type. Either
is a :class:`PublishError` naming the key, never a bare ``UnicodeEncodeError`` / ``TypeError``.
"""

from __future__ import annotations

from mapper.errors import PublishError
from mapper.protocol.external import ExternalMessage


def payload_bytes(message: ExternalMessage, key: str) -> bytes:
    """``message.payload()``, or :class:`PublishError` (code ``InvalidPayload``) if it cannot be encoded."""
    byte_payload, text_payload = message.byte_payload, message.text_payload
    if byte_payload is not None and not isinstance(byte_payload, (bytes, bytearray, memoryview)):
        raise PublishError(
            f"byte payload must be bytes, got {type(byte_payload).__name__}", key=key, code="InvalidPayload"
        )
    if byte_payload is None and text_payload is not None:
        if not isinstance(text_payload, str):
            raise PublishError(
                f"text payload must be a string, got {type(text_payload).__name__}",
                key=key,
                code="InvalidPayload",
            )
        try:
            return text_payload.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PublishError(
                f"text payload is not valid Unicode (lone surrogate at character {exc.start}); "
                "the mapping produced a broken string",
                key=key,
                code="InvalidPayload",
            ) from None
    return bytes(message.payload())
