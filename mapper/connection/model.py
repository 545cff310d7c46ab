"""A Ditto ``http-push`` connection JSON, as the configuration of the mapper.

The JSON is exactly what Ditto (or Bosch IoT Things) stores for a connection, so an operator can
export a connection and run it here. Fields we do not use (``clientCount``, ``failoverEnabled``,
``tags``, ``validateCertificates``...) are accepted and kept. Everything we do use is validated
when the file is loaded: addresses, topics (with their RQL filters), header mapping templates,
payload mapping references, signing parameters, script files, environment references.

Beyond Ditto, documented in ``docs/connection.md``:

- ``outgoingScriptFile`` / ``incomingScriptFile`` mapping options: the script is read from a file
  (relative to the connection file) instead of an escaped JSON string;
- ``accessKey`` / ``secretKey`` / ``sessionToken`` may be ``"{{ env:NAME }}"`` (read from the
  environment at load time) or left out entirely (the standard AWS credential chain). Ditto has no
  documented secret-reference syntax; this one reuses its placeholder look.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from mapper.connection.placeholders import PlaceholderTemplate
from mapper.connection.topics import TopicSubscription
from mapper.errors import ConfigError
from mapper.signing.params import AwsSigningParameters

__all__ = [
    "BUILTIN_MAPPINGS",
    "HTTP_METHODS",
    "Connection",
    "HmacCredentials",
    "MappingDefinition",
    "MappingOptions",
    "SshTunnel",
    "SshTunnelCredentials",
    "Target",
    "load_connection",
]

HTTP_METHODS = ("PUT", "POST", "PATCH", "GET", "DELETE")
SIGNING_ALGORITHM = "aws4-hmac-sha256"
#: Payload mapping ids usable in a target without a mapping definition of that name.
BUILTIN_MAPPINGS = ("Ditto",)
_MAPPING_ENGINES = ("JavaScript", "Ditto")

# RFC 9110 token: what an HTTP header name may consist of.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_ENV_REFERENCE = re.compile(r"\{\{\s*env:([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\Z")
_SECRET_PARAMETERS = ("accessKey", "secretKey", "sessionToken", "access_key", "secret_key", "session_token")


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _parse_bool_option(value: Any, name: str) -> bool:
    # Ditto's JSON carries these options as booleans or as the strings "true"/"false".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f'{name} must be true or false (a boolean or the string "true"/"false"), got {value!r}')


# --------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------


class HmacCredentials(BaseModel):
    """``credentials`` of type ``hmac`` with algorithm ``aws4-hmac-sha256`` (the only one we sign with)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    type: Literal["hmac"]
    algorithm: Literal["aws4-hmac-sha256"]
    parameters: AwsSigningParameters

    @field_validator("algorithm", mode="before")
    @classmethod
    def _supported_algorithm(cls, value: Any) -> Any:
        if value != SIGNING_ALGORITHM:
            raise ValueError(
                f"unsupported hmac algorithm {value!r} (supported: {SIGNING_ALGORITHM}; Ditto's "
                "az-monitor-2016-04-01 and az-sasl are not implemented here)"
            )
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _resolve_environment_references(cls, value: Any) -> Any:
        """Replace ``"{{ env:NAME }}"`` key material with the variable's value (never echoed)."""
        if not isinstance(value, Mapping):
            return value
        resolved = dict(value)
        for name in _SECRET_PARAMETERS:
            text = resolved.get(name)
            if not isinstance(text, str) or "{{" not in text:
                continue
            match = _ENV_REFERENCE.match(text.strip())
            if match is None:
                raise ValueError(
                    f"{name}: an environment reference must be the whole value, e.g. "
                    '"{{ env:AWS_SECRET_ACCESS_KEY }}"'
                )
            variable = match.group(1)
            if variable not in os.environ:
                raise ValueError(f"{name} references environment variable {variable!r}, which is not set")
            resolved[name] = os.environ[variable]
        return resolved


