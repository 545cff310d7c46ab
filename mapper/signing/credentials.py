"""AWS credentials and where they come from: static parameters or botocore's credential chain.

``CredentialProvider.get()`` is called once per signed request, so providers are cheap per
call: the static one returns the same object, the chain one only talks to the outside
world (files, instance metadata, STS) when botocore decides a refresh is due.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mapper.errors import CredentialsError

if TYPE_CHECKING:
    from mapper.signing.params import AwsSigningParameters

_MASK = "***"

# The access key id and the session token go into HTTP headers (Authorization's ``Credential=``
# and ``x-amz-security-token``), so they must be visible ASCII; ``/`` and ``,`` would also make
# the Authorization value ambiguous. A CR/LF here would otherwise reach http.client, which
# rejects it with a bare ValueError (or a UnicodeEncodeError for non-Latin-1 text).
_ACCESS_KEY = re.compile(r"[\x21-\x7e]+\Z")
_ACCESS_KEY_FORBIDDEN = "/,"
_TOKEN = re.compile(r"[\x21-\x7e]+\Z")


def access_key_problem(access_key: str) -> str | None:
    """Why ``access_key`` cannot be sent in an Authorization header, or None when it can."""
    if not _ACCESS_KEY.match(access_key) or any(c in access_key for c in _ACCESS_KEY_FORBIDDEN):
        return "must be visible ASCII without spaces, '/' or ','"
    return None


def secret_key_problem(secret_key: str) -> str | None:
    """Why ``secret_key`` cannot be used as an HMAC key (it is never echoed), or None."""
    try:
        secret_key.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (contains a lone surrogate)"
    return None


def session_token_problem(session_token: str) -> str | None:
    """Why ``session_token`` cannot be sent as a header (it is never echoed), or None."""
    if not _TOKEN.match(session_token):
        return "must be visible ASCII without spaces or control characters"
    return None


@dataclass(frozen=True)
class AwsCredentials:
    """One set of AWS credentials. ``repr()`` and ``str()`` never show the secret or the token."""

    access_key: str
    secret_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.access_key:
            raise CredentialsError("AWS credentials have an empty access key")
        if not self.secret_key:
            raise CredentialsError(
                f"AWS credentials for access key {self.access_key} have an empty secret key"
            )
        problem = access_key_problem(self.access_key)
        if problem:
            raise CredentialsError(f"AWS access key id {self.access_key!r} {problem}")
        problem = secret_key_problem(self.secret_key)
        if problem:
            raise CredentialsError(f"AWS secret key of access key {self.access_key} {problem}")
        if self.session_token is not None:
            problem = session_token_problem(self.session_token)
            if problem:
                raise CredentialsError(f"AWS session token of access key {self.access_key} {problem}")

    def __repr__(self) -> str:
        token = _MASK if self.session_token else None
        return (
            f"AwsCredentials(access_key={self.access_key!r}, secret_key={_MASK!r}, session_token={token!r})"
        )

    __str__ = __repr__


@runtime_checkable
class CredentialProvider(Protocol):
    """Something that hands out the current credentials; called once per signed request."""

    def get(self) -> AwsCredentials:
        """The credentials to sign the next request with (raises :class:`CredentialsError`)."""
        ...


class StaticCredentialProvider:
    """Fixed credentials, e.g. ``accessKey``/``secretKey`` from the connection."""

    __slots__ = ("_credentials",)

    def __init__(self, credentials: AwsCredentials) -> None:
        self._credentials = credentials

    def get(self) -> AwsCredentials:
        """The fixed credentials."""
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticCredentialProvider({self._credentials!r})"


class BotocoreCredentialProvider:
    """Adapts botocore credentials (plain or refreshable) to :class:`CredentialProvider`.

    Refreshable credentials (assume-role, SSO, instance/container metadata) are refreshed by
    botocore itself inside ``get_frozen_credentials()`` shortly before they expire; between
    refreshes this is an in-memory comparison.
    """

    def __init__(self, credentials: Any, *, source: str = "botocore") -> None:
        self._botocore_credentials = credentials
        self._source = source
        self._last_frozen: Any = None
        self._last: AwsCredentials | None = None

    def get(self) -> AwsCredentials:
        """The current credentials, refreshed by botocore when due."""
        try:
            frozen = self._botocore_credentials.get_frozen_credentials()
        except Exception as exc:  # botocore raises many types here (STS, IMDS, SSO token errors)
            raise CredentialsError(
                f"could not refresh AWS credentials from {self._source}: {type(exc).__name__}: {exc}"
            ) from exc
        # ReadOnlyCredentials is a namedtuple: equal values mean nothing changed, reuse our object
        if frozen != self._last_frozen or self._last is None:
            if not frozen.access_key or not frozen.secret_key:
                raise CredentialsError(
                    f"AWS credentials from {self._source} have an empty access or secret key"
                )
            self._last = AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token or None)
            self._last_frozen = frozen
        return self._last

    def __repr__(self) -> str:
        return f"BotocoreCredentialProvider(source={self._source!r})"


class ChainCredentialProvider:
    """The standard AWS credential chain, resolved by botocore on first use.

    Order (botocore's): environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_SESSION_TOKEN``), assume-role / web identity, SSO, shared credentials and config
    files (``AWS_PROFILE``), container credentials, EC2 instance metadata.
    """

    def __init__(self, *, profile: str | None = None) -> None:
        self._profile = profile
        self._lock = threading.Lock()
        self._resolved: BotocoreCredentialProvider | None = None

    def get(self) -> AwsCredentials:
        """The current credentials; the first call runs the chain (may do I/O)."""
        resolved = self._resolved
        if resolved is None:
            resolved = self._resolve()
        return resolved.get()

    def _resolve(self) -> BotocoreCredentialProvider:
        with self._lock:
            if self._resolved is not None:
                return self._resolved
            import botocore.exceptions
            import botocore.session

            where = f"profile {self._profile!r}" if self._profile else "the AWS credential chain"
            try:
                session = botocore.session.Session(profile=self._profile)
                credentials = session.get_credentials()
            except botocore.exceptions.BotoCoreError as exc:
                raise CredentialsError(f"could not load AWS credentials from {where}: {exc}") from exc
            if credentials is None:
                raise CredentialsError(
                    "no AWS credentials found: set 'accessKey' and 'secretKey' in the connection's "
                    "credentials.parameters, or provide them through the standard AWS chain "
                    "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with ~/.aws/credentials, "
                    "SSO, container or instance metadata)"
                )
            method = getattr(credentials, "method", None) or "unknown"
            self._resolved = BotocoreCredentialProvider(credentials, source=f"{where} ({method})")
            return self._resolved

    def __repr__(self) -> str:
        return f"ChainCredentialProvider(profile={self._profile!r})"


def credential_provider_for(params: AwsSigningParameters) -> CredentialProvider:
    """Static credentials when the parameters carry keys, else the AWS credential chain."""
    if params.access_key is not None and params.secret_key is not None:
        token = params.session_token.get_secret_value() if params.session_token is not None else None
        return StaticCredentialProvider(
            AwsCredentials(params.access_key, params.secret_key.get_secret_value(), token or None)
        )
    return ChainCredentialProvider()
