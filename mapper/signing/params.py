"""Ditto's ``hmac`` / ``aws4-hmac-sha256`` credential parameters as a pydantic model.

The JSON shape is Ditto's (``credentials.parameters`` of an http-push connection, camelCase
names); the model accepts snake_case names too. Beyond Ditto: ``accessKey``/``secretKey``
may be left out to use the standard AWS credential chain, and ``sessionToken`` carries
temporary credentials. Unknown parameters are rejected so that a typo such as
``doubleEncoding`` fails loudly instead of silently signing with the default.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mapper.signing.credentials import access_key_problem, secret_key_problem, session_token_problem


class PayloadHashMode(str, Enum):
    """Ditto's ``xAmzContentSha256``: how the payload hash enters the request.

    ``EXCLUDED``: hex SHA-256 of the body in the canonical request, no header sent (Ditto's
    default). ``INCLUDED``: the same hash, also sent and signed as ``x-amz-content-sha256``
    (what S3 needs). ``UNSIGNED``: ``UNSIGNED-PAYLOAD`` as hash and header value, signed.
    """

    EXCLUDED = "EXCLUDED"
    INCLUDED = "INCLUDED"
    UNSIGNED = "UNSIGNED"


# RFC 9110 token characters: what an HTTP header name may consist of.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9a-z]+$")

# Region and service end up in the credential scope ("date/region/service/aws4_request") inside
# the Authorization header: visible ASCII, and no '/' that would shift the scope's parts.
_SCOPE_PART = re.compile(r"[\x21-\x2e\x30-\x7e]+\Z")

# Headers the signer itself produces; listing them would sign a value the caller cannot know.
_SIGNER_OWNED_HEADERS = frozenset({"authorization"})


def _parse_bool(value: Any, name: str) -> Any:
    """Ditto accepts booleans as JSON booleans or as the strings "true"/"false"."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise ValueError(
            f'\'{name}\' must be true or false (a boolean or the string "true"/"false"), got {value!r}'
        )
    if not isinstance(value, bool):
        raise ValueError(f"'{name}' must be true or false, got {value!r}")
    return value


def scope_part_problem(value: str) -> str | None:
    """Why a region or service name cannot go into a SigV4 credential scope, or None when it can."""
    if not _SCOPE_PART.match(value):
        return "must be visible ASCII without spaces or '/' (e.g. eu-central-1, s3)"
    return None


def normalize_header_names(names: Any) -> tuple[str, ...]:
    """Ditto's canonicalHeaders rule: names trimmed, lowercased, empty ones dropped, de-duplicated, sorted.

    Raises ``ValueError`` for anything that is not a list of valid header names.
    """
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
        raise ValueError(f"'canonicalHeaders' must be a list of header names, got {names!r}")
    cleaned: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"'canonicalHeaders' entries must be strings, got {name!r}")
        lowered = name.strip().lower()
        if not lowered:
            continue
        if not _HEADER_NAME.match(lowered):
            raise ValueError(f"'canonicalHeaders' entry {name!r} is not a valid HTTP header name")
        if lowered in _SIGNER_OWNED_HEADERS:
            raise ValueError(f"'canonicalHeaders' cannot contain {lowered!r}: the signer produces it")
        cleaned.add(lowered)
    return tuple(sorted(cleaned))


class AwsSigningParameters(BaseModel):
    """``credentials.parameters`` of a Ditto connection with ``type: hmac, algorithm: aws4-hmac-sha256``."""

    # hide_input_in_errors: a ValidationError's text would otherwise quote the rejected secret
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True, hide_input_in_errors=True)

    region: str = Field(min_length=1)
    service: str = Field(min_length=1)
    access_key: str | None = Field(None, alias="accessKey", min_length=1)
    secret_key: SecretStr | None = Field(None, alias="secretKey")
    session_token: SecretStr | None = Field(None, alias="sessionToken")
    double_encode: bool = Field(True, alias="doubleEncode")
    canonical_headers: tuple[str, ...] = Field(("host",), alias="canonicalHeaders")
    x_amz_content_sha256: PayloadHashMode = Field(PayloadHashMode.EXCLUDED, alias="xAmzContentSha256")

    @field_validator("region", "service", mode="before")
    @classmethod
    def _strip_names(cls, value: Any) -> Any:
        # a region or service with surrounding whitespace would silently sign a wrong scope
        if isinstance(value, str) and value != value.strip():
            raise ValueError(f"must not have leading or trailing whitespace, got {value!r}")
        return value

    @field_validator("region", "service", mode="after")
    @classmethod
    def _scope_part(cls, value: str) -> str:
        problem = scope_part_problem(value)
        if problem:
            raise ValueError(f"{problem}, got {value!r}")
        return value

    @field_validator("access_key", mode="after")
    @classmethod
    def _sendable_access_key(cls, value: str | None) -> str | None:
        problem = access_key_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"{problem}, got {value!r}")
        return value

    @field_validator("secret_key", "session_token", mode="after")
    @classmethod
    def _usable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # never echo the value: these are secrets
        if value is None:
            return None
        check = secret_key_problem if info.field_name == "secret_key" else session_token_problem
        problem = check(value.get_secret_value())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("double_encode", mode="before")
    @classmethod
    def _double_encode_bool(cls, value: Any) -> Any:
        return _parse_bool(value, "doubleEncode")

    @field_validator("canonical_headers", mode="before")
    @classmethod
    def _canonical_headers(cls, value: Any) -> tuple[str, ...]:
        return normalize_header_names(value)

    @field_validator("x_amz_content_sha256", mode="before")
    @classmethod
    def _payload_hash_mode(cls, value: Any) -> PayloadHashMode:
        if isinstance(value, PayloadHashMode):
            return value
        if isinstance(value, str):
            for mode in PayloadHashMode:
                if mode.value == value.strip().upper():
                    return mode
        # Ditto's wording, so operators recognise it
        raise ValueError(
            "The HMAC credentials parameter 'xAmzContentSha256' must have one of the following "
            f"as value: 'INCLUDED', 'EXCLUDED', 'UNSIGNED' (got {value!r})."
        )

    @model_validator(mode="after")
    def _keys_come_in_pairs(self) -> AwsSigningParameters:
        if (self.access_key is None) != (self.secret_key is None):
            given, missing = (
                ("accessKey", "secretKey") if self.access_key is not None else ("secretKey", "accessKey")
            )
            raise ValueError(
                f"'{given}' is set but '{missing}' is not: give both, or neither to use the "
                "standard AWS credential chain"
            )
        if self.session_token is not None and self.access_key is None:
            raise ValueError("'sessionToken' needs 'accessKey' and 'secretKey'")
        if self.secret_key is not None and not self.secret_key.get_secret_value():
            raise ValueError("'secretKey' is empty")
        return self
