"""What publishing one message produced."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PublishResult:
    """The outcome of one successful publish.

    ``attempts`` counts every HTTP request sent for this message (retries and, in no-overwrite
    mode, the HEAD that checks an existing object). ``already_archived`` is True when no-overwrite
    mode found the same content already stored under ``key``; ``status`` is then the HEAD's 200.
    ``etag`` is the ETag the server returned, when it sent one.
    """

    key: str
    status: int
    attempts: int
    already_archived: bool = False
    etag: str | None = None