class SshTunnelCredentials(BaseModel):
    """``sshTunnel.credentials``: kept only so that its secrets are masked in reprs and dumps."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", hide_input_in_errors=True)

    type: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    private_key: SecretStr | None = Field(None, alias="privateKey")


class SshTunnel(BaseModel):
    """``sshTunnel`` of a Ditto connection. Accepted when disabled; an enabled tunnel is refused.

    Why refused: with a tunnel, Ditto reaches ``uri`` *through* the SSH host. mapper has no SSH
    client, so it would send the archive straight to ``uri`` over a different network path
    than the operator configured; better to say so at load time.
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    enabled: bool = False
    credentials: SshTunnelCredentials | None = None

    @field_validator("enabled", mode="before")
    @classmethod
    def _enabled_bool(cls, value: Any) -> bool:
        return _parse_bool_option(value, "enabled")

    @field_validator("enabled", mode="after")
    @classmethod
    def _no_tunnel(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "SSH tunnels are not supported: mapper connects to the uri directly; set "
                '"enabled": false (or remove sshTunnel) if the uri is reachable without the tunnel'
            )
        return value


# --------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------


def _topic(value: Any) -> Any:
    if isinstance(value, TopicSubscription):
        return value
    try:
        return TopicSubscription.parse(value)
    except ConfigError as error:
        raise ValueError(str(error)) from None


def _known_mapping(value: str, info: ValidationInfo) -> str:
    known = _context(info).get("mapping_ids")
    if known is not None and value not in known and value not in BUILTIN_MAPPINGS:
        names = ", ".join(sorted([*known, *BUILTIN_MAPPINGS]))
        raise ValueError(
            f"{value!r} is neither a mappingDefinitions entry nor a built-in mapping (known: {names})"
        )
    return value


