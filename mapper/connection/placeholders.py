"""Ditto placeholders (``{{ thing:id }}``, ``{{ header:correlation-id | fn:default('x') }}``).

Used by target header mappings and target address paths. Templates are parsed when the connection is
loaded — an unknown placeholder or function, a wrong number of function arguments or an unclosed
``{{`` is a :class:`ConfigError` then, never a surprise per event.

Resolution follows Ditto's outbound resolver: ``header:`` reads the Ditto protocol headers of the
event (case-insensitive), ``thing:``/``entity:``/``topic:``/``resource:``/``feature:`` come from the
envelope's topic and path, ``request:subjectId`` from the ``ditto-originator`` header (the subject
that caused the event), ``connection:id`` from the connection, ``time:`` from the clock.

A template whose placeholder cannot be resolved renders to ``None``; Ditto then does not set that
header ("Placeholder resolution failure does not prevent sending of the message or setting other
headers"), and drops a message whose target address cannot be resolved.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from mapper.errors import ConfigError, ProtocolError
from mapper.protocol.topic import parse_topic

__all__ = [
    "CONNECTION_PLACEHOLDERS",
    "EnvelopePlaceholders",
    "HeaderTemplate",
    "PlaceholderTemplate",
    "apply_header_mapping",
]

#: Placeholders Ditto documents for "Scope: Connections"; ``header:`` takes any header name.
CONNECTION_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "entity:id",
        "entity:namespace",
        "entity:name",
        "thing:id",
        "thing:namespace",
        "thing:name",
        "policy:id",
        "policy:namespace",
        "policy:name",
        "connection:id",
        "feature:id",
        "request:subjectId",
        "resource:type",
        "resource:path",
        "topic:full",
        "topic:namespace",
        "topic:entityName",
        "topic:group",
        "topic:channel",
        "topic:criterion",
        "topic:action",
        "topic:subject",
        "topic:action-subject",
        "time:now",
        "time:now_epoch_millis",
    }
)

_RESOURCE_TYPES = {"things": "thing", "policies": "policy", "connections": "connection"}


def _header_text(value: Any) -> str:
    # Ditto headers are strings on the wire; envelopes in files may carry JSON values.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class EnvelopePlaceholders:
    """Placeholder values of one Ditto Protocol envelope, computed lazily.

    ``headers`` overrides the envelope's own ``headers`` for ``header:`` lookups. ``connection:id``
    is not an envelope property: templates bind it when they are parsed.
    """

    __slots__ = ("_headers", "_lower_headers", "_topic", "envelope")

    def __init__(self, envelope: Mapping[str, Any], headers: Mapping[str, Any] | None = None) -> None:
        self.envelope = envelope
        raw_headers = headers if headers is not None else envelope.get("headers")
        self._headers: Mapping[str, Any] = raw_headers if isinstance(raw_headers, Mapping) else {}
        self._lower_headers: dict[str, Any] | None = None  # lowercased name -> original name
        self._topic: dict[str, str | None] | None = None

    # -- topic ---------------------------------------------------------------------------------
    @property
    def topic(self) -> dict[str, str | None]:
        """The envelope topic split into Ditto's topic placeholder names (missing parts: None).

        Shared between envelopes with the same topic: read it, never change it.
        """
        if self._topic is None:
            topic = self.envelope.get("topic")
            self._topic = _split_topic(topic) if isinstance(topic, str) else {}
        return self._topic

    def header(self, name: str) -> str | None:
        """Ditto protocol header ``name`` (case-insensitive), as text."""
        headers = self._headers
        if name in headers:  # the usual case: Ditto's header names are lowercase
            return _header_text(headers[name])
        if self._lower_headers is None:
            self._lower_headers = {str(k).lower(): k for k in headers}
        key = self._lower_headers.get(name.lower())
        return None if key is None else _header_text(headers[key])

    def resolve(self, name: str) -> str | None:
        """Value of placeholder ``prefix:name`` or None when it does not apply to this envelope."""
        prefix, _, key = name.partition(":")
        if prefix == "header":
            return self.header(key)
        if prefix == "topic":
            if key == "full":
                topic = self.envelope.get("topic")
                return topic if isinstance(topic, str) else None
            return self.topic.get(key)
        if prefix == "time":
            return _now_iso() if key == "now" else str(time.time_ns() // 1_000_000)
        topic = self.topic
        group = topic.get("group")
        namespace, entity_name = topic.get("namespace"), topic.get("entityName")
        if prefix in ("thing", "entity", "policy"):
            wanted_groups = {"thing": ("things",), "policy": ("policies",), "entity": ("things", "policies")}
            if group not in wanted_groups[prefix] or namespace is None or entity_name is None:
                return None
            if key == "id":
                return f"{namespace}:{entity_name}"
            return namespace if key == "namespace" else entity_name
        if prefix == "resource":
            if key == "path":
                path = self.envelope.get("path")
                return path if isinstance(path, str) else None
            if topic.get("criterion") == "messages":
                return "message"
            return _RESOURCE_TYPES.get(group or "")
        if prefix == "feature":
            return _feature_id(self.envelope.get("path")) if group == "things" else None
        if prefix == "request":
            return self.header("ditto-originator")
        return None


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@lru_cache(maxsize=8192)
def _split_topic(topic: str) -> dict[str, str | None]:
    # One topic parser in the project (mapper.protocol.topic); a topic it rejects resolves nothing.
    try:
        parsed = parse_topic(topic)
    except ProtocolError:
        return {}
    is_message = parsed.criterion == "messages"
    return {
        "namespace": parsed.namespace,
        "entityName": parsed.entity_name,
        "group": parsed.group,
        "channel": parsed.channel,
        "criterion": parsed.criterion,
        "action": None if is_message else parsed.action,
        "subject": parsed.action if is_message else None,
        "action-subject": parsed.action,
    }


def _feature_id(path: Any) -> str | None:
    if not isinstance(path, str):
        return None
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "features" and parts[1]:
        return parts[1].replace("~1", "/").replace("~0", "~")
    return None


# --------------------------------------------------------------------------------------------------
# Pipeline functions
# --------------------------------------------------------------------------------------------------

_DELETED = object()  # fn:delete(): the value is gone and the rest of the pipeline is skipped


class _Argument:
    """A function argument: a quoted constant or a placeholder resolved per call."""

    __slots__ = ("constant", "placeholder")

    def __init__(self, constant: str | None = None, placeholder: str | None = None) -> None:
        self.constant = constant
        self.placeholder = placeholder

    def value(self, resolver: EnvelopePlaceholders) -> str | None:
        return resolver.resolve(self.placeholder) if self.placeholder is not None else self.constant


_FILTER_OPS = ("eq", "ne", "exists", "like")


def _like_any(pattern: str) -> re.Pattern[str]:
    # fn:filter's like: '*' any run, '?' one character, '|' separates alternatives.
    alternatives = []
    for alternative in pattern.split("|"):
        alternatives.append(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in alternative)
        )
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _filter_stage(args: list[_Argument], where: str) -> Callable[[Any, EnvelopePlaceholders], Any]:
    """fn:filter([filterValue,] rqlFunction [, comparedValue]) — see Ditto's function library."""

    def is_op(arg: _Argument) -> bool:
        return arg.constant in _FILTER_OPS

    subject: _Argument | None  # None: filter the previous pipeline value
    if len(args) == 3 and is_op(args[1]):
        subject, op, compared = args[0], args[1].constant, args[2]
    elif len(args) == 2 and is_op(args[0]):
        subject, op, compared = None, args[0].constant, args[1]
    elif len(args) == 2 and is_op(args[1]) and args[1].constant == "exists":
        subject, op, compared = args[0], "exists", None
    elif len(args) == 1 and args[0].constant == "exists":
        subject, op, compared = None, "exists", None
    else:
        raise ConfigError(
            f"{where}: fn:filter expects ([value,] 'eq'|'ne'|'exists'|'like' [, compared value]), "
            f"got {len(args)} argument(s)"
        )
    if op == "like" and (compared is None or compared.constant is None):
        raise ConfigError(f"{where}: fn:filter 'like' needs a quoted pattern")
    pattern = _like_any(compared.constant) if op == "like" and compared is not None else None
    if op == "exists" and compared is not None and compared.constant not in ("true", "false"):
        raise ConfigError(f"{where}: fn:filter 'exists' takes 'true' or 'false'")

    def run(previous: Any, resolver: EnvelopePlaceholders) -> Any:
        value = previous if subject is None else subject.value(resolver)
        expected = compared.value(resolver) if compared is not None else None
        if op == "eq":
            keep = value is not None and value == expected
        elif op == "ne":
            keep = value != expected
        elif op == "exists":
            keep = (value is not None) == (expected != "false")
        else:
            keep = value is not None and pattern is not None and pattern.fullmatch(value) is not None
        return previous if keep else None

    return run


