"""The S3 publisher: one signed HTTP request per message, over a keep-alive pool, with bounded retries.

Flow of :meth:`S3Publisher.publish`::

    message -> endpoint.target()     key, encoded path, query  (Ditto's http.path / http.query)
                                     (InvalidKeyError before anything is sent)
            -> outgoing headers      mapped headers minus reserved ones, Content-Type, Content-Length,
                                     If-None-Match / Content-MD5 when asked
            -> per attempt: sign, send on a pooled connection, read the answer
            -> 2xx: PublishResult;  412 in no-overwrite mode: HEAD and compare ETag with the MD5;
               transient failure: full-jitter backoff if attempts and the shared budget allow;
               anything else: PublishError with S3's code and message.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from mapper.errors import MapperError, PublishConflictError, PublishError, TransportError
from mapper.protocol.external import ExternalMessage
from mapper.publish.connection_pool import ConnectError, ConnectionPool
from mapper.publish.endpoint import PATH_HEADER, QUERY_HEADER, S3Endpoint
from mapper.publish.payload import payload_bytes
from mapper.publish.result import PublishResult
from mapper.publish.retry import RetryBudget, RetryPolicy, is_retryable_status
from mapper.publish.s3_errors import MAX_ERROR_BODY, parse_s3_error

if TYPE_CHECKING:
    from mapper.signing.sigv4 import SigV4Signer

log = logging.getLogger("mapper.publish")

# Mapped headers never sent as-is: Ditto's reserved ones, hop-by-hop / framing headers the
# publisher owns (a wrong Content-Length or Transfer-Encoding would corrupt the connection),
# and headers the signer or the no-overwrite logic produce (a mapped value would be overwritten
# or, worse, disagree with what was signed).
RESERVED_HEADERS = frozenset(
    {
        PATH_HEADER,
        QUERY_HEADER,
        "host",
        "content-length",
        "content-type",  # taken from ExternalMessage.content_type (or this header) exactly once
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "expect",
        "authorization",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
        "content-md5",
        "if-none-match",
    }
)

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# A reused keep-alive socket that fails before any answer most likely went stale (the server's
# idle timeout); these are resent at once on a fresh socket, without backoff or budget.
_STALE_ERRORS = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


@dataclass(frozen=True, slots=True)
class PublisherStats:
    """Counters since the publisher was created (a snapshot; totals over all threads)."""

    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    published: int = 0
    already_archived: int = 0
    failed: int = 0
    connections_opened: int = 0
    budget_exhausted: int = 0


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth retrying; carries the error to raise if not."""

    def __init__(self, error: PublishError, stale: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.stale = stale


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    reason: str
    etag: str | None
    body: bytes


class S3Publisher:
    """Publishes :class:`ExternalMessage` objects as S3 objects (or any HTTP PUT sink).

    Thread-safe: call :meth:`publish` from up to ``concurrency`` threads (more threads just wait
    for a pool slot). ``signer=None`` sends unsigned requests (plain HTTP sinks). In no-overwrite
    mode every PUT carries ``If-None-Match: *``; a 412 is resolved by a HEAD whose ETag must equal
    the body's MD5 (true for single-part uploads without SSE-KMS) to count as already archived.
    """

    def __init__(
        self,
        endpoint: S3Endpoint,
        signer: SigV4Signer | None,
        *,
        concurrency: int = 16,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, shared safely
        no_overwrite: bool = False,
        content_md5: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.endpoint = endpoint
        self._signer = signer
        self._retry = retry
        self._budget = RetryBudget.for_policy(retry)
        self._no_overwrite = no_overwrite
        self._content_md5 = content_md5
        self._pool = ConnectionPool(
            endpoint.scheme,
            endpoint.host,
            endpoint.port,
            size=concurrency,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            ssl_context=ssl_context,
        )
        self._read_timeout = read_timeout
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._counts = {name: 0 for name in PublisherStats.__dataclass_fields__}

    def __repr__(self) -> str:
        return (
            f"S3Publisher({self.endpoint.method} {self.endpoint.scheme}://{self.endpoint.address}, "
            f"signed={self._signer is not None}, no_overwrite={self._no_overwrite})"
        )

    # -- public API ---------------------------------------------------------------------------

    @property
    def stats(self) -> PublisherStats:
        """A snapshot of the counters."""
        with self._lock:
            counts = dict(self._counts)
        counts["connections_opened"] = self._pool.opened
        counts["budget_exhausted"] = self._budget.exhausted
        return PublisherStats(**counts)

    def publish(self, message: ExternalMessage) -> PublishResult:
        """Store one message; blocks until stored or failed for good.

        Raises :class:`InvalidKeyError` (nothing sent), :class:`PublishConflictError` (no-overwrite,
        different content stored), :class:`TransportError` (endpoint unreachable after retries) or
        :class:`PublishError` (S3 refused, with its status and error code); the signer's
        :class:`SigningError` / :class:`CredentialsError` pass through unchanged.
        """
        try:
            result = self._publish(message)
        except MapperError:
            self._count("failed")
            raise
        self._count("already_archived" if result.already_archived else "published")
        return result

    def close(self) -> None:
        """Close pooled connections."""
        self._pool.close()

    def __enter__(self) -> S3Publisher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one message --------------------------------------------------------------------------

    def _publish(self, message: ExternalMessage) -> PublishResult:
        target = self.endpoint.target(message.headers)
        key = target.key
        body = payload_bytes(message, key)
        headers = _outgoing_headers(message, key)
        headers["Content-Length"] = str(len(body))
        md5 = hashlib.md5(body).digest() if (self._no_overwrite or self._content_md5) else b""
        if self._no_overwrite:
            headers["If-None-Match"] = "*"
        if self._content_md5:
            headers["Content-MD5"] = base64.b64encode(md5).decode("ascii")
        body_sha256 = hashlib.sha256(body).hexdigest() if self._signer is not None else None
        method = self.endpoint.method
        wire_target = target.path + ("?" + target.query if target.query else "")

        attempts = 0  # requests sent for this message
        tries = 0  # attempts counted against max_attempts (stale-socket resends are free)
        self._budget.record_request()
        while True:
            attempts += 1
            tries += 1
            try:
                answer = self._send(
                    method, target.path, target.query, wire_target, headers, body, body_sha256, key, attempts
                )
                if 200 <= answer.status < 300:
                    return PublishResult(key, answer.status, attempts, etag=answer.etag)
                if answer.status == 412 and self._no_overwrite:
                    attempts += 1
                    return self._resolve_precondition(target.path, key, md5, attempts)
                raise self._status_error(answer, key, attempts)
            except _Retryable as failure:
                if failure.stale:
                    tries -= 1
                    log.debug("resending %r on a fresh connection: %s", key, failure.error.message)
                    continue
                if tries >= self._retry.max_attempts:
                    raise _with_attempts(failure.error, attempts, "") from None
                if not self._budget.try_spend():
                    raise _with_attempts(failure.error, attempts, "retry budget exhausted") from None
                delay = self._retry.backoff(tries, self._rng)
                self._count("retries")
                log.info("retrying %r in %.3fs after attempt %d: %s", key, delay, attempts, failure.error)
                time.sleep(delay)

    def _resolve_precondition(self, path: str, key: str, md5: bytes, attempts: int) -> PublishResult:
        """412 to If-None-Match: is the stored object this very content?"""
        answer = self._send(
            "HEAD", path, "", path, {}, b"", _EMPTY_SHA256 if self._signer else None, key, attempts
        )
        if answer.status == 404:
            # Deleted between the PUT and the HEAD: the PUT is worth another try.
            raise _Retryable(
                PublishError(
                    "object vanished between PUT (412) and HEAD (404)",
                    key=key,
                    status=404,
                    code="NoSuchKey",
                    attempts=attempts,
                )
            )
        if not 200 <= answer.status < 300:
            raise self._status_error(answer, key, attempts)
        expected = '"' + md5.hex() + '"'
        if answer.etag == expected:
            return PublishResult(key, 412, attempts, already_archived=True, etag=answer.etag)
        raise PublishConflictError(
            f"no-overwrite: the key already holds different content (stored ETag {answer.etag}, "
            f"this body's MD5 {expected})",
            key=key,
            status=412,
            code="PreconditionFailed",
            attempts=attempts,
        )

    # -- one request --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        query: str,
        wire_target: str,
        headers: Mapping[str, str],
        body: bytes,
        body_sha256: str | None,
        key: str,
        attempts: int,
    ) -> _Answer:
        """One request on a pooled connection. Transient failures raise :class:`_Retryable`."""
        host = self.endpoint.host_header
        if self._signer is not None:
            signed = self._signer.sign(
                method, host, path, query, dict(headers), body, payload_sha256=body_sha256
            )
            all_headers = {**headers, **signed}
        else:
            all_headers = dict(headers)
        self._count("requests")
        reused = False
        try:
            with self._pool.connection() as conn:
                reused = conn.reused
                http_conn = conn.http
                http_conn.putrequest(method, wire_target, skip_host=True, skip_accept_encoding=True)
                http_conn.putheader("Host", host)
                for name, value in all_headers.items():
                    http_conn.putheader(name, value)
                http_conn.endheaders(body if body else None)
                self._count("bytes_sent", len(body))
                response = http_conn.getresponse()
                conn.requests += 1
                # Read the answer to its end so the connection can carry the next request, but
                # never more than MAX_ERROR_BODY (S3's answers to PUT/HEAD are tiny): a proxy's
                # huge or endless body closes the connection instead of being drained into memory.
                data = response.read(MAX_ERROR_BODY + 1)
                if not response.isclosed():
                    http_conn.close()  # the pool reconnects on its next use
                return _Answer(response.status, response.reason, response.getheader("ETag"), data)
        except ssl.SSLCertVerificationError as exc:
            raise TransportError(
                f"TLS certificate of {self.endpoint.address} not trusted: {exc.verify_message}",
                key=key,
                attempts=attempts,
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            error = TransportError(
                f"{method} to {self.endpoint.address} failed: {_describe(exc, self._read_timeout)}",
                key=key,
                attempts=attempts,
            )
            raise _Retryable(error, stale=reused and isinstance(exc, _STALE_ERRORS)) from None

    def _status_error(self, answer: _Answer, key: str, attempts: int) -> Exception:
        parsed = parse_s3_error(answer.body)
        message = parsed.message or answer.reason or "no message"
        error = PublishError(message, key=key, status=answer.status, code=parsed.code, attempts=attempts)
        if is_retryable_status(answer.status, parsed.code):
            return _Retryable(error)
        return error

    def _count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount


_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _outgoing_headers(message: ExternalMessage, key: str) -> dict[str, str]:
    """The mapped headers that become HTTP headers, plus Content-Type; invalid ones are refused."""
    headers: dict[str, str] = {}
    content_type = message.content_type
    for name, value in message.headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise PublishError(
                f"mapped header name {name!r} is not a valid HTTP header name", key=key, code="InvalidHeader"
            )
        lowered = name.lower()
        if lowered == "content-type" and content_type is None:
            content_type = value
        if lowered in RESERVED_HEADERS:
            continue
        _check_header_value(f"mapped header {name!r}", value, key)
        headers[name] = value
    if content_type is not None:
        _check_header_value("the content type", content_type, key)
        headers["Content-Type"] = content_type
    return headers


def _check_header_value(what: str, value: object, key: str) -> None:
    """Refuse a value http.client would choke on or that could inject a header.

    Non-ASCII text is refused rather than encoded: S3 user metadata (``x-amz-meta-*``) must be
    US-ASCII in REST requests (boto3 refuses it too), and Latin-1 bytes would be stored as
    mojibake. S3 decodes RFC 2047 encoded-words (``=?UTF-8?B?...?=``) in metadata, so a mapping
    that needs Unicode there can encode the value itself.
    """
    if not isinstance(value, str):
        raise PublishError(
            f"{what} must have a string value, got {type(value).__name__}", key=key, code="InvalidHeader"
        )
    if _BAD_VALUE.search(value):
        raise PublishError(
            f"{what} has a control character (CR, LF, NUL, ...) in its value {value!r}; refused so it "
            "cannot break the request or inject a header",
            key=key,
            code="InvalidHeader",
        )
    if not value.isascii():
        raise PublishError(
            f"{what} has non-ASCII characters in its value {value!r}; HTTP headers and S3 metadata "
            "must be US-ASCII: encode the value in the mapping (S3 decodes RFC 2047 "
            "'=?UTF-8?B?<base64>?=' in x-amz-meta-* values)",
            key=key,
            code="InvalidHeader",
        )


def _describe(exc: BaseException, read_timeout: float) -> str:
    """A short human cause: 'connection refused', 'read timed out after 30s', ... plus the exception type."""
    if isinstance(exc, ConnectError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return f"no answer within the read timeout of {read_timeout:g}s [{type(exc).__name__}]"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "server closed the connection without answering [RemoteDisconnected]"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{text} [{type(exc).__name__}]"


def _with_attempts(error: PublishError, attempts: int, why: str) -> PublishError:
    """The last error, re-raised with the final attempt count (and why retrying stopped)."""
    note = f" after {attempts} attempts" if attempts > 1 else ""
    if why:
        note += f" ({why})"
    cls = type(error)
    return cls(error.message + note, key=error.key, status=error.status, code=error.code, attempts=attempts)
