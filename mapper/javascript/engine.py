"""The mapping engine: Ditto-compatible outgoing and incoming JavaScript mappings.

Thread safety: a :class:`MappingEngine` may be shared by threads. QuickJS contexts are
single-threaded, so each thread gets its own contexts (``threading.local``), built lazily from
the same sources the first time that thread maps a message; the constructing thread's contexts
are built (and the scripts checked) in ``__init__``. Contexts of different threads run in
parallel (the binding releases the GIL while JavaScript runs). An engine pickles as its sources,
so worker processes rebuild it.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapper.errors import ConfigError, MappingError, MappingResultError, ProtocolError
from mapper.javascript.context import Direction, MappingContext
from mapper.javascript.diagnostics import ScriptSource
from mapper.javascript.limits import SandboxLimits
from mapper.protocol.envelope import CONTENT_TYPE, validate_envelope
from mapper.protocol.external import ExternalMessage

DITTO_PROTOCOL_CONTENT_TYPE = CONTENT_TYPE


@dataclass(frozen=True)
class _EngineSpec:
    """Everything needed to build the engine again (in another thread or process)."""

    outgoing_script: str | None
    incoming_script: str | None
    outgoing_name: str
    incoming_name: str
    limits: SandboxLimits
    load_bytebuffer_js: bool
    load_long_js: bool


def _has_script(script: str | None) -> bool:
    # Ditto treats an empty script as "no JavaScript for this direction"; blank is the same here.
    return script is not None and script.strip() != ""


class MappingEngine:
    """Runs a connection's outgoing and incoming mapping scripts in the QuickJS sandbox."""

    def __init__(
        self,
        *,
        outgoing_script: str | None = None,
        incoming_script: str | None = None,
        outgoing_name: str = "<outgoingScript>",
        incoming_name: str = "<incomingScript>",
        limits: SandboxLimits = SandboxLimits(),  # noqa: B008 - frozen, shared default is safe
        load_bytebuffer_js: bool = False,
        load_long_js: bool = False,
    ) -> None:
        """Compile both scripts now; raises ScriptSyntaxError / ScriptLimitError / MappingError."""
        self._spec = _EngineSpec(
            outgoing_script,
            incoming_script,
            outgoing_name,
            incoming_name,
            limits,
            bool(load_bytebuffer_js),
            bool(load_long_js),
        )
        self._local = threading.local()
        self.limits = limits
        self.has_outgoing_script = _has_script(outgoing_script)
        self.has_incoming_script = _has_script(incoming_script)
        if self.has_outgoing_script:
            self._context("outgoing")
        if self.has_incoming_script:
            self._context("incoming")

    @classmethod
    def from_files(
        cls, *, outgoing: Path | None = None, incoming: Path | None = None, **kw: Any
    ) -> MappingEngine:
        """Load scripts from files; errors name the file."""

        def read(path: Path | None) -> str | None:
            if path is None:
                return None
            try:
                return Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read the script: {exc}", source=str(path)) from None

        if outgoing is not None:
            kw.setdefault("outgoing_name", str(outgoing))
        if incoming is not None:
            kw.setdefault("incoming_name", str(incoming))
        return cls(outgoing_script=read(outgoing), incoming_script=read(incoming), **kw)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_engine_from_spec, (self._spec,))

    def _context(self, direction: Direction) -> MappingContext:
        context = getattr(self._local, direction, None)
        if context is None:
            spec = self._spec
            if direction == "outgoing":
                source = ScriptSource(spec.outgoing_name, spec.outgoing_script or "")
            else:
                source = ScriptSource(spec.incoming_name, spec.incoming_script or "")
            context = MappingContext(
                direction,
                source,
                spec.limits,
                load_bytebuffer_js=spec.load_bytebuffer_js,
                load_long_js=spec.load_long_js,
            )
            setattr(self._local, direction, context)
        return context

    # ---- outgoing ------------------------------------------------------------------------------

    def map_outgoing(self, message: str | bytes | Mapping[str, Any]) -> list[ExternalMessage]:
        """Map one Ditto Protocol envelope to external messages ([] = dropped).

        JSON text is preferred: it crosses into JavaScript as-is. Raises MappingError subclasses,
        or ProtocolError when the message is not an envelope.
        """
        if isinstance(message, (bytes, bytearray)):
            try:
                text = bytes(message).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(
                    f"the message is not valid UTF-8 at byte {exc.start}: {exc.reason}"
                ) from None
        elif isinstance(message, str):
            text = message
        else:
            text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        _raise(_text_error(text))
        if not self.has_outgoing_script:
            return [_external_message(line) for line in _raise(self._plain_outgoing(text))]
        return [
            _external_message(line) for line in _raise(self._context("outgoing").run([_json_value(text)])[0])
        ]

    def map_outgoing_json(self, messages: Sequence[str]) -> list[list[str] | MappingError | ProtocolError]:
        """The batch fast path (used by ``mapper map``): envelope JSON texts in, per message either
        its external messages as JSON lines (``{"headers", "textPayload", "bytePayload" (base64),
        "contentType"}``) or the error. Inputs should already be validated envelopes."""
        if not self.has_outgoing_script:
            return [_text_error(text) or self._plain_outgoing(text) for text in messages]
        return _run_texts(self._context("outgoing"), list(messages))  # type: ignore[return-value]

    def map_outgoing_batch(
        self, messages: Sequence[str], *, checked: bool = False
    ) -> list[list[ExternalMessage] | MappingError | ProtocolError]:
        """Map several envelope JSON texts with one call into JavaScript per 100 messages.

        Per message, in order: its external messages ([] = dropped) or its error, exactly what
        :meth:`map_outgoing` returns or raises for it alone. A text that is not one JSON value
        JavaScript's ``JSON.parse`` accepts (e.g. Python's ``NaN``) fails alone with a
        ProtocolError instead of breaking the batch, and so does text that is not valid Unicode.
        ``checked=True`` says the caller has already parsed every text that way (no NaN/Infinity),
        which skips the per-message JSON check.
        """
        if not self.has_outgoing_script:
            return [
                _raise_free(_text_error(text) or self._plain_outgoing(text), _external_message)
                for text in messages
            ]
        problems: dict[int, ProtocolError] = {}
        if not checked:
            problems = {i: error for i, text in enumerate(messages) if (error := _strict_json_problem(text))}
        runnable = [text for i, text in enumerate(messages) if i not in problems]
        mapped = iter(_run_texts(self._context("outgoing"), runnable) if runnable else [])
        return [
            problems[i] if i in problems else _raise_free(next(mapped), _external_message)
            for i in range(len(messages))
        ]

    def _plain_outgoing(self, text: str) -> list[str] | ProtocolError:
        """No outgoing script: the envelope as Ditto Protocol JSON, its headers as headers."""
        try:
            envelope = validate_envelope(json.loads(text))
        except ValueError as exc:
            return ProtocolError(f"not valid JSON: {exc}")
        except ProtocolError as exc:
            return exc
        headers = {key: _header_text(value) for key, value in envelope["headers"].items()}
        headers["content-type"] = DITTO_PROTOCOL_CONTENT_TYPE
        line = {
            "headers": headers,
            "textPayload": text.strip(),
            "bytePayload": None,
            "contentType": DITTO_PROTOCOL_CONTENT_TYPE,
        }
        return [json.dumps(line, ensure_ascii=False, separators=(",", ":"))]

    # ---- incoming ------------------------------------------------------------------------------

    def map_incoming(self, message: ExternalMessage) -> list[dict[str, Any]]:
        """Map one external message to validated Ditto Protocol messages ([] = dropped)."""
        return _raise(self.map_incoming_batch([message])[0])

    def map_incoming_batch(
        self, messages: Sequence[ExternalMessage]
    ) -> list[list[dict[str, Any]] | MappingError | ProtocolError]:
        """Map several external messages in one call; per message its results or its error."""
        if not self.has_incoming_script:
            return [
                _text_error(json.dumps(message.to_json_dict(), ensure_ascii=False))
                or self._plain_incoming(message)
                for message in messages
            ]
        batch = [
            json.dumps(
                [
                    message.headers,
                    message.text_payload,
                    None
                    if message.byte_payload is None
                    else base64.b64encode(message.byte_payload).decode("ascii"),
                    message.content_type
                    if message.content_type is not None
                    else message.headers.get("content-type"),
                ],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for message in messages
        ]
        name = self._spec.incoming_name
        results: list[list[dict[str, Any]] | MappingError | ProtocolError] = []
        for outcome in _run_texts(self._context("incoming"), batch):
            if isinstance(outcome, (MappingError, ProtocolError)):
                results.append(outcome)
                continue
            try:
                results.append(
                    [
                        _ditto_protocol_result(line, index, len(outcome), name)
                        for index, line in enumerate(outcome)
                    ]
                )
            except MappingResultError as exc:
                results.append(exc)
        return results

    def _plain_incoming(self, message: ExternalMessage) -> list[dict[str, Any]] | ProtocolError:
        """No incoming script: the payload must be one Ditto Protocol message (JSON)."""
        try:
            if message.text_payload is not None:
                data = json.loads(message.text_payload)
            elif message.byte_payload is not None:
                data = json.loads(message.byte_payload.decode("utf-8"))
            else:
                return ProtocolError("the message has no payload", field="payload")
            return [validate_envelope(data)]
        except ValueError as exc:
            return ProtocolError(f"the payload is not Ditto Protocol JSON: {exc}", field="payload")
        except ProtocolError as exc:
            return exc


def _engine_from_spec(spec: _EngineSpec) -> MappingEngine:
    return MappingEngine(
        outgoing_script=spec.outgoing_script,
        incoming_script=spec.incoming_script,
        outgoing_name=spec.outgoing_name,
        incoming_name=spec.incoming_name,
        limits=spec.limits,
        load_bytebuffer_js=spec.load_bytebuffer_js,
        load_long_js=spec.load_long_js,
    )


def _raise(outcome: Any) -> Any:
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _text_error(text: str) -> ProtocolError | None:
    """Text QuickJS cannot take: a lone surrogate, e.g. bytes that were not UTF-8 read with
    ``errors="surrogateescape"``. The binding cannot convert such a string, and its failed call
    would fail every message of the batch with a meaningless script error."""
    if text.isascii():  # O(1) in CPython: the common case costs nothing
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return ProtocolError(
            f"the message holds a lone surrogate (U+{ord(text[exc.start]):04X}), so it is not valid "
            "Unicode text; was the input UTF-8?"
        )
    return None


def _run_texts(context: MappingContext, texts: list[str]) -> list[list[str] | MappingError | ProtocolError]:
    """``context.run`` for the texts it can take; the others fail alone (see _text_error)."""
    errors = {index: error for index, text in enumerate(texts) if (error := _text_error(text))}
    if not errors:
        return context.run(texts)  # type: ignore[return-value]
    ran = iter(context.run([text for index, text in enumerate(texts) if index not in errors]))
    return [errors[index] if index in errors else next(ran) for index in range(len(texts))]


def _raise_free(outcome: Any, convert: Any) -> Any:
    """An error as is, else each result line converted."""
    if isinstance(outcome, Exception):
        return outcome
    return [convert(line) for line in outcome]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json_problem(text: str) -> ProtocolError | None:
    """Why ``text`` is not one JSON value ``JSON.parse`` accepts (None when it is)."""
    try:
        json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:  # JSONDecodeError, NaN / Infinity, or UnicodeDecodeError
        return ProtocolError(f"the message is not valid JSON: {exc}")
    except TypeError as exc:
        return ProtocolError(f"the message is not JSON text: {exc}")
    return None


def _json_value(text: str) -> str:
    """Reject text that is not one JSON value before it is spliced into the batch array."""
    try:
        json.loads(text)
    except ValueError as exc:
        raise ProtocolError(f"the message is not valid JSON: {exc}") from None
    return text


def _header_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _external_message(line: str) -> ExternalMessage:
    data = json.loads(line)
    raw = data["bytePayload"]
    return ExternalMessage(
        headers=data["headers"],
        text_payload=data["textPayload"],
        byte_payload=None if raw is None else base64.b64decode(raw),
        content_type=data["contentType"],
    )


def _ditto_protocol_result(line: str, index: int, count: int, script: str) -> dict[str, Any]:
    where = "the result" if count == 1 else f"result[{index}]"
    try:
        return validate_envelope(json.loads(line))
    except ProtocolError as exc:
        raise MappingResultError(
            f"{where} is not a valid Ditto Protocol message: {exc}", script=script
        ) from None


def check_script(source: str, name: str, *, limits: SandboxLimits = SandboxLimits()) -> None:  # noqa: B008
    """Compile ``source`` in the sandbox (either direction); raises ScriptSyntaxError etc."""
    MappingContext("check", ScriptSource(name, source), limits)