def _simple_stage(name: str, args: list[_Argument], where: str) -> Callable[[Any, EnvelopePlaceholders], Any]:
    arity = {
        "default": 1,
        "substring-before": 1,
        "substring-after": 1,
        "lower": 0,
        "upper": 0,
        "delete": 0,
        "replace": 2,
    }
    if name == "split":
        raise ConfigError(
            f"{where}: fn:split is only available with the jwt: placeholder, not in connections"
        )
    if name not in arity:
        known = ", ".join(f"fn:{n}" for n in sorted([*arity, "filter"]))
        raise ConfigError(f"{where}: unknown function fn:{name} (supported: {known})")
    if len(args) != arity[name]:
        raise ConfigError(f"{where}: fn:{name} takes {arity[name]} argument(s), got {len(args)}")
    if name in ("substring-before", "substring-after", "replace") and any(a.constant is None for a in args):
        raise ConfigError(f"{where}: fn:{name} takes quoted string arguments")

    if name == "default":
        fallback = args[0]
        return lambda previous, resolver: previous if previous is not None else fallback.value(resolver)
    if name == "delete":
        return lambda previous, resolver: _DELETED
    if name == "lower":
        return lambda previous, resolver: previous.lower() if previous is not None else None
    if name == "upper":
        return lambda previous, resolver: previous.upper() if previous is not None else None
    if name == "replace":
        old, new = args[0].constant or "", args[1].constant or ""
        return lambda previous, resolver: previous.replace(old, new) if previous is not None else None
    needle = args[0].constant or ""
    before = name == "substring-before"

    def substring(previous: Any, resolver: EnvelopePlaceholders) -> Any:
        if previous is None or needle not in previous:
            return None  # Ditto: "If givenString is not contained, this function will resolve to empty"
        head, _, tail = previous.partition(needle)
        return head if before else tail

    return substring


