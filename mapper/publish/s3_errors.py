"""Reading S3's XML error bodies: ``<Error><Code>...</Code><Message>...</Message></Error>``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

# Error bodies are small; anything bigger is not an S3 error document and is only quoted.
MAX_ERROR_BODY = 64 * 1024
_QUOTE_CHARS = 200


@dataclass(frozen=True, slots=True)
class S3ErrorBody:
    """The code and message of an error response (either may be None when the body says nothing)."""

    code: str | None
    message: str | None


def parse_s3_error(body: bytes) -> S3ErrorBody:
    """Extract Code and Message from an S3 error body; fall back to quoting a non-XML body.

    Only the two text fields are read: S3 also echoes the StringToSign / CanonicalRequest for
    signature errors, which are deliberately not surfaced (they are noise in an operator's log).
    """
    body = body[:MAX_ERROR_BODY]
    text = body.strip()
    if not text:
        return S3ErrorBody(None, None)
    if text.startswith(b"<"):
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            root = None
        if root is not None:
            code = _child_text(root, "Code")
            message = _child_text(root, "Message")
            if code is not None or message is not None:
                return S3ErrorBody(code, message)
    quoted = text.decode("utf-8", errors="replace")
    if len(quoted) > _QUOTE_CHARS:
        quoted = quoted[:_QUOTE_CHARS] + "..."
    return S3ErrorBody(None, quoted)


def _child_text(root: ET.Element, name: str) -> str | None:
    # S3 error documents carry no namespace, but some S3-compatible stores add one.
    for child in root:
        if child.tag == name or child.tag.endswith("}" + name):
            return (child.text or "").strip()
    return None
