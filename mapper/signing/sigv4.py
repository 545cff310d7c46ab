"""AWS Signature Version 4 (``AWS4-HMAC-SHA256``) request signing, Ditto-compatible and fast.

The signer works on the request exactly as it goes on the wire: the caller passes the
already-encoded path (see :func:`encode_s3_path`), the raw query and the Host header value,
and gets back the headers to add. Why this shape: the signature covers the bytes the server
sees, so signing anything other than the wire form invites "SignatureDoesNotMatch".

Speed: the HMAC key chain depends only on (date, region, service, secret) and is derived
once per day and secret, not per request; timestamps are formatted once per second.

What goes beyond Ditto (see docs/signing.md): every ``x-amz-*`` header present is signed
(S3 rejects unsigned ones), ``content-md5`` is signed when present, session tokens are sent
and signed as ``x-amz-security-token``, and the doubleEncode canonical URI of ``/`` is ``/``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from urllib.parse import quote, unquote_to_bytes

from mapper.errors import SigningError
from mapper.signing.credentials import AwsCredentials, CredentialProvider, credential_provider_for
from mapper.signing.params import (
    AwsSigningParameters,
    PayloadHashMode,
    normalize_header_names,
    scope_part_problem,
)

__all__ = ["SigV4Signer", "encode_s3_path"]

_ALGORITHM = "AWS4-HMAC-SHA256"
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_X_AMZ_DATE = "x-amz-date"
_X_AMZ_CONTENT_SHA256 = "x-amz-content-sha256"
_X_AMZ_SECURITY_TOKEN = "x-amz-security-token"
_CONTENT_MD5 = "content-md5"

# Headers whose values the signer decides; a caller-supplied copy would conflict with ours.
_SIGNER_OWNED = frozenset(
    {"authorization", "host", _X_AMZ_DATE, _X_AMZ_CONTENT_SHA256, _X_AMZ_SECURITY_TOKEN}
)

# S3 object-key path encoding: RFC 3986 unreserved characters and '/' stay, every other UTF-8
# byte becomes %XX with uppercase hex.
_PATH_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/")
_PATH_SAFE_CHARS = "".join(sorted(chr(b) for b in _PATH_SAFE))
_PATH_BYTE = tuple(chr(b) if b in _PATH_SAFE else f"%{b:02X}" for b in range(256))
_PATH_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9\-_.~/]")


def encode_s3_path(raw_path: str) -> str:
    """The S3 wire (and canonical) form of a path: ``/a b:c`` -> ``/a%20b%3Ac``.

    Every UTF-8 byte is percent-encoded (uppercase hex) except ``A-Z a-z 0-9 - _ . ~`` and
    ``/``; nothing is normalised (``/a//b/./c`` stays as it is, S3 keys may contain those).
    Raises :class:`SigningError` for strings that are not valid Unicode (lone surrogates).
    """
    # Runs once per request, so three paths by cost (measured in benchmarks/bench_signer.py):
    # nothing to escape; ASCII with a few distinct characters to escape (Ditto keys are full of
    # ':'), one str.replace per distinct character; anything else one table lookup per byte.
    if not raw_path.strip(_PATH_SAFE_CHARS):
        return raw_path
    if raw_path.isascii():
        found = set(_PATH_UNSAFE_ASCII.findall(raw_path))
        if "%" in found:  # first, so the escapes added below are not escaped again
            raw_path = raw_path.replace("%", "%25")
            found.discard("%")
        for char in found:
            raw_path = raw_path.replace(char, _PATH_BYTE[ord(char)])
        return raw_path
    try:
        data = raw_path.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SigningError(
            f"path cannot be encoded as UTF-8 (lone surrogate at character {exc.start}): {raw_path!r}"
        ) from None
    return "".join(map(_PATH_BYTE.__getitem__, data))


def _encode_unreserved(data: bytes | str) -> str:
    """AWS's UriEncode: everything but ``A-Z a-z 0-9 - _ . ~`` as %XX (``/`` too)."""
    return quote(data, safe="~")


def _double_encoded_uri(path: str) -> str:
    """Ditto's doubleEncode=true canonical URI: empty segments dropped, each segment encoded twice.

    Each wire segment is decoded first, so ``%E1%88%B4`` and a raw ``ሴ`` give the same result.
    """
    segments = [s for s in path.split("/") if s]
    if not segments:
        return "/"  # Ditto would produce "//" for "/" here; AWS expects "/"
    encoded = "/".join(_encode_unreserved(_encode_unreserved(unquote_to_bytes(s))) for s in segments)
    return "/" + encoded + ("/" if path.endswith("/") else "")


def _canonical_query(query: str) -> str:
    """Keys sorted, then values; each decoded and re-encoded (unreserved kept); ``key`` -> ``key=``."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((_encode_unreserved(unquote_to_bytes(key)), _encode_unreserved(unquote_to_bytes(value))))
    pairs.sort()
    return "&".join([f"{k}={v}" for k, v in pairs])


# (date stamp, secret, signing key, credential scope, sha256 with ipad absorbed, sha256 with opad absorbed)
_SigningEntry = tuple[str, str, bytes, str, "hashlib._Hash", "hashlib._Hash"]


def _timestamps(moment: datetime) -> tuple[str, str]:
    """(``x-amz-date``, date stamp) for an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise SigningError("signing time must be timezone-aware (e.g. datetime.now(timezone.utc))")
    utc = moment.astimezone(timezone.utc)
    amz_date = utc.strftime("%Y%m%dT%H%M%SZ")
    return amz_date, amz_date[:8]


class SigV4Signer:
    """Signs HTTP requests with AWS SigV4 the way Ditto's ``aws4-hmac-sha256`` credentials do.

    Thread-safe: the caches are replaced atomically and hold only derived values.
    """

    def __init__(
        self,
        *,
        region: str,
        service: str,
        credentials: CredentialProvider,
        double_encode: bool = True,
        canonical_headers: Iterable[str] = ("host",),
        payload_hash_mode: PayloadHashMode = PayloadHashMode.EXCLUDED,
    ) -> None:
        if not region or not service:
            raise SigningError("region and service must not be empty")
        for name, value in (("region", region), ("service", service)):
            problem = scope_part_problem(value)
            if problem:
                raise SigningError(f"{name} {problem}, got {value!r}")
        self._region = region
        self._service = service
        self._credentials = credentials
        self._double_encode = bool(double_encode)
        self._mode = PayloadHashMode(payload_hash_mode)
        try:
            configured = normalize_header_names(list(canonical_headers))
        except ValueError as exc:
            raise SigningError(str(exc)) from None
        self._configured = frozenset(configured)
        self._configured_names = configured
        # x-amz-content-sha256 is sent whenever it is signed: a signed header that is not sent fails
        self._send_content_sha256 = (
            self._mode is not PayloadHashMode.EXCLUDED or _X_AMZ_CONTENT_SHA256 in configured
        )
        base = set(configured) | {_X_AMZ_DATE}
        if self._send_content_sha256:
            base.add(_X_AMZ_CONTENT_SHA256)
        self._base_names = frozenset(base)
        self._base_sorted = tuple(sorted(base))
        self._base_signed_headers = ";".join(self._base_sorted)
        # rebuilt when the day or the secret changes
        self._key_cache: _SigningEntry = ("", "", b"", "", hashlib.sha256(), hashlib.sha256())
        # (unix second, x-amz-date, date stamp)
        self._clock_cache: tuple[int, str, str] = (-1, "", "")

    @classmethod
    def from_parameters(
        cls, params: AwsSigningParameters, credentials: CredentialProvider | None = None
    ) -> SigV4Signer:
        """A signer for Ditto's ``aws4-hmac-sha256`` parameters.

        ``credentials`` default to the parameters' keys, or the AWS credential chain without them.
        """
        return cls(
            region=params.region,
            service=params.service,
            credentials=credentials if credentials is not None else credential_provider_for(params),
            double_encode=params.double_encode,
            canonical_headers=params.canonical_headers,
            payload_hash_mode=params.x_amz_content_sha256,
        )

    def __repr__(self) -> str:
        return (
            f"SigV4Signer(region={self._region!r}, service={self._service!r}, "
            f"credentials={self._credentials!r}, "
            f"double_encode={self._double_encode}, canonical_headers={self._configured_names!r}, "
            f"payload_hash_mode={self._mode.value})"
        )

    # -- keys and clock ------------------------------------------------------------------------

    def signing_key(self, date_stamp: str, secret_key: str) -> bytes:
        """kSigning = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request" (cached)."""
        return self._key_and_scope(date_stamp, secret_key)[0]

    def _key_and_scope(self, date_stamp: str, secret_key: str) -> tuple[bytes, str]:
        entry = self._signing_entry(date_stamp, secret_key)
        return entry[2], entry[3]

    def _signing_entry(self, date_stamp: str, secret_key: str) -> _SigningEntry:
        cached = self._key_cache
        if cached[0] == date_stamp and cached[1] == secret_key:
            return cached
        key = hmac.digest(("AWS4" + secret_key).encode("utf-8"), date_stamp.encode("ascii"), "sha256")
        key = hmac.digest(key, self._region.encode("utf-8"), "sha256")
        key = hmac.digest(key, self._service.encode("utf-8"), "sha256")
        key = hmac.digest(key, b"aws4_request", "sha256")
        scope = f"{date_stamp}/{self._region}/{self._service}/aws4_request"
        # HMAC (RFC 2104) with the key's inner and outer pads already absorbed: per request only
        # the message is hashed, about 3x cheaper than hmac.digest() re-keying every time
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in key.ljust(64, b"\0")))
        entry = (date_stamp, secret_key, key, scope, inner, outer)
        self._key_cache = entry
        return entry

    def _now(self) -> tuple[str, str]:
        second = int(time.time())
        cached = self._clock_cache
        if cached[0] == second:
            return cached[1], cached[2]
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))
        self._clock_cache = (second, amz_date, amz_date[:8])
        return amz_date, amz_date[:8]

    # -- signing -------------------------------------------------------------------------------

    def sign(
        self,
        method: str,
        host: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        now: datetime | None = None,
        payload_sha256: str | None = None,
    ) -> dict[str, str]:
        """The headers to add so the request is signed: ``x-amz-date``, ``authorization`` and, per
        mode, ``x-amz-content-sha256``, plus ``x-amz-security-token`` for temporary credentials.

        ``path`` is the wire path (already percent-encoded), ``query`` the raw query string
        (``''`` if none), ``host`` the Host header value as sent (no default port), ``headers``
        the other headers that will be sent (they must not include Host, Authorization or the
        headers this method returns). ``payload_sha256`` is the body's hex SHA-256 when the
        caller already has it. Raises :class:`SigningError` / :class:`CredentialsError`.
        """
        credentials = self._credentials.get()
        amz_date, date_stamp = self._now() if now is None else _timestamps(now)
        canonical, signed_headers, added = self._canonical(
            method, host, path, query, headers, body, amz_date, credentials, payload_sha256
        )
        _, _, _, scope, inner_pad, outer_pad = self._signing_entry(date_stamp, credentials.secret_key)
        string_to_sign = (
            f"{_ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
        )
        inner = inner_pad.copy()
        inner.update(string_to_sign.encode("utf-8"))
        outer = outer_pad.copy()
        outer.update(inner.digest())
        signature = outer.hexdigest()
        added["authorization"] = (
            f"{_ALGORITHM} Credential={credentials.access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        return added

    def canonical_request(
        self,
        method: str,
        host: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        now: datetime,
        payload_sha256: str | None = None,
    ) -> str:
        """The canonical request :meth:`sign` would hash (for diagnosing SignatureDoesNotMatch)."""
        credentials = self._credentials.get()
        amz_date, _ = _timestamps(now)
        return self._canonical(
            method, host, path, query, headers, body, amz_date, credentials, payload_sha256
        )[0]

    def _canonical(
        self,
        method: str,
        host: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        amz_date: str,
        credentials: AwsCredentials,
        payload_sha256: str | None,
    ) -> tuple[str, str, dict[str, str]]:
        """(canonical request, signed header names, headers to add minus authorization)."""
        if not host or host != host.strip():
            raise SigningError(
                f"Host header value must be non-empty without surrounding whitespace: {host!r}"
            )
        if path and path[0] != "/":
            raise SigningError(f"request path must start with '/': {path!r}")

        if self._mode is PayloadHashMode.UNSIGNED:
            payload_hash = _UNSIGNED_PAYLOAD
        elif payload_sha256 is not None:
            if len(payload_sha256) != 64:
                raise SigningError("payload_sha256 must be the 64-character hex SHA-256 of the body")
            payload_hash = payload_sha256
        else:
            payload_hash = hashlib.sha256(body).hexdigest()

        added = {_X_AMZ_DATE: amz_date}
        values = {"host": host, _X_AMZ_DATE: amz_date}
        if self._send_content_sha256:
            added[_X_AMZ_CONTENT_SHA256] = payload_hash
            values[_X_AMZ_CONTENT_SHA256] = payload_hash

        # Which of the caller's headers are signed: the configured ones, and (beyond Ditto, because
        # S3 requires it) every x-amz-* header plus content-md5.
        extra_names: list[str] | None = None
        configured = self._configured
        for name, value in headers.items():
            lowered = name.lower()
            if lowered in _SIGNER_OWNED:
                raise SigningError(f"header {name!r} must not be passed to sign(): the signer sets it")
            if lowered in configured or lowered.startswith("x-amz-") or lowered == _CONTENT_MD5:
                if not isinstance(value, str):
                    raise SigningError(
                        f"header {name!r} has a non-string value of type {type(value).__name__}"
                    )
                # values trimmed, inner whitespace collapsed; repeats (names differing in case) joined by ','
                value = " ".join(value.split())
                if lowered in values:
                    values[lowered] = values[lowered] + "," + value
                else:
                    values[lowered] = value
                    if lowered not in self._base_names:
                        if extra_names is None:
                            extra_names = []
                        extra_names.append(lowered)

        token = credentials.session_token
        if token is not None:
            added[_X_AMZ_SECURITY_TOKEN] = token
            values[_X_AMZ_SECURITY_TOKEN] = token
            extra_names = [*extra_names, _X_AMZ_SECURITY_TOKEN] if extra_names else [_X_AMZ_SECURITY_TOKEN]

        if extra_names is None:
            names: Iterable[str] = self._base_sorted
            signed_headers = self._base_signed_headers
        else:
            names = sorted(self._base_names.union(extra_names))
            signed_headers = ";".join(names)

        # a listed header that is absent is signed with an empty value (Ditto's rule)
        canonical_headers = "".join([f"{n}:{values.get(n, '')}\n" for n in names])
        canonical_uri = _double_encoded_uri(path) if self._double_encode else path or "/"
        canonical = (
            f"{method}\n{canonical_uri}\n{_canonical_query(query)}\n{canonical_headers}\n"
            f"{signed_headers}\n{payload_hash}"
        )
        return canonical, signed_headers, added