# --------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------


class _Expression:
    """One ``{{ ... }}``: an optional placeholder (or a value bound at parse time) and functions."""

    __slots__ = ("head", "stages", "text")

    def __init__(self, text: str, head: _Argument | None, stages: list[Callable[[Any, Any], Any]]) -> None:
        self.text = text
        self.head = head
        self.stages = stages

    def evaluate(self, resolver: EnvelopePlaceholders) -> str | None:
        value: Any = self.head.value(resolver) if self.head is not None else None
        for stage in self.stages:
            value = stage(value, resolver)
            if value is _DELETED:
                return None
        return value


class _ExpressionParser:
    """Parses the inside of ``{{ ... }}``."""

    def __init__(
        self, text: str, allowed: frozenset[str], where: str, bound: Mapping[str, str | None]
    ) -> None:
        self.text = text
        self.pos = 0
        self.allowed = allowed
        self.where = where
        self.bound = bound  # placeholders whose value is known at parse time (connection:id)

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {message} in '{{{{ {self.text.strip()} }}}}'")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse(self) -> _Expression:
        stages: list[Callable[[Any, Any], Any]] = []
        head: _Argument | None = None
        first = True
        while True:
            self.skip_ws()
            if self.text.startswith("fn:", self.pos):
                stages.append(self.function())
            elif first:
                head = self.bind(self.placeholder())
            else:
                raise self.fail("only functions (fn:...) may follow the first '|'")
            first = False
            self.skip_ws()
            if self.pos >= len(self.text):
                break
            if self.text[self.pos] != "|":
                raise self.fail(f"unexpected {self.text[self.pos :]!r}")
            self.pos += 1
        return _Expression(self.text.strip(), head, stages)

    def placeholder(self, *, in_arguments: bool = False) -> str:
        stop = ",)" if in_arguments else "|"
        start = self.pos
        while (
            self.pos < len(self.text)
            and self.text[self.pos] not in stop
            and not self.text[self.pos].isspace()
        ):
            self.pos += 1
        name = self.text[start : self.pos]
        return self.check_placeholder(name)

    def check_placeholder(self, name: str) -> str:
        prefix, colon, key = name.partition(":")
        if not name:
            raise self.fail("expected a placeholder")
        if prefix == "header" and colon and key:
            return name
        if name not in self.allowed:
            if prefix == "env":
                raise self.fail("env: references are only allowed for credentials")
            raise self.fail(
                f"unknown placeholder {name!r} (supported: header:<name>, {', '.join(sorted(self.allowed))})"
            )
        return name

    def function(self) -> Callable[[Any, Any], Any]:
        self.pos += 3
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "-"):
            self.pos += 1
        name = self.text[start : self.pos]
        self.skip_ws()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise self.fail(f"fn:{name} needs parentheses, e.g. fn:{name}()")
        self.pos += 1
        args: list[_Argument] = []
        self.skip_ws()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
        else:
            while True:
                self.skip_ws()
                args.append(self.argument())
                self.skip_ws()
                if self.pos >= len(self.text):
                    raise self.fail(f"fn:{name}( is not closed")
                if self.text[self.pos] == ")":
                    self.pos += 1
                    break
                if self.text[self.pos] != ",":
                    raise self.fail(f"expected ',' or ')' in fn:{name}(...)")
                self.pos += 1
        where = f"{self.where}: in '{{{{ {self.text.strip()} }}}}'"
        if name == "filter":
            return _filter_stage(args, where)
        return _simple_stage(name, args, where)

    def argument(self) -> _Argument:
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            quote = self.text[self.pos]
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail(f"string argument starting with {quote} is not closed")
            value = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return _Argument(constant=value)
        return self.bind(self.placeholder(in_arguments=True))

    def bind(self, name: str) -> _Argument:
        if name in self.bound:
            return _Argument(constant=self.bound[name])
        return _Argument(placeholder=name)