class Target(BaseModel):
    """One entry of ``targets``: where (``METHOD:path``), what (``topics``) and with which headers."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", arbitrary_types_allowed=True)

    address: str
    topics: list[Annotated[TopicSubscription, BeforeValidator(_topic)]] = Field(min_length=1)
    authorization_context: list[str] = Field(default_factory=list, alias="authorizationContext")
    header_mapping: dict[str, PlaceholderTemplate] = Field(default_factory=dict, alias="headerMapping")
    payload_mapping: list[Annotated[str, AfterValidator(_known_mapping)]] = Field(
        default_factory=list, alias="payloadMapping"
    )

    _path_template: PlaceholderTemplate = PrivateAttr()

    @field_validator("address", mode="after")
    @classmethod
    def _method_and_path(cls, value: str) -> str:
        method, colon, path = value.partition(":")
        if not colon:
            raise ValueError(
                f"address {value!r} must be METHOD:path, e.g. PUT:/ (methods: {', '.join(HTTP_METHODS)})"
            )
        if method not in HTTP_METHODS:
            raise ValueError(f"unknown method {method!r} (expected {', '.join(HTTP_METHODS)})")
        if path and not path.startswith("/"):
            raise ValueError(f"path {path!r} must start with '/'")
        return value

    @field_validator("header_mapping", mode="before")
    @classmethod
    def _parse_header_mapping(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, Mapping):
            return value  # pydantic reports the type error
        connection_id = _context(info).get("connection_id")
        parsed: dict[str, PlaceholderTemplate] = {}
        for name, text in value.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if isinstance(text, PlaceholderTemplate):
                parsed[name] = text
                continue
            try:
                parsed[name] = PlaceholderTemplate.parse(text, where=repr(name), connection_id=connection_id)
            except ConfigError as error:
                raise ValueError(str(error)) from None
        return parsed

    @model_validator(mode="after")
    def _parse_path_template(self, info: ValidationInfo) -> Target:
        try:
            self._path_template = PlaceholderTemplate.parse(
                self.path, where="address", connection_id=_context(info).get("connection_id")
            )
        except ConfigError as error:
            raise ValueError(str(error)) from None
        return self

    @field_serializer("topics")
    def _topics_as_text(self, topics: list[TopicSubscription]) -> list[str]:
        return [topic.text for topic in topics]

    @field_serializer("header_mapping")
    def _templates_as_text(self, mapping: dict[str, PlaceholderTemplate]) -> dict[str, str]:
        return {name: template.text for name, template in mapping.items()}

    @property
    def method(self) -> str:
        """HTTP method of the address."""
        return self.address.partition(":")[0]

    @property
    def path(self) -> str:
        """Path of the address, as written (may hold placeholders and a query)."""
        return self.address.partition(":")[2]

    def resolve_path(self, envelope: Mapping[str, Any]) -> str | None:
        """The address path with placeholders resolved; None means Ditto would drop the message."""
        return self._path_template.render(envelope)


# --------------------------------------------------------------------------------------------------
# Mapping definitions
# --------------------------------------------------------------------------------------------------


class MappingOptions(BaseModel):
    """``options`` of a mapping definition.

    After loading, ``incoming_script`` / ``outgoing_script`` hold the script text whether it was
    inline or in a file, and ``*_script_name`` names it for error messages (the file path, or
    ``<outgoingScript>`` for an inline script).
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    incoming_script: str = Field("", alias="incomingScript")
    outgoing_script: str = Field("", alias="outgoingScript")
    incoming_script_file: str | None = Field(None, alias="incomingScriptFile")
    outgoing_script_file: str | None = Field(None, alias="outgoingScriptFile")
    load_bytebuffer_js: bool = Field(False, alias="loadBytebufferJS")
    load_long_js: bool = Field(False, alias="loadLongJS")

    incoming_script_name: str = Field("<incomingScript>", exclude=True)
    outgoing_script_name: str = Field("<outgoingScript>", exclude=True)

    @field_validator("load_bytebuffer_js", mode="before")
    @classmethod
    def _bytebuffer_bool(cls, value: Any) -> bool:
        return _parse_bool_option(value, "loadBytebufferJS")

    @field_validator("load_long_js", mode="before")
    @classmethod
    def _long_bool(cls, value: Any) -> bool:
        return _parse_bool_option(value, "loadLongJS")

    @model_validator(mode="after")
    def _read_script_files(self, info: ValidationInfo) -> MappingOptions:
        base_dir = Path(_context(info).get("base_dir") or ".")
        for direction in ("incoming", "outgoing"):
            file_name = getattr(self, f"{direction}_script_file")
            if file_name is None:
                continue
            if getattr(self, f"{direction}_script"):
                raise ValueError(f"give either {direction}Script or {direction}ScriptFile, not both")
            path = os.path.normpath(os.path.join(base_dir, file_name))
            try:
                text = Path(path).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ValueError(f"{direction}ScriptFile: file not found: {path}") from None
            except UnicodeDecodeError:
                raise ValueError(f"{direction}ScriptFile: {path} is not UTF-8 text") from None
            except OSError as error:
                raise ValueError(f"{direction}ScriptFile: cannot read {path}: {error.strerror}") from None
            setattr(self, f"{direction}_script", text)
            setattr(self, f"{direction}_script_name", path)
        return self


