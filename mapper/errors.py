"""The exception hierarchy: every error mapper raises is a :class:`MapperError`.

Catch by meaning: a bad connection file is a :class:`ConfigError`, a broken envelope a
:class:`ProtocolError`, a failing script a :class:`MappingError`, an S3 answer that is not
success a :class:`PublishError`. Each carries the context an operator needs to act on it
(file, line, column, JSON path, key, HTTP status, S3 error code) as attributes, and its
``str()`` is a complete, human-readable sentence. None of them ever carries a secret.
"""

from __future__ import annotations


class MapperError(Exception):
    """Base class of every error raised by mapper."""


class ConfigError(MapperError):
    """Configuration is unusable: connection JSON, signing parameters, command-line flags.

    ``path`` is the JSON path of the offending field (``targets[0].address``) when known.
    """

    def __init__(self, message: str, *, path: str | None = None, source: str | None = None) -> None:
        self.message = message
        self.path = path
        self.source = source
        prefix = ""
        if source:
            prefix += f"{source}: "
        if path:
            prefix += f"{path}: "
        super().__init__(prefix + message)


class ProtocolError(MapperError):
    """A message is not valid Ditto Protocol (or not a valid external message).

    ``field`` names the offending field (``topic``, ``headers``, ``revision``...).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class MalformedJSONError(ProtocolError):
    """The text is not JSON; ``line`` and ``column`` (1-based) locate the problem, ``reason`` says it."""

    def __init__(self, reason: str, *, line: int, column: int) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(f"malformed JSON at line {line}, column {column}: {reason}")


class MappingError(MapperError):
    """A JavaScript mapping failed for one message.

    Attributes locate the problem: ``script`` (file name or ``<outgoingScript>``), ``line`` and
    ``column`` (1-based, in the operator's script), ``source_line`` (that line's text) and
    ``js_stack`` (the JavaScript stack as QuickJS reported it).
    """

    def __init__(
        self,
        message: str,
        *,
        script: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        js_stack: str | None = None,
    ) -> None:
        self.message = message
        self.script = script
        self.line = line
        self.column = column
        self.source_line = source_line
        self.js_stack = js_stack
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.script or "<script>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.source_line is not None:
            text += f"\n    {self.source_line}"
            if self.column is not None:
                text += "\n    " + " " * max(self.column - 1, 0) + "^"
        return text


class ScriptSyntaxError(MappingError):
    """The script does not compile."""


class ScriptLimitError(MappingError):
    """The script hit a sandbox limit: size, execution time, memory or stack depth."""


class MappingResultError(MappingError):
    """The script ran but returned something Ditto would reject (too many results, bad shape)."""


class SigningError(MapperError):
    """A request could not be signed (bad parameters, no credentials)."""


class CredentialsError(SigningError):
    """No usable AWS credentials were found or they could not be refreshed."""


class PublishError(MapperError):
    """Publishing one message failed (after retries, where retrying made sense).

    ``key`` is the object key, ``status`` the last HTTP status (None for transport errors),
    ``code`` the S3 error code from the XML body, ``attempts`` how many requests were sent.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        status: int | None = None,
        code: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.key = key
        self.status = status
        self.code = code
        self.attempts = attempts
        self.message = message
        head = ""
        if status is not None:
            head = f"{status} {code}: " if code else f"{status}: "
        super().__init__(head + message + (f" (key {key!r})" if key is not None else ""))


class InvalidKeyError(PublishError):
    """The mapped object key cannot be stored (empty, NUL, over 1024 bytes, escapes a directory)."""


class TransportError(PublishError):
    """The endpoint could not be reached or the connection broke (after retries)."""


class PublishConflictError(PublishError):
    """No-overwrite mode: the key already holds different content."""