class PlaceholderTemplate:
    """Text with ``{{ placeholder | fn:... }}`` expressions, parsed once.

    ``render`` returns the text with every expression replaced, or ``None`` when any expression
    could not be resolved (Ditto then leaves the header unset / drops the message for an address).
    """

    __slots__ = ("_parts", "text")

    def __init__(self, text: str, parts: list[str | _Expression]) -> None:
        self.text = text
        self._parts = parts

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        where: str = "template",
        connection_id: str | None = None,
        allowed: frozenset[str] = CONNECTION_PLACEHOLDERS,
    ) -> PlaceholderTemplate:
        """Parse ``text``; ``where`` names it in error messages. Raises :class:`ConfigError`.

        ``connection_id`` is bound here as the value of ``{{ connection:id }}`` (unresolved if None).
        """
        bound = {"connection:id": connection_id}
        if not isinstance(text, str):
            raise ConfigError(f"{where}: expected a string, got {type(text).__name__}")
        parts: list[str | _Expression] = []
        position = 0
        while True:
            start = text.find("{{", position)
            if start < 0:
                if "}}" in text[position:]:
                    raise ConfigError(f"{where}: '}}}}' without a matching '{{{{' in {text!r}")
                if text[position:]:
                    parts.append(text[position:])
                break
            if "}}" in text[position:start]:
                raise ConfigError(f"{where}: '}}}}' without a matching '{{{{' in {text!r}")
            if start > position:
                parts.append(text[position:start])
            end = text.find("}}", start + 2)
            if end < 0:
                raise ConfigError(
                    f"{where}: '{{{{' at position {start + 1} is not closed with '}}}}' in {text!r}"
                )
            inner = text[start + 2 : end]
            if not inner.strip():
                raise ConfigError(f"{where}: empty placeholder '{{{{}}}}' in {text!r}")
            parts.append(_ExpressionParser(inner, allowed, where, bound).parse())
            position = end + 2
        return cls(text, parts)

    @property
    def is_constant(self) -> bool:
        """True when the template has no placeholders."""
        return all(isinstance(part, str) for part in self._parts)

    def render(self, envelope: Mapping[str, Any], headers: Mapping[str, Any] | None = None) -> str | None:
        """Resolve against ``envelope`` (``headers`` overrides its Ditto headers); None if unresolvable."""
        return self.render_with(EnvelopePlaceholders(envelope, headers))

    def render_with(self, resolver: EnvelopePlaceholders) -> str | None:
        """Like :meth:`render` with a resolver shared across templates of one envelope."""
        pieces = []
        for part in self._parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = part.evaluate(resolver)
            if value is None:
                return None
            pieces.append(value)
        return "".join(pieces)

    def __repr__(self) -> str:
        return f"PlaceholderTemplate({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlaceholderTemplate) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


#: Header mapping values are placeholder templates (the name other modules use).
HeaderTemplate = PlaceholderTemplate


def apply_header_mapping(
    header_mapping: Mapping[str, PlaceholderTemplate],
    envelope: Mapping[str, Any],
    external_headers: Mapping[str, str],
) -> dict[str, str]:
    """The external message's headers after a target's header mapping.

    Mapped headers are added to (and override) ``external_headers``; a mapping whose placeholder does
    not resolve for this envelope is left out, as Ditto does. ``header:`` reads the envelope's Ditto
    protocol headers, not the external ones.
    """
    result = dict(external_headers)
    if not header_mapping:
        return result
    resolver = EnvelopePlaceholders(envelope)
    # HTTP header names are case-insensitive: a mapped header replaces any spelling of it.
    spellings = {key.lower(): key for key in result}
    for name, template in header_mapping.items():
        value = template.render_with(resolver)
        if value is None:
            continue
        previous = spellings.get(name.lower())
        if previous is not None and previous != name:
            del result[previous]
        spellings[name.lower()] = name
        result[name] = value
    return result
