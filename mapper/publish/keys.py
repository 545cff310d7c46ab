"""Checks an object key must pass before any request is sent for it.

S3 keys are 1..1024 bytes of UTF-8. A NUL cannot be represented in a request line. Keys with
``.`` / ``..`` path segments are allowed: the publisher sends the path byte for byte as signed
(``http.client`` never normalizes dot segments, proven by ``tests/publish/test_wire_path.py``),
and S3 stores such keys literally.
"""

from __future__ import annotations

from mapper.errors import InvalidKeyError

MAX_KEY_BYTES = 1024


def check_key(key: str) -> None:
    """Raise :class:`InvalidKeyError` unless ``key`` is a storable S3 object key."""
    if not key:
        raise InvalidKeyError(
            "object key is empty: the mapping must set the 'http.path' header (or the target address a path)",
            key=key,
        )
    if "\x00" in key:
        raise InvalidKeyError("object key contains a NUL character", key=key)
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidKeyError("object key is not valid Unicode (lone surrogate)", key=key) from None
    if size > MAX_KEY_BYTES:
        raise InvalidKeyError(
            f"object key is {size} bytes of UTF-8, S3 allows at most {MAX_KEY_BYTES}", key=key
        )