class MappingDefinition(BaseModel):
    """One entry of ``mappingDefinitions``: a JavaScript mapping, or Ditto's built-in protocol mapping."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    mapping_engine: Literal["JavaScript", "Ditto"] = Field(alias="mappingEngine")
    options: MappingOptions = Field(default_factory=MappingOptions)

    @field_validator("mapping_engine", mode="before")
    @classmethod
    def _supported_engine(cls, value: Any) -> Any:
        if value not in _MAPPING_ENGINES:
            raise ValueError(
                f"mapping engine {value!r} is not supported (supported: {', '.join(_MAPPING_ENGINES)})"
            )
        return value

    @property
    def outgoing_script(self) -> str:
        """Outgoing script text ("" = plain Ditto protocol mapping)."""
        return self.options.outgoing_script if self.mapping_engine == "JavaScript" else ""

    @property
    def incoming_script(self) -> str:
        """Incoming script text ("" = plain Ditto protocol mapping)."""
        return self.options.incoming_script if self.mapping_engine == "JavaScript" else ""

    @property
    def outgoing_script_name(self) -> str:
        """File name or ``<outgoingScript>``, for error messages."""
        return self.options.outgoing_script_name

    @property
    def incoming_script_name(self) -> str:
        """File name or ``<incomingScript>``, for error messages."""
        return self.options.incoming_script_name


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------


class Connection(BaseModel):
    """A Ditto connection of type ``http-push``; unknown fields are accepted and kept."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    id: str = Field(min_length=1)
    name: str | None = None
    connection_type: Literal["http-push"] = Field(alias="connectionType")
    connection_status: str | None = Field(None, alias="connectionStatus")
    uri: str
    credentials: HmacCredentials | None = None
    sources: list[Any] = Field(default_factory=list)
    targets: list[Target] = Field(min_length=1)
    specific_config: dict[str, str] = Field(default_factory=dict, alias="specificConfig")
    ssh_tunnel: SshTunnel | None = Field(None, alias="sshTunnel")
    #: Ditto's TLS options for https URIs: verify the server (default), trusting only ``ca`` (PEM) if set.
    validate_certificates: bool = Field(True, alias="validateCertificates")
    ca: str | None = None
    mapping_definitions: dict[str, MappingDefinition] = Field(
        default_factory=dict, alias="mappingDefinitions"
    )

    @field_validator("connection_type", mode="before")
    @classmethod
    def _supported_type(cls, value: Any) -> Any:
        if value != "http-push":
            raise ValueError(f"connectionType {value!r} is not supported (only http-push)")
        return value

    @field_validator("uri", mode="after")
    @classmethod
    def _http_uri(cls, value: str) -> str:
        # The uri is never echoed whole: Ditto allows user:password@ in it.
        if re.search(r"[\x00-\x20\x7f]", value):
            # urlsplit would silently delete tabs and newlines ("h\r\nx" -> "hx")
            raise ValueError("must not contain whitespace or control characters")
        scheme, sep, rest = value.partition("://")
        if not sep or scheme.lower() not in ("http", "https"):
            raise ValueError(
                "must be an http:// or https:// URI, e.g. https://bucket.s3.eu-central-1.amazonaws.com:443"
            )
        authority = rest.split("/", 1)[0]
        if "@" in authority:
            raise ValueError("credentials in the uri are not supported; use hmac credentials")
        host = authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority
        if not host or any(c in host for c in "<> {}"):
            raise ValueError(f"has no valid host ({host!r})")
        if ":" in authority and authority.count(":") == 1:
            port = authority.rsplit(":", 1)[1]
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"has an invalid port {port!r}")
        try:
            _ = urlsplit(value).port  # catches IPv6 literals too: "[::1]:99999"
        except ValueError as error:
            raise ValueError(f"is not a valid URL ({error})") from None
        return value

    @field_validator("credentials", mode="before")
    @classmethod
    def _supported_credentials(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and value.get("type") != "hmac":
            raise ValueError(
                f"unsupported credentials type {value.get('type')!r} (supported: hmac with "
                f"{SIGNING_ALGORITHM}; leave credentials out to use the standard AWS credential chain)"
            )
        return value

    @field_validator("specific_config", mode="before")
    @classmethod
    def _stringify_config(cls, value: Any) -> Any:
        # Ditto stores specificConfig values as strings; accept JSON numbers/booleans too.
        if isinstance(value, Mapping):
            return {k: (json.dumps(v) if isinstance(v, (bool, int, float)) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _valid_parallelism(self) -> Connection:
        self.parallelism()
        return self

    def parallelism(self) -> int:
        """``specificConfig.parallelism`` (default 1): how many requests may be in flight."""
        text = self.specific_config.get("parallelism", "1")
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"specificConfig.parallelism must be a positive integer, got {text!r}") from None
        if value < 1:
            raise ValueError(f"specificConfig.parallelism must be a positive integer, got {text!r}")
        return value

    def target_mappings(self, target: Target) -> list[MappingDefinition]:
        """The mapping definitions a target's ``payloadMapping`` names, in order.

        An empty ``payloadMapping`` means Ditto's built-in protocol mapping.
        """
        ids = target.payload_mapping or list(BUILTIN_MAPPINGS)
        return [self.mapping_definitions.get(i) or MappingDefinition(mappingEngine="Ditto") for i in ids]


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def _json_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", str(part)):
            text += f".{part}" if text else str(part)
        else:
            text += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return text


def _secrets_in(raw: Any) -> list[str]:
    """Secret strings of a raw connection (and the environment values they reference)."""
    found: list[str] = []
    credentials = raw.get("credentials") if isinstance(raw, Mapping) else None
    parameters = credentials.get("parameters") if isinstance(credentials, Mapping) else None
    if isinstance(parameters, Mapping):
        for name in ("secretKey", "sessionToken", "secret_key", "session_token"):
            value = parameters.get(name)
            if isinstance(value, str) and value:
                found.append(value)
                match = _ENV_REFERENCE.match(value.strip())
                if match and os.environ.get(match.group(1)):
                    found.append(os.environ[match.group(1)])
    return found


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _lone_surrogate_path(value: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The JSON path of the first string (or object key) that is not valid Unicode, or None."""
    if isinstance(value, str):
        return None if _is_unicode(value) else path
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and not _is_unicode(key):
                return (*path, key.encode("utf-8", "backslashreplace").decode("ascii"))
            found = _lone_surrogate_path(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_path(item, (*path, index))
            if found is not None:
                return found
    return None


def _config_error(error: ValidationError, raw: Any, source: str) -> ConfigError:
    secrets = _secrets_in(raw)
    lines = []
    first_path = None
    for item in error.errors(include_url=False, include_input=False):
        message = item["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if message.startswith(prefix):
                message = message[len(prefix) :]
        if item["type"] == "missing":
            message = "is required"
        elif item["type"] == "extra_forbidden":
            message = "is not a known field here"
        for secret in secrets:
            message = message.replace(secret, "***")
        path = _json_path(tuple(item["loc"]))
        first_path = first_path if first_path is not None else path
        lines.append(f"{path}: {message}" if path else message)
    if len(lines) == 1:
        result = ConfigError(lines[0], source=source)
    else:
        result = ConfigError(f"{len(lines)} problems:\n  " + "\n  ".join(lines), source=source)
    result.path = first_path or None
    return result


def load_connection(
    source: Path | str | Mapping[str, Any], *, base_dir: Path | str | None = None
) -> Connection:
    """Load and validate a connection: a path to a JSON file, JSON text, or an already-parsed dict.

    Script files are resolved relative to the connection file (or ``base_dir``, default the current
    directory, for text and dicts). Raises :class:`ConfigError` naming the file, the JSON path and
    the problem (``targets[0].address: unknown method 'PUTT' ...``); malformed JSON is reported as
    ``file:line:column``. A string starting with ``{`` is JSON text, any other string a file path.
    """
    name = "<connection>"
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        if isinstance(source, Path) or not source.lstrip().startswith("{"):
            path = Path(source)
            name = str(path)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ConfigError(f"connection file not found: {path}") from None
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigError(f"cannot read connection file {path}: {error}") from None
            if base_dir is None:
                base_dir = path.parent
        else:
            text = source
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"invalid JSON: {error.msg}", source=f"{name}:{error.lineno}:{error.colno}"
            ) from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"a connection must be a JSON object, got {type(raw).__name__}", source=name)
    broken = _lone_surrogate_path(raw, ())
    if broken is not None:
        # JSON allows "\ud800" escapes; such text is not Unicode and pydantic (or later the
        # signer, the HTTP client) would fail on it with a bare UnicodeEncodeError
        raise ConfigError(
            f"{_json_path(broken) or 'a field name'}: text contains a lone surrogate "
            "(an unpaired \\uD800-\\uDFFF escape), which is not valid Unicode",
            source=name,
        )
    context = {
        "base_dir": Path(base_dir) if base_dir is not None else Path("."),
        "connection_id": raw.get("id") if isinstance(raw.get("id"), str) else None,
        "mapping_ids": set(definitions)
        if isinstance(definitions := raw.get("mappingDefinitions"), Mapping)
        else set(),
    }
    try:
        return Connection.model_validate(raw, context=context)
    except ValidationError as error:
        raise _config_error(error, raw, name) from None
